"""killswitch_client against a real `killswitch run` (five venues on venue-sim), over its socket and TCP."""
import decimal
import os
import socket
import tempfile
import threading
import uuid

import pytest

from conftest import wait_for_incident_end, wait_until
from killswitch_client import (BadRequest, Conflict, EventsRejected, Forbidden, KillswitchClient, NotFound,
                               PayloadTooLarge, Timeout, Unauthorized, Unreachable)


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def event(**fields):
    base = {"eventId": unique("py"), "venue": "binance", "symbol": "BTCUSD_PERP", "venueOrderId": str(uuid.uuid4().int % 10**12),
            "status": "acknowledged", "side": "buy", "price": "64250.5", "quantity": "10"}
    base.update(fields)
    return base


def test_status_lists_the_five_venues(client):
    status = client.status()
    assert {v["venue"]: v["kind"] for v in status["venues"]} == {
        "gate-futures": "gate-futures", "gate-spot": "gate-spot", "htx": "htx-spot", "bitget": "bitget-mix", "binance": "binance-coinm"}
    assert isinstance(status["time"], int)


def test_events_are_stored_once(client):
    one = event()
    first = client.send_events([one], per_event=True)
    assert (first["stored"], first["duplicates"], first["rejected"]) == (1, 0, 0)
    assert first["results"][0]["orderStatus"] == "acknowledged"
    again = client.send_events(one, per_event=True)  # one dict is accepted too
    assert again["duplicates"] == 1
    assert again["results"][0]["orderId"] == first["results"][0]["orderId"]
    # The compact answer (the default) lists nothing when every event simply went through.
    assert client.send_events(one) == {"stored": 0, "duplicates": 1, "rejected": 0, "warnings": 0, "exceptions": []}


def test_a_rejected_event_names_its_field_and_the_good_one_is_stored(client):
    good, bad = event(), event(price="x")
    answer = client.send_events([good, bad])
    assert answer["stored"] == 1 and answer["rejected"] == 1
    assert answer["exceptions"] == [{"index": 1, "result": "rejected", "error": 'events[1].price: "x" is not a decimal number'}]
    with pytest.raises(EventsRejected) as raised:
        client.send_events([event(), event(status="sleeping")], strict=True)
    assert raised.value.field == "events[1].status"
    assert raised.value.results["stored"] == 1


def test_float_amounts_are_refused_before_sending(client):
    with pytest.raises(TypeError, match=r"events\[0\]\.price: amounts are decimal strings"):
        client.send_events([event(price=64250.5)])
    with pytest.raises(TypeError, match="equity: amounts are decimal strings"):
        client.pnl("binance", realized_today="0", unrealized="0", equity=1.5, currency="BTC")


def test_malformed_batch_is_a_bad_request(client):
    with pytest.raises(BadRequest) as raised:
        client._request("POST", "/v1/orders/events", 42)
    assert raised.value.status == 400
    assert raised.value.field == "body"


def test_heartbeat_says_whether_a_rule_watches(client):
    assert client.heartbeat("py-bot") == {"source": "py-bot", "watched": True}
    assert client.heartbeat("nobody-watches-me") == {"source": "nobody-watches-me", "watched": False}
    with pytest.raises(BadRequest) as raised:
        client.heartbeat("s" * 300)
    assert raised.value.field == "source"


def test_heartbeat_forever_beats_until_stopped(client):
    beater = client.heartbeat_forever("py-bot", every=0.05, on_error=lambda error: pytest.fail("beat failed: %s" % error))
    wait_until(lambda: beater.beats >= 3, "three heartbeats")
    beater.stop()
    assert not beater.running
    count = beater.beats
    assert beater.watched is True and beater.failures == 0
    # Stopped means stopped: no beat after stop() returned.
    assert beater.beats == count


def test_heartbeat_forever_reports_failures_and_keeps_going():
    missing = os.path.join(tempfile.mkdtemp(), "no-daemon.sock")
    errors = []
    beater = KillswitchClient(missing, timeout=1).heartbeat_forever("py-bot", every=0.02, on_error=errors.append)
    wait_until(lambda: len(errors) >= 3, "three reported failures")
    beater.stop()
    assert all(isinstance(error, Unreachable) for error in errors)
    assert errors[0].field == "socket" and missing in errors[0].reason


