"""ccxt_feed: the mapping on ccxt's own order dicts, then ccxt (from PyPI) against venue-sim feeding a real daemon.

venue-sim has no order placement, so `create_order` answers are recorded venue answers run through ccxt's own
`parse_order` (the exact dicts a bot gets back), and the live part seeds orders through venue-sim's admin API and
drives ccxt's `fetch_open_orders` for each of the five venue kinds.
"""
import uuid

import ccxt
import pytest

from ccxt_feed import CcxtFeed, UnmappableOrder, event_id, event_status, to_event
from conftest import wait_for_incident_end, wait_until

CREDENTIALS = {"apiKey": "test-api-key", "secret": "test-api-secret", "password": "test-passphrase"}


def market(id, symbol, base, quote, settle, type_, inverse=False):
    contract = type_ != "spot"
    return {"id": id, "symbol": symbol, "base": base, "quote": quote, "settle": settle, "baseId": base, "quoteId": quote,
            "settleId": settle.lower() if settle else None, "type": type_, "spot": not contract, "margin": False,
            "swap": contract, "future": False, "option": False, "active": True, "contract": contract,
            "linear": (not inverse) if contract else None, "inverse": inverse if contract else None,
            "contractSize": 1 if contract else None, "precision": {"amount": 1, "price": 0.1},
            "limits": {k: {"min": None, "max": None} for k in ("amount", "price", "cost", "leverage")}, "info": {}}


def repoint(value, old, new):
    if isinstance(value, dict):
        return {k: repoint(v, old, new) for k, v in value.items()}
    if isinstance(value, str):
        return value.replace(old, new)
    return value


def exchanges(base):
    """ccxt exchange objects pointed at venue-sim (as Benchmarks/SimLoad/ccxt_smoke.py does), markets preset."""
    gate = ccxt.gate(CREDENTIALS)
    gate.urls["api"] = repoint(repoint(gate.urls["api"], "https://api.gateio.ws", base), "https://fx-api.gateio.ws", base)
    gate.set_markets([market("BTC_USDT", "BTC/USDT:USDT", "BTC", "USDT", "USDT", "swap"), market("BTC_USDT", "BTC/USDT", "BTC", "USDT", None, "spot")])

    binance = ccxt.binance(CREDENTIALS)
    binance.urls["api"] = repoint(binance.urls["api"], "https://dapi.binance.com", base)
    binance.options["adjustForTimeDifference"] = False
    binance.set_markets([market("BTCUSD_PERP", "BTC/USD:BTC", "BTC", "USD", "BTC", "swap", inverse=True)])

    htx = ccxt.htx(CREDENTIALS)
    host = base.replace("http://", "")
    htx.urls["hostnames"] = {"contract": host, "spot": host, "status": host}
    htx.urls["api"] = repoint(repoint(htx.urls["api"], "https://", "http://"), "api.huobi.pro", host)
    htx.options["defaultType"] = "spot"
    htx.hostname = host
    htx.set_markets([market("btcusdt", "BTC/USDT", "BTC", "USDT", None, "spot")])
    htx.options["accountsById"] = {"100009": {"id": "100009", "type": "spot", "code": None}}
    htx.accounts = [{"id": "100009", "type": "spot", "code": None, "info": {}}]

    bitget = ccxt.bitget(CREDENTIALS)
    bitget.urls["api"] = repoint(repoint(bitget.urls["api"], "https://api.bitget.com", base), "https://api.{hostname}", base)
    bitget.options["uta"] = False
    bitget.set_markets([market("BTCUSDT", "BTC/USDT:USDT", "BTC", "USDT", "USDT", "swap")])
    return {"gate": gate, "binance": binance, "htx": htx, "bitget": bitget}


# -- the mapping, on ccxt's own dicts (no network) ------------------------------------------------------

def parsed(exchange, raw, symbol):
    return exchange.parse_order(raw, exchange.market(symbol))


@pytest.fixture(scope="module")
def offline():
    return exchanges("http://127.0.0.1:9")


