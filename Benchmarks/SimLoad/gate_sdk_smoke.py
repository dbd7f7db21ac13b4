#!/usr/bin/env python3
"""Real-client smoke check: the official gate-api SDK (7.2.161) against a running venue-sim.
usage: pip install gate-api==7.2.161; gate_sdk_smoke.py http://127.0.0.1:PORT"""
import sys, json, urllib.request, gate_api
base = sys.argv[1]
def admin(path, data=None, method="GET"):
    req = urllib.request.Request(base + path, data=json.dumps(data).encode() if data is not None else None, method=method)
    return json.loads(urllib.request.urlopen(req).read() or b"null")
admin("/_sim/orders", [{"exchange": "gate", "market": m, "settle": "usdt" if m == "futures" else None, "symbol": "BTC_USDT", "id": i, "side": "buy", "price": "1", "quantity": "1", "apiKey": "test-api-key"} for m, i in [("futures", "1"), ("futures", "2"), ("spot", "3"), ("spot", "4")]], "POST")
client = gate_api.ApiClient(gate_api.Configuration(host=base + "/api/v4", key="test-api-key", secret="test-api-secret"))
futures, spot = gate_api.FuturesApi(client), gate_api.SpotApi(client)
print("futures open", [o.id for o in futures.list_futures_orders("usdt", "open")])
print("futures batch", [(r.id, r.succeeded, r.message) for r in futures.cancel_batch_future_orders("usdt", ["1", "9"])])
print("futures cancel all", [o.id for o in futures.cancel_futures_orders("usdt", contract="BTC_USDT")])
print("countdown", futures.countdown_cancel_all_futures("usdt", gate_api.CountdownCancelAllFuturesTask(timeout=10)))
print("spot open", [(p.currency_pair, p.total) for p in spot.list_all_open_orders()])
print("spot batch", [(r.id, r.succeeded, r.label) for r in spot.cancel_batch_orders([gate_api.CancelBatchOrder(currency_pair="BTC_USDT", id="3"), gate_api.CancelBatchOrder(currency_pair="BTC_USDT", id="9")])])
print("spot cancel all", [o.id for o in spot.cancel_orders(currency_pair="BTC_USDT")])
print("time", spot.get_system_time())
print([(e['path'], e['status'], e['verdict']) for e in admin("/_sim/requests?since=0")])
