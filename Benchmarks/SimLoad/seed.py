#!/usr/bin/env python3
"""Seed N open Gate futures orders (ids FIRST..FIRST+N-1) into a running venue-sim over its admin API.

usage: seed.py BASE_URL [--orders N] [--first-id ID]
"""
import argparse
import json
import urllib.request


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--first-id", type=int, default=1_000_000)
    args = parser.parse_args()
    chunk = 10_000
    for start in range(0, args.orders, chunk):
        orders = [
            {"exchange": "gate", "market": "futures", "settle": "usdt", "symbol": "BTC_USDT",
             "id": str(args.first_id + i), "side": "buy", "price": "30000", "quantity": "1", "apiKey": "test-api-key"}
            for i in range(start, min(start + chunk, args.orders))
        ]
        request = urllib.request.Request(
            args.base_url + "/_sim/orders", data=json.dumps(orders).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request) as response:
            response.read()


if __name__ == "__main__":
    main()