def test_gate_futures_create_answer(offline):
    gate = offline["gate"]
    order = parsed(gate, {"id": 15675394, "user": 100000, "contract": "BTC_USDT", "create_time": 1546569968, "size": 6024, "left": 6024,
                          "price": "3765", "fill_price": "0", "tif": "gtc", "text": "t-bot7-1", "status": "open", "finish_as": ""}, "BTC/USDT:USDT")
    event = to_event(order, venue="gate-futures", market_id=gate.market(order["symbol"])["id"])
    assert event == {"eventId": event["eventId"], "venue": "gate-futures", "symbol": "BTC_USDT", "status": "acknowledged",
                     "venueOrderId": "15675394", "clientOrderId": "t-bot7-1", "side": "buy", "price": "3765", "quantity": "6024",
                     "filledQuantity": "0", "time": "2019-01-04T02:46:08.000Z"}


def test_binance_partial_fill_update(offline):
    binance = offline["binance"]
    order = parsed(binance, {"clientOrderId": "bot7-o-981", "executedQty": "3", "orderId": 22542179, "origQty": "10", "price": "64250.5",
                             "side": "BUY", "status": "PARTIALLY_FILLED", "symbol": "BTCUSD_PERP", "timeInForce": "GTC", "type": "LIMIT",
                             "updateTime": 1566818724722}, "BTC/USD:BTC")
    event = to_event(order, venue="binance", market_id="BTCUSD_PERP")
    assert (event["status"], event["symbol"], event["quantity"], event["filledQuantity"]) == ("partiallyFilled", "BTCUSD_PERP", "10", "3")
    assert (event["venueOrderId"], event["clientOrderId"], event["price"]) == ("22542179", "bot7-o-981", "64250.5")


def test_answers_without_a_status(offline):
    # HTX and Bitget answer a placement with the ids only: the order exists (acknowledged), nothing else is known.
    htx = parsed(offline["htx"], {"id": "356501383558845"}, "BTC/USDT")
    assert to_event(htx, venue="htx", market_id="btcusdt")["status"] == "acknowledged"
    bitget = parsed(offline["bitget"], {"orderId": "121211212122", "clientOid": "bot7-o-5"}, "BTC/USDT:USDT")
    event = to_event(bitget, venue="bitget", market_id="BTCUSDT")
    assert (event["venueOrderId"], event["clientOrderId"], event["status"]) == ("121211212122", "bot7-o-5", "acknowledged")
    assert "price" not in event and "quantity" not in event


@pytest.mark.parametrize("ccxt_status, filled, expected", [
    ("open", 0, "acknowledged"), ("open", 2, "partiallyFilled"), ("closed", 10, "filled"), ("canceled", 0, "cancelled"),
    ("expired", 0, "expired"), ("rejected", 0, "rejected"), (None, None, "acknowledged"),
])
def test_status_mapping(ccxt_status, filled, expected):
    assert event_status({"id": "1", "status": ccxt_status, "filled": filled}) == expected


def test_unknown_status_and_missing_ids_name_the_field():
    with pytest.raises(UnmappableOrder, match="^status:"):
        event_status({"id": "1", "status": "weird"})
    with pytest.raises(UnmappableOrder, match="^id:"):
        to_event({"status": "open"}, venue="binance", market_id="BTCUSD_PERP")


def test_event_ids_are_stable_per_update_and_differ_between_updates():
    order = {"id": "7", "clientOrderId": "c7", "status": "open", "filled": 0.0, "amount": 10.0, "price": 100.5, "timestamp": 1}
    same_state_later = dict(order, timestamp=999, lastUpdateTimestamp=999)
    filled_more = dict(order, filled=2.0)
    assert event_id("v", order, "acknowledged") == event_id("v", same_state_later, "acknowledged")
    assert event_id("v", order, "acknowledged") != event_id("v", filled_more, "partiallyFilled")
    assert event_id("v", order, "acknowledged") != event_id("w", order, "acknowledged")


