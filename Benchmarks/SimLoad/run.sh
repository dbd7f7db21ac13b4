#!/usr/bin/env bash
# venue-sim throughput: pre-signed Gate futures batch cancels (20 ids each) replayed by wrk over keep-alive
# connections against a release venue-sim with limits and latency off. Loopback only; bounded in time.
#
# usage: Benchmarks/SimLoad/run.sh [DURATION_S=10] [CONNECTIONS=32] [THREADS=1]
# needs: wrk (apt-get install wrk), python3
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${1:-10}"
connections="${2:-32}"
threads="${3:-1}"
work="$(mktemp -d)"
trap 'kill "$sim_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

swift build -c release --product venue-sim >&2
"$(swift build -c release --show-bin-path)/venue-sim" --port 0 --no-rate-limits --seed 1 > "$work/sim.out" &
sim_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/sim.out" ] && break
  sleep 0.1
done
url="$(head -n1 "$work/sim.out" | sed -n 's/^venue-sim listening on //p')"
[ -n "$url" ] || { echo "venue-sim did not start" >&2; exit 1; }

python3 Benchmarks/SimLoad/seed.py "$url" --orders 100000
python3 Benchmarks/SimLoad/presign.py "$work/batch_cancel.lua" --requests 5000 --ids-per-request 20
echo "wrk -t$threads -c$connections -d${duration}s --latency -s batch_cancel.lua $url" >&2
wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s "$work/batch_cancel.lua" "$url"
