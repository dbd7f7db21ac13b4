"""A client for the killswitch daemon's control API, standard library only (Python 3.8+).

    from killswitch_client import KillswitchClient

    ks = KillswitchClient()                                   # the Unix socket ($KILLSWITCH_SOCKET or the default)
    ks.send_events([{"eventId": "bot7-1", "venue": "binance-main", "symbol": "BTCUSD_PERP",
                     "venueOrderId": "283194212", "status": "acknowledged", "side": "buy",
                     "price": "64250.5", "quantity": "10"}])
    beat = ks.heartbeat_forever("bot7", every=1.0)           # a daemon thread; beat.stop() ends it
    if not ks.gate("binance-main", None, "BTCUSD_PERP")["allowed"]:
        ...                                                   # a latched trip covers it: place nothing

Over loopback TCP instead: ``KillswitchClient(url="http://127.0.0.1:8787", token=os.environ["KILLSWITCH_TOKEN"])``.

Every refusal raises a ``KillswitchError`` subclass chosen by HTTP status (``BadRequest`` 400, ``Unauthorized`` 401,
``Forbidden`` 403, ``NotFound`` 404, ``Conflict`` 409, ``PayloadTooLarge`` 413, ``ServerError`` 5xx) carrying the
daemon's message ``field: reason`` split into ``.field`` and ``.reason``. A daemon that cannot be reached raises
``Unreachable``; one that does not answer within ``timeout`` seconds raises ``Timeout``. Amounts are decimal
strings: pass ``str``, ``int`` or ``decimal.Decimal``, never ``float`` (refused with ``TypeError``).

The API itself is documented in docs/control-api.yaml (also served by the daemon at GET /v1/openapi.yaml).
"""

from __future__ import annotations

import datetime as _datetime
import decimal as _decimal
import http.client as _http
import json as _json
import logging as _logging
import os as _os
import socket as _socket
import threading as _threading
import urllib.parse as _urlparse
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Union

__all__ = [
    "KillswitchClient", "Heartbeater", "KillswitchError", "BadRequest", "Unauthorized", "Forbidden", "NotFound",
    "Conflict", "PayloadTooLarge", "ServerError", "Unreachable", "Timeout", "EventsRejected", "DEFAULT_SOCKET",
]

DEFAULT_SOCKET = "/run/killswitch/control.sock"

_log = _logging.getLogger("killswitch_client")

Amount = Union[str, int, _decimal.Decimal]


class KillswitchError(Exception):
    """The daemon refused a request (or could not be asked). ``field`` and ``reason`` split the daemon's
    ``field: reason`` message; ``status`` is the HTTP status (None when no answer came)."""

    def __init__(self, message: str, status: Optional[int] = None):
        super().__init__(message)
        self.message = message
        self.status = status
        field, sep, reason = message.partition(": ")
        self.field = field if sep else None
        self.reason = reason if sep else message


class BadRequest(KillswitchError):
    """400: malformed JSON, or a missing, mistyped, empty or unknown field (named in ``field``)."""


class Unauthorized(KillswitchError):
    """401: TCP without the right bearer token."""


class Forbidden(KillswitchError):
    """403: this caller's role may not use the route (the message names the group or token that would)."""


class NotFound(KillswitchError):
    """404: no such incident, no latched incident with that scope, or no such route."""


class Conflict(KillswitchError):
    """409: refused in the incident's current state (the rule still holds, it still runs, it was re-armed)."""


class PayloadTooLarge(KillswitchError):
    """413: the body is larger than the daemon's ``[control] max_body_bytes``."""


class ServerError(KillswitchError):
    """5xx: the daemon failed (a bug: please report it with the message)."""


class Unreachable(KillswitchError):
    """No daemon answered: the socket is missing, nobody listens on it, or permission to connect was denied."""


class Timeout(KillswitchError):
    """The daemon did not answer within the client's timeout."""


class EventsRejected(KillswitchError):
    """``send_events(..., strict=True)``: some events were rejected (the good ones were stored). ``results`` is
    the daemon's whole answer; ``errors`` its ``events[i].field: reason`` messages."""

    def __init__(self, results: Dict[str, Any]):
        self.results = results
        # The compact answer lists the rejected events under "exceptions"; the per-event one under "results".
        listed = results.get("exceptions", results.get("results", []))
        self.errors = [r["error"] for r in listed if r.get("result") == "rejected"]
        super().__init__(self.errors[0] if len(self.errors) == 1 else "%d events rejected: %s" % (len(self.errors), "; ".join(self.errors)), 200)