def test_floats_become_exact_decimal_strings():
    event = to_event({"id": "1", "status": "open", "price": 0.1, "amount": 3.0, "filled": 0.0}, venue="v", market_id="X")
    assert (event["price"], event["quantity"], event["filledQuantity"]) == ("0.1", "3", "0")


# -- ccxt against venue-sim, feeding the daemon --------------------------------------------------------

KINDS = [
    # venue id, ccxt exchange, unified symbol, sim exchange, sim market, wire symbol, extra seed fields, one
    # fetch_open_orders call per params dict. Bitget: orders-pending without `status` may list only orders with
    # nothing filled (UNVERIFIED; venue-sim assumes it), so a feed polls both states, as ccxt_feed's docstring says.
    ("gate-futures", "gate", "BTC/USDT:USDT", "gate", "futures", "BTC_USDT", {"settle": "usdt"}, [{}]),
    ("gate-spot", "gate", "BTC/USDT", "gate", "spot", "BTC_USDT", {}, [{}]),
    ("htx", "htx", "BTC/USDT", "htx", "spot", "btcusdt", {}, [{"account-id": "100009"}]),
    ("bitget", "bitget", "BTC/USDT:USDT", "bitget", "futures", "BTCUSDT", {"productType": "USDT-FUTURES"},
     [{"status": "live"}, {"status": "partially_filled"}]),
    ("binance", "binance", "BTC/USD:BTC", "binance", "futures", "BTCUSD_PERP", {}, [{}]),
]


@pytest.mark.parametrize("venue, ccxt_id, symbol, sim_exchange, sim_market, wire, extra, polls", KINDS, ids=[k[0] for k in KINDS])
def test_ccxt_orders_reach_the_daemon_and_a_trip_cancels_them(env, sim, client, venue, ccxt_id, symbol, sim_exchange, sim_market, wire, extra, polls):
    exchange = exchanges(env["VENUE_SIM_URL"])[ccxt_id]
    feed = CcxtFeed(exchange, venue, client)
    ids = [str(900_000_000 + uuid.uuid4().int % 100_000_000) for _ in range(3)]
    sim.seed([dict({"exchange": sim_exchange, "market": sim_market, "symbol": wire, "id": order_id, "clientOrderId": "feed-%s" % order_id,
                    "side": "buy", "price": "100", "quantity": "4", "apiKey": "test-api-key"}, **extra) for order_id in ids])

    def ours():
        return [o for params in polls for o in exchange.fetch_open_orders(symbol, params=dict(params)) if o["id"] in ids]

    first = ours()
    assert sorted(o["id"] for o in first) == sorted(ids)
    answer = feed.report(first, per_event=True)
    assert answer["stored"] == 3 and answer["rejected"] == 0
    assert {r["orderStatus"] for r in answer["results"]} == {"acknowledged"}
    # The same poll again: the same events, stored once.
    assert feed.report(ours())["duplicates"] == 3

    # A partial fill shows up in the next poll as a new update.
    sim.admin("/_sim/orders/fill", {"exchange": sim_exchange, "id": ids[0], "quantity": "1"}, "POST")
    polled = ours()
    updated = feed.report(polled, per_event=True)
    by_id = {feed.event(o)["venueOrderId"]: r for o, r in zip(polled, updated["results"])}
    assert by_id[ids[0]]["result"] == "stored" and by_id[ids[0]]["orderStatus"] == "partiallyFilled"
    assert updated["stored"] == 1 and updated["duplicates"] == 2

    # The daemon knows them: a trip of this venue and symbol cancels all three, and ccxt sees nothing left.
    trip = client.trip("ccxt feed test", {"venue": venue, "symbol": wire})
    ended = wait_for_incident_end(client, trip["incident"])
    assert ended["state"] == "flat"
    assert ended["orders"]["total"] >= 3
    wait_until(lambda: not ours(), "ccxt lists none of the fed orders on %s" % venue)
    client.rearm("ccxt feed test done", incident=trip["incident"])
