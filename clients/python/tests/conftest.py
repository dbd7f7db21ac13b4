"""Shared fixtures: the running daemon and venue-sim that .ci/python-tests.sh starts.

The daemon tests need KILLSWITCH_SOCKET, KILLSWITCH_TCP_URL, KILLSWITCH_TOKEN, KILLSWITCH_OPERATOR_TOKEN and
VENUE_SIM_URL. Without them they are skipped, unless KILLSWITCH_REQUIRE_DAEMON=1 (CI), where a missing daemon
is a failure: CI must never pass because nothing ran.
"""
import json
import os
import sys
import time
import urllib.request

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from killswitch_client import KillswitchClient  # noqa: E402

_NEEDED = ("KILLSWITCH_SOCKET", "KILLSWITCH_TCP_URL", "KILLSWITCH_TOKEN", "KILLSWITCH_OPERATOR_TOKEN", "VENUE_SIM_URL")


def _environment():
    missing = [name for name in _NEEDED if not os.environ.get(name)]
    if missing:
        message = "needs a running daemon and venue-sim (run .ci/python-tests.sh); unset: %s" % ", ".join(missing)
        if os.environ.get("KILLSWITCH_REQUIRE_DAEMON") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return {name: os.environ[name] for name in _NEEDED}


@pytest.fixture(scope="session")
def env():
    return _environment()


@pytest.fixture
def client(env):
    return KillswitchClient(env["KILLSWITCH_SOCKET"], timeout=10)


@pytest.fixture
def tcp_bot(env):
    return KillswitchClient(url=env["KILLSWITCH_TCP_URL"], token=env["KILLSWITCH_TOKEN"], timeout=10)


class Sim:
    """venue-sim's admin API (/_sim/...)."""

    def __init__(self, url):
        self.url = url

    def admin(self, path, data=None, method="GET"):
        body = json.dumps(data).encode() if data is not None else None
        request = urllib.request.Request(self.url + path, data=body, method=method, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read() or b"null")

    def seed(self, orders):
        return self.admin("/_sim/orders", orders, "POST")

    def open_orders(self, exchange, market):
        return self.admin("/_sim/orders?exchange=%s&market=%s&status=open" % (exchange, market))


@pytest.fixture(scope="session")
def sim(env):
    return Sim(env["VENUE_SIM_URL"])


def wait_until(predicate, what, timeout=30.0, every=0.05):
    """Polls a cross-process condition with a deadline; fails naming what never happened."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail("within %.0f s: %s" % (timeout, what))
        time.sleep(every)


def wait_for_incident_end(client, incident, timeout=30.0):
    def ended():
        for item in client.status()["incidents"]:
            if item["id"] == incident and item["state"] != "running":
                return item
        return None
    return wait_until(ended, "incident %d ends" % incident, timeout)
