#!/usr/bin/env python3
"""Real-client smoke check: ccxt 4.5.90 against a running venue-sim (markets preset, API URLs and the HTX
hostname pointed at the simulator). usage: pip install ccxt==4.5.90; ccxt_smoke.py http://127.0.0.1:PORT
Exercises fetchTime, fetchOpenOrders, cancelOrders, cancelAllOrders on Gate (futures+spot), Binance COIN-M, HTX
(+ cancelAllOrdersAfter) and Bitget (classic, uta=false), then prints the simulator request log."""
import json, sys, urllib.request, ccxt
base = sys.argv[1]
def admin(path, data=None, method="GET"):
    req = urllib.request.Request(base + path, data=json.dumps(data).encode() if data is not None else None, method=method)
    return json.loads(urllib.request.urlopen(req).read() or b"null")
def repoint(obj, old, new):
    if isinstance(obj, dict): return {k: repoint(v, old, new) for k, v in obj.items()}
    if isinstance(obj, str): return obj.replace(old, new)
    return obj
def market(id, symbol, base_, quote, settle, type_, linear=True, inverse=False, settleId=None):
    return {'id': id, 'symbol': symbol, 'base': base_, 'quote': quote, 'settle': settle, 'baseId': base_, 'quoteId': quote,
            'settleId': settleId or (settle.lower() if settle else None), 'type': type_, 'spot': type_ == 'spot', 'margin': False,
            'swap': type_ == 'swap', 'future': False, 'option': False, 'active': True, 'contract': type_ != 'spot',
            'linear': linear if type_ != 'spot' else None, 'inverse': inverse if type_ != 'spot' else None,
            'contractSize': 1 if type_ != 'spot' else None, 'precision': {'amount': 1, 'price': 0.1},
            'limits': {'amount': {'min': None, 'max': None}, 'price': {'min': None, 'max': None}, 'cost': {'min': None, 'max': None}, 'leverage': {'min': None, 'max': None}}, 'info': {}}
seed = lambda ex, mk, sym, ids, **kw: admin("/_sim/orders", [dict({"exchange": ex, "market": mk, "symbol": sym, "id": i, "side": "buy", "price": "100", "quantity": "1", "apiKey": "test-api-key"}, **kw) for i in ids], "POST")
creds = {'apiKey': 'test-api-key', 'secret': 'test-api-secret', 'password': 'test-passphrase'}

gate = ccxt.gate(creds)
gate.urls['api'] = repoint(gate.urls['api'], 'https://api.gateio.ws', base)
gate.urls['api'] = repoint(gate.urls['api'], 'https://fx-api.gateio.ws', base)
gate.set_markets([market('BTC_USDT', 'BTC/USDT:USDT', 'BTC', 'USDT', 'USDT', 'swap'), market('BTC_USDT', 'BTC/USDT', 'BTC', 'USDT', None, 'spot')])
seed("gate", "futures", "BTC_USDT", ["11", "12", "13"], settle="usdt")
seed("gate", "spot", "BTC_USDT", ["21", "22", "23"])
print("gate fetchTime", gate.fetch_time())
print("gate futures open", [o['id'] for o in gate.fetch_open_orders('BTC/USDT:USDT')])
print("gate futures cancelOrders", [(o.get('id'), o.get('status'), (o.get('info') or {}).get('message')) for o in gate.cancel_orders(['11', '99'], 'BTC/USDT:USDT')])
print("gate futures cancelAll", len(gate.cancel_all_orders('BTC/USDT:USDT')))
print("gate spot open", [o['id'] for o in gate.fetch_open_orders('BTC/USDT')])
print("gate spot cancelOrders", [(o.get('id'), (o.get('info') or {}).get('succeeded')) for o in gate.cancel_orders(['21', '99'], 'BTC/USDT')])
print("gate spot cancelAll", len(gate.cancel_all_orders('BTC/USDT')))

binance = ccxt.binance(creds)
binance.urls['api'] = repoint(binance.urls['api'], 'https://dapi.binance.com', base)
binance.set_markets([market('BTCUSD_PERP', 'BTC/USD:BTC', 'BTC', 'USD', 'BTC', 'swap', linear=False, inverse=True)])
binance.options['adjustForTimeDifference'] = False
seed("binance", "futures", "BTCUSD_PERP", ["31", "32", "33"])
print("binance fetchTime", binance.fetch_time({'type': 'delivery'}) if False else binance.dapiPublicGetTime())
print("binance open", [o['id'] for o in binance.fetch_open_orders('BTC/USD:BTC')])
print("binance cancelOrders", [(o.get('id'), o.get('status')) for o in binance.cancel_orders(['31', '99'], 'BTC/USD:BTC')])
print("binance cancelAll", binance.cancel_all_orders('BTC/USD:BTC'))

htx = ccxt.htx(creds)
host = base.replace('http://', '')
htx.urls['hostnames'] = {'contract': host, 'spot': host, 'status': host}
htx.urls['api'] = repoint(repoint(htx.urls['api'], 'https://', 'http://'), 'api.huobi.pro', host)
htx.options['defaultType'] = 'spot'
htx.hostname = host
htx.set_markets([market('btcusdt', 'BTC/USDT', 'BTC', 'USDT', None, 'spot')])
htx.options['accountsById'] = {'100009': {'id': '100009', 'type': 'spot', 'code': None}}
htx.accounts = [{'id': '100009', 'type': 'spot', 'code': None, 'info': {}}]
seed("htx", "spot", "btcusdt", ["41", "42", "43"])
print("htx fetchTime", htx.fetch_time())
print("htx open", [o['id'] for o in htx.fetch_open_orders('BTC/USDT', params={'account-id': '100009'})])
print("htx cancelOrders", htx.cancel_orders(['41', '99'], 'BTC/USDT'))
print("htx cancelAll", htx.cancel_all_orders('BTC/USDT'))
print("htx cancelAllAfter", htx.cancel_all_orders_after(30000))

bitget = ccxt.bitget(creds)
bitget.urls['api'] = repoint(repoint(bitget.urls['api'], 'https://api.bitget.com', base), 'https://api.{hostname}', base)
bitget.options['uta'] = False
bitget.set_markets([market('BTCUSDT', 'BTC/USDT:USDT', 'BTC', 'USDT', 'USDT', 'swap')])
seed("bitget", "futures", "BTCUSDT", ["51", "52", "53"])
print("bitget fetchTime", bitget.fetch_time())
print("bitget open", [o['id'] for o in bitget.fetch_open_orders('BTC/USDT:USDT')])
print("bitget cancelOrders", [(o.get('id'), o.get('status')) for o in bitget.cancel_orders(['51', '99'], 'BTC/USDT:USDT')])
print("bitget cancelAll", bitget.cancel_all_orders('BTC/USDT:USDT'))
print("log", [(e['exchange'], e['method'], e['path'], e['status'], e['verdict']) for e in admin("/_sim/requests?since=0")])