def test_pnl_is_recorded_and_bad_fields_are_named(client):
    assert client.pnl("binance", realized_today=decimal.Decimal("-1.5"), unrealized=0, equity="10", currency="BTC") == {"recorded": True}
    with pytest.raises(BadRequest) as raised:
        client.pnl("binance", realized_today="0", unrealized="0", equity="10", currency="BTC", time="yesterday")
    assert raised.value.field == "time"
    with pytest.raises(BadRequest) as raised:
        client.pnl("no-such-venue", realized_today="0", unrealized="0", equity="10", currency="BTC")
    assert raised.value.field == "venue"


def test_trip_blocks_the_gate_until_rearmed(client):
    assert client.gate("htx", None, "ethusdt")["allowed"] is True
    trip = client.trip("python client test", {"venue": "htx", "symbol": "ethusdt"}, actor="pytest")
    incident = trip["incident"]
    assert incident > 0 and trip["actor"]  # the caller's Unix user, never the note
    assert trip["actor"] != "pytest"
    blocked = client.gate("htx", "main", "ethusdt")
    assert blocked == {"allowed": False, "incident": incident, "reason": "python client test"}
    assert client.gate("htx", None, "btcusdt")["allowed"] is True
    wait_for_incident_end(client, incident)
    assert client.rearm("test done", incident=incident) == {"rearmed": [incident], "forced": False}
    assert client.gate("htx", None, "ethusdt")["allowed"] is True
    with pytest.raises(Conflict) as raised:
        client.rearm("again", incident=incident)
    assert raised.value.status == 409 and raised.value.field == "incident"


def test_unknown_incident_is_not_found(client):
    with pytest.raises(NotFound) as raised:
        client.retry(987654)
    assert raised.value.field == "incident"


def test_gate_refuses_an_unknown_venue(client):
    with pytest.raises(BadRequest) as raised:
        client.gate("nowhere", None, "BTCUSD_PERP")
    assert raised.value.field == "venue"
    assert "configured: binance, bitget, gate-futures, gate-spot, htx" in raised.value.reason


def test_tcp_needs_the_token(env, tcp_bot):
    assert tcp_bot.status()["venues"]
    wrong = KillswitchClient(url=env["KILLSWITCH_TCP_URL"], token="not-" + env["KILLSWITCH_TOKEN"], timeout=5)
    with pytest.raises(Unauthorized) as raised:
        wrong.status()
    assert raised.value.field == "Authorization"
    assert env["KILLSWITCH_TOKEN"] not in str(raised.value) and env["KILLSWITCH_TOKEN"] not in repr(wrong)


def test_tcp_bot_token_may_trip_but_not_rearm(tcp_bot, client):
    trip = tcp_bot.trip("bot says stop", {"venue": "bitget", "symbol": "ETHUSDT"})
    assert trip["actor"] == "tcp-bot"
    with pytest.raises(Forbidden) as raised:
        tcp_bot.rearm("bots may not", incident=trip["incident"])
    assert raised.value.field == "POST /v1/rearm"
    wait_for_incident_end(client, trip["incident"])
    client.rearm("cleanup", incident=trip["incident"])


def test_body_over_the_limit_is_payload_too_large(client):
    events = [event(eventId=unique("big-%d" % i)) for i in range(400)]  # well over max_body_bytes = 64 KiB
    with pytest.raises(PayloadTooLarge) as raised:
        client.send_events(events)
    assert raised.value.status == 413 and raised.value.field == "body"


def test_missing_socket_is_unreachable():
    with pytest.raises(Unreachable) as raised:
        KillswitchClient(os.path.join(tempfile.mkdtemp(), "absent.sock")).status()
    assert raised.value.field == "socket"


def test_a_daemon_that_never_answers_times_out():
    # A socket that accepts and then says nothing: the client must give up at its timeout, not hang.
    path = os.path.join(tempfile.mkdtemp(), "silent.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True)
    thread.start()
    try:
        with pytest.raises(Timeout) as raised:
            KillswitchClient(path, timeout=0.3).status()
        assert raised.value.field == "daemon"
    finally:
        thread.join(2)
        for connection, _ in accepted:
            connection.close()
        server.close()


def test_constructor_refuses_bad_settings():
    with pytest.raises(ValueError, match="^token:"):
        KillswitchClient(url="http://127.0.0.1:8787")
    with pytest.raises(ValueError, match="^url:"):
        KillswitchClient(url="https://example.org", token="t")
    with pytest.raises(ValueError, match="^timeout:"):
        KillswitchClient(timeout=0)


def test_the_served_openapi_document_is_the_repository_file(client):
    with open(os.environ["KILLSWITCH_OPENAPI"], encoding="utf-8") as handle:
        assert client.openapi() == handle.read()