_BY_STATUS = {400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict, 413: PayloadTooLarge}


class _UnixHTTPConnection(_http.HTTPConnection):
    """HTTP/1.1 over a Unix stream socket: the daemon's control socket."""

    def __init__(self, path: str, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


class KillswitchClient:
    """One daemon, over its Unix socket (default) or loopback TCP with a bearer token.

    ``socket_path``: defaults to ``$KILLSWITCH_SOCKET``, else ``/run/killswitch/control.sock``.
    ``url``: ``http://127.0.0.1:PORT`` for the TCP listener (``[control] tcp_port``); needs ``token``.
    ``timeout``: seconds for connecting and for the answer, per request.

    Each request opens its own connection, so one client may be shared between threads.
    """

    def __init__(self, socket_path: Optional[str] = None, *, url: Optional[str] = None, token: Optional[str] = None,
                 timeout: float = 5.0):
        if timeout is None or timeout <= 0:
            raise ValueError("timeout: must be a positive number of seconds")
        self.timeout = float(timeout)
        self.token = token
        if url is not None:
            if socket_path is not None:
                raise ValueError("url: give a socket path or a url, not both")
            parsed = _urlparse.urlsplit(url)
            if parsed.scheme != "http" or not parsed.hostname:
                raise ValueError("url: expected http://127.0.0.1:PORT (the daemon listens on loopback TCP only), got %r" % url)
            if not token:
                raise ValueError("token: the TCP listener requires a bearer token")
            self._host, self._port = parsed.hostname, parsed.port or 80
            self.socket_path = None
        else:
            self.socket_path = socket_path or _os.environ.get("KILLSWITCH_SOCKET") or DEFAULT_SOCKET
            self._host, self._port = None, None

    def __repr__(self) -> str:
        where = self.socket_path if self.socket_path else "http://%s:%d" % (self._host, self._port)
        return "KillswitchClient(%s)" % where  # never the token

    # -- the routes -----------------------------------------------------------------------------------

    def send_events(self, events: Union[Mapping[str, Any], Iterable[Mapping[str, Any]]], *, strict: bool = False,
                    per_event: bool = False) -> Dict[str, Any]:
        """``POST /v1/orders/events``: one event (a dict) or many (an iterable of dicts), in one transaction.

        Returns the daemon's answer: ``{"stored", "duplicates", "rejected", "warnings", "exceptions": [{index,
        result, orderId?, orderStatus?, error?, warning?}]}`` — only the rejected events and those accepted with a
        warning — or, with ``per_event=True``, every event's result under ``"results"`` instead of
        ``"exceptions"``. A rejected event does not fail the others; with ``strict=True`` any rejection raises
        ``EventsRejected`` (after the good events were stored)."""
        if isinstance(events, Mapping):
            batch: List[Mapping[str, Any]] = [events]
        else:
            batch = list(events)
        if not batch:
            raise ValueError("events: give at least one event")
        for index, event in enumerate(batch):
            if not isinstance(event, Mapping):
                raise TypeError("events[%d]: expected a dict, got %s" % (index, type(event).__name__))
            for field in ("price", "quantity", "filledQuantity"):
                if isinstance(event.get(field), float):
                    raise TypeError("events[%d].%s: amounts are decimal strings, not floats (got %r)" % (index, field, event[field]))
        answer = self._request("POST", "/v1/orders/events?results=all" if per_event else "/v1/orders/events", batch)
        if strict and answer.get("rejected"):
            raise EventsRejected(answer)
        return answer

    def heartbeat(self, source: str) -> Dict[str, Any]:
        """``POST /v1/heartbeats/{source}`` → ``{"source", "watched"}`` (``watched`` false: no rule watches it)."""
        if not source:
            raise ValueError("source: must not be empty")
        return self._request("POST", "/v1/heartbeats/" + _urlparse.quote(source, safe=""), None)

    def pnl(self, venue: str, *, realized_today: Amount, unrealized: Amount, equity: Amount, currency: str,
            time: Optional[Union[str, _datetime.datetime]] = None) -> Dict[str, Any]:
        """``POST /v1/pnl``: one mark for the loss-limit and drawdown rules. ``time`` defaults to now (UTC)."""
        body = {
            "venue": venue,
            "time": _rfc3339(time),
            "currency": currency,
            "realizedToday": _amount("realized_today", realized_today),
            "unrealized": _amount("unrealized", unrealized),
            "equity": _amount("equity", equity),
        }
        return self._request("POST", "/v1/pnl", body)

    def gate(self, venue: str, account: Optional[str], symbol: str) -> Dict[str, Any]:
        """``GET /v1/gate`` → ``{"allowed", "incident"?, "reason"?}``. ``account`` None means the venue's own."""
        query = {"venue": venue, "symbol": symbol}
        if account:
            query["account"] = account
        return self._request("GET", "/v1/gate?" + _urlparse.urlencode(query), None)

    def trip(self, reason: str, scope: Optional[Mapping[str, str]] = None, *, actor: Optional[str] = None) -> Dict[str, Any]:
        """``POST /v1/trip`` → ``{"incident", "actor", "warning"?}``. ``scope`` is ``{venue?, account?, symbol?}``;
        None trips everything. ``actor`` is a note kept beside your identity, never instead of it."""
        body: Dict[str, Any] = {"reason": reason}
        if scope is not None:
            body["scope"] = dict(scope)
        if actor is not None:
            body["actor"] = actor
        return self._request("POST", "/v1/trip", body)

    def rearm(self, reason: str, *, incident: Optional[int] = None, scope: Optional[Mapping[str, str]] = None,
              force: bool = False, operator: Optional[str] = None) -> Dict[str, Any]:
        """``POST /v1/rearm`` (operators only) → ``{"rearmed": [ids], "forced"}``; ``Conflict`` while the rule holds."""
        body: Dict[str, Any] = {"reason": reason}
        if incident is not None:
            body["incident"] = incident
        if scope is not None:
            body["scope"] = dict(scope)
        if force:
            body["force"] = True
        if operator is not None:
            body["operator"] = operator
        return self._request("POST", "/v1/rearm", body)

    def retry(self, incident: int) -> Dict[str, Any]:
        """``POST /v1/incidents/{id}/retry`` (operators only) → ``{"incident", "state"}``."""
        return self._request("POST", "/v1/incidents/%d/retry" % int(incident), None)

    def status(self) -> Dict[str, Any]:
        """``GET /v1/status`` → ``{"armed", "tripped", "incidents", "rules", "venues", "time"}``."""
        return self._request("GET", "/v1/status", None)

    def openapi(self) -> str:
        """``GET /v1/openapi.yaml``: the API's OpenAPI document, as the daemon was built with it."""
        return self._request("GET", "/v1/openapi.yaml", None, raw=True)

    def heartbeat_forever(self, source: str, every: float, *, on_error: Optional[Callable[[BaseException], None]] = None) -> "Heartbeater":
        """Heartbeats ``source`` now and then every ``every`` seconds in a daemon thread until ``.stop()``.

        A failed beat is passed to ``on_error`` (default: logged as a warning) and the loop goes on: a daemon
        restart must not end a bot's heartbeats. The interval is kept from each beat's start, so a slow answer
        does not push later beats back."""
        if not every or every <= 0:
            raise ValueError("every: must be a positive number of seconds")
        if not source:
            raise ValueError("source: must not be empty")
        beater = Heartbeater(self, source, float(every), on_error)
        beater.start()
        return beater

    # -- transport ------------------------------------------------------------------------------------

    def _connection(self) -> _http.HTTPConnection:
        if self.socket_path:
            return _UnixHTTPConnection(self.socket_path, self.timeout)
        return _http.HTTPConnection(self._host, self._port, timeout=self.timeout)

    def _request(self, method: str, path: str, body: Any, raw: bool = False) -> Any:
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = _json.dumps(body, separators=(",", ":"), default=_json_default).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        where = self.socket_path or "%s:%d" % (self._host, self._port)
        connection = self._connection()
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            status = response.status
        except _socket.timeout:
            raise Timeout("daemon: no answer within %.3g s (%s %s at %s)" % (self.timeout, method, path.split("?")[0], where)) from None
        except FileNotFoundError:
            raise Unreachable("socket: %s does not exist (is the daemon running? KILLSWITCH_SOCKET sets the path)" % where) from None
        except PermissionError:
            raise Unreachable("socket: permission denied on %s (the caller must be in the daemon's [control] socket_group)" % where) from None
        except ConnectionRefusedError:
            raise Unreachable("daemon: connection refused at %s (no daemon is running there)" % where) from None
        except (ConnectionError, OSError, _http.HTTPException) as error:
            raise Unreachable("daemon: %s %s at %s failed: %s" % (method, path.split("?")[0], where, error)) from None
        finally:
            connection.close()
        if 200 <= status < 300:
            if raw:
                return payload.decode("utf-8")
            try:
                return _json.loads(payload.decode("utf-8"))
            except ValueError:
                raise ServerError("answer: not JSON (HTTP %d): %r" % (status, payload[:200]), status) from None
        message = _error_message(payload) or "HTTP %d" % status
        if status >= 500:
            raise ServerError(message, status)
        raise _BY_STATUS.get(status, KillswitchError)(message, status)


class Heartbeater:
    """The thread behind ``heartbeat_forever``. ``beats`` and ``failures`` count attempts; ``last_error`` keeps
    the latest failure. ``stop()`` ends it (waiting up to ``timeout`` seconds for a beat in flight)."""

    def __init__(self, client: KillswitchClient, source: str, every: float, on_error: Optional[Callable[[BaseException], None]]):
        self.client = client
        self.source = source
        self.every = every
        self.on_error = on_error
        self.beats = 0
        self.failures = 0
        self.last_error: Optional[BaseException] = None
        self.watched: Optional[bool] = None
        self._stop = _threading.Event()
        self._thread = _threading.Thread(target=self._run, name="killswitch-heartbeat-%s" % source, daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: Optional[float] = None) -> None:
        self._stop.set()
        self._thread.join(self.client.timeout + 1 if timeout is None else timeout)

    def __enter__(self) -> "Heartbeater":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _run(self) -> None:
        import time
        next_at = time.monotonic()
        while not self._stop.is_set():
            try:
                answer = self.client.heartbeat(self.source)
                self.watched = bool(answer.get("watched"))
                self.beats += 1
            except Exception as error:  # every failure is reported and the loop goes on
                self.failures += 1
                self.last_error = error
                if self.on_error is not None:
                    try:
                        self.on_error(error)
                    except Exception:
                        _log.exception("heartbeat on_error callback failed")
                else:
                    _log.warning("heartbeat %s failed: %s", self.source, error)
            next_at += self.every
            delay = next_at - time.monotonic()
            if delay < 0:  # fell behind (a slow answer): beat again now rather than in a burst
                next_at = time.monotonic()
                delay = 0
            self._stop.wait(delay)


def _error_message(payload: bytes) -> Optional[str]:
    try:
        value = _json.loads(payload.decode("utf-8"))
    except ValueError:
        return payload.decode("utf-8", "replace").strip() or None
    if isinstance(value, dict) and isinstance(value.get("error"), str):
        return value["error"]
    return None


def _amount(field: str, value: Amount) -> str:
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError("%s: amounts are decimal strings, not %s (got %r); pass str or decimal.Decimal" % (field, type(value).__name__, value))
    if isinstance(value, _decimal.Decimal):
        if not value.is_finite():
            raise ValueError("%s: %r is not a finite number" % (field, value))
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    raise TypeError("%s: expected str, int or decimal.Decimal, got %s" % (field, type(value).__name__))


def _rfc3339(time: Optional[Union[str, _datetime.datetime]]) -> str:
    if time is None:
        time = _datetime.datetime.now(_datetime.timezone.utc)
    if isinstance(time, str):
        return time
    if time.tzinfo is None:
        raise ValueError("time: a naive datetime is ambiguous; give one with a timezone (e.g. datetime.timezone.utc)")
    utc = time.astimezone(_datetime.timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (utc.microsecond // 1000)


def _json_default(value: Any) -> Any:
    if isinstance(value, _decimal.Decimal):
        return format(value, "f")
    raise TypeError("%s is not JSON serializable" % type(value).__name__)
