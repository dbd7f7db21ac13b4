"""Feed a ccxt bot's orders to killswitch: an example to copy into a bot.

Every order result a ccxt bot sees — the answer to ``create_order``, each update from ``watch_orders`` (ccxt pro)
or ``fetch_open_orders`` — becomes one killswitch order event:

    import ccxt
    from killswitch_client import KillswitchClient
    from ccxt_feed import CcxtFeed

    exchange = ccxt.binance({...})                       # the bot's own exchange object (markets loaded)
    feed = CcxtFeed(exchange, venue="binance-main", client=KillswitchClient())
    order = exchange.create_order("BTC/USD:BTC", "limit", "buy", 1, 64000, {"newClientOrderId": "bot7-o-981"})
    feed.report(order)                                   # right after the venue answered
    feed.report(exchange.fetch_open_orders("BTC/USD:BTC"))   # and on every poll (or: await feed.follow())

How an order becomes an event:

* ``symbol`` is the venue's wire symbol, ``market['id']`` of the order's unified symbol (``BTC/USD:BTC`` →
  ``BTCUSD_PERP``), which is what killswitch matches against the venue's own listings.
* ``status`` maps ccxt's unified status: ``open`` → ``acknowledged`` (``partiallyFilled`` once ``filled`` > 0),
  ``closed`` → ``filled``, ``canceled`` → ``cancelled``, ``expired`` → ``expired``, ``rejected`` → ``rejected``;
  an answer without a status (some venues' create answers) is ``acknowledged`` when the venue gave an id, else
  ``new``.
* ``eventId`` is stable per update: a digest of the venue, the order's ids and the state it reports (status,
  filled, amount, price). The same update seen twice — from ``create_order`` and again from
  ``fetch_open_orders``, or after a bot restart — is the same event, which killswitch stores once.
* ``clientOrderId`` is passed through; ``venueOrderId`` is ccxt's ``id``. Amounts are sent as decimal strings.

ccxt reports futures sizes as it gets them from the venue (contracts for Gate futures and Binance COIN-M), which is
what killswitch expects in ``quantity``.

Polling: ``fetch_open_orders`` must see every open order. Bitget's orders-pending without a ``status`` may list only
orders with nothing filled (UNVERIFIED; venue-sim assumes so), so on Bitget poll
``params={"status": "live"}`` and ``params={"status": "partially_filled"}``. An order that leaves the open list
(filled, cancelled) is not in any later poll: report ``watch_orders`` updates, or ``fetch_closed_orders``, too.
"""

from __future__ import annotations

import datetime as _datetime
import decimal as _decimal
import hashlib as _hashlib
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

__all__ = ["CcxtFeed", "to_event", "event_status", "event_id", "UnmappableOrder"]

# ccxt unified status → killswitch event status (an open order is refined by its fill below).
_STATUS = {
    "closed": "filled",
    "canceled": "cancelled",
    "cancelled": "cancelled",
    "expired": "expired",
    "rejected": "rejected",
}


class UnmappableOrder(ValueError):
    """An order that cannot become an event; the message names the field (``id``, ``symbol``, ``status``...)."""


def event_status(order: Mapping[str, Any]) -> str:
    """The killswitch status of a ccxt order (see the module's docstring)."""
    status = order.get("status")
    if status is None:
        return "acknowledged" if order.get("id") else "new"
    if status == "open":
        filled = _decimal_or_none(order.get("filled"))
        return "partiallyFilled" if filled is not None and filled > 0 else "acknowledged"
    try:
        return _STATUS[status]
    except KeyError:
        raise UnmappableOrder("status: unknown ccxt status %r" % (status,)) from None


def event_id(venue: str, order: Mapping[str, Any], status: str, prefix: str = "ccxt") -> str:
    """A stable id for this update of this order: the same state reported twice gives the same id."""
    parts = [venue, _text(order.get("id")) or "", _text(order.get("clientOrderId")) or "", status,
             _amount(order.get("filled")) or "", _amount(order.get("amount")) or "", _amount(order.get("price")) or ""]
    digest = _hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
    return "%s-%s" % (prefix, digest)


def to_event(order: Mapping[str, Any], *, venue: str, market_id: str, account: Optional[str] = None,
             prefix: str = "ccxt") -> Dict[str, Any]:
    """One killswitch event for one ccxt order dict. ``market_id`` is the venue's wire symbol (``market['id']``)."""
    venue_order_id = _text(order.get("id"))
    client_order_id = _text(order.get("clientOrderId"))
    if not venue_order_id and not client_order_id:
        raise UnmappableOrder("id: the order has neither an id nor a clientOrderId")
    if not market_id:
        raise UnmappableOrder("symbol: no venue symbol for %r" % (order.get("symbol"),))
    status = event_status(order)
    event: Dict[str, Any] = {
        "eventId": event_id(venue, order, status, prefix),
        "venue": venue,
        "symbol": market_id,
        "status": status,
    }
    if account:
        event["account"] = account
    if venue_order_id:
        event["venueOrderId"] = venue_order_id
    if client_order_id:
        event["clientOrderId"] = client_order_id
    side = order.get("side")
    if side in ("buy", "sell"):
        event["side"] = side
    for field, key in (("price", "price"), ("quantity", "amount"), ("filledQuantity", "filled")):
        value = _amount(order.get(key))
        if value is not None:
            event[field] = value
    if "filledQuantity" in event and "quantity" in event and _decimal.Decimal(event["filledQuantity"]) > _decimal.Decimal(event["quantity"]):
        # A venue that reports fills in another unit than the size would make killswitch reject the event; keep the size.
        del event["filledQuantity"]
    millis = order.get("lastUpdateTimestamp") or order.get("timestamp")
    if isinstance(millis, (int, float)) and millis > 0:
        event["time"] = _datetime.datetime.fromtimestamp(millis / 1000, _datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (int(millis) % 1000)
    return event


class CcxtFeed:
    """Reports one ccxt exchange object's orders as one killswitch venue (a ``[[venues]]`` id of the config).

    ``client`` is a ``KillswitchClient``. ``account`` is sent only when given (the daemon checks it is the venue's).
    """

    def __init__(self, exchange: Any, venue: str, client: Any, *, account: Optional[str] = None, prefix: str = "ccxt"):
        self.exchange = exchange
        self.venue = venue
        self.client = client
        self.account = account
        self.prefix = prefix

    def market_id(self, symbol: str) -> str:
        """The venue's wire symbol of a unified symbol (``exchange.market(symbol)['id']``)."""
        try:
            return self.exchange.market(symbol)["id"]
        except Exception as error:
            raise UnmappableOrder("symbol: %r is not a market of %s (%s)" % (symbol, getattr(self.exchange, "id", "?"), error)) from None

    def event(self, order: Mapping[str, Any]) -> Dict[str, Any]:
        return to_event(order, venue=self.venue, market_id=self.market_id(order.get("symbol")), account=self.account, prefix=self.prefix)

    def events(self, orders: Union[Mapping[str, Any], Iterable[Mapping[str, Any]]]) -> List[Dict[str, Any]]:
        if isinstance(orders, Mapping):
            orders = [orders]
        return [self.event(order) for order in orders]

    def report(self, orders: Union[Mapping[str, Any], Iterable[Mapping[str, Any]]], *, strict: bool = True,
               per_event: bool = False) -> Optional[Dict[str, Any]]:
        """Sends the events of one order or many; returns the daemon's answer (None when there was nothing to send;
        every event's result with ``per_event``, see ``KillswitchClient.send_events``). With ``strict`` (the
        default) a rejected event raises ``EventsRejected``: a feed that silently loses orders would leave
        killswitch blind to them."""
        events = self.events(orders)
        if not events:
            return None
        return self.client.send_events(events, strict=strict, per_event=per_event)

    async def follow(self, symbol: Optional[str] = None) -> None:
        """ccxt pro: reports every ``watch_orders`` update until cancelled. Each update is sent as it arrives."""
        while True:
            orders = await self.exchange.watch_orders(symbol)
            self.report(orders)


def _text(value: Any) -> Optional[str]:
    if value is None:
        return None
    text = str(value)
    return text or None


def _decimal_or_none(value: Any) -> Optional[_decimal.Decimal]:
    if value is None:
        return None
    try:
        number = _decimal.Decimal(str(value))
    except _decimal.InvalidOperation:
        return None
    return number if number.is_finite() else None


def _amount(value: Any) -> Optional[str]:
    """ccxt's numbers (floats) as decimal strings: ``str(float)`` is the shortest text that reads back as the same
    float, so 0.1 stays "0.1" rather than 0.1000000000000000055…"""
    number = _decimal_or_none(value)
    if number is None or number < 0:
        return None
    text = format(number.normalize(), "f")
    return text
