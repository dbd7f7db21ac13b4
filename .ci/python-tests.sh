#!/usr/bin/env bash
# CI for the Python side: the client and the ccxt feed example against a real venue-sim and a real
# `killswitch run`, then schemathesis against the running daemon's own OpenAPI document.
#
# Installs what it needs with pip into .build/ci-python (a venv, kept between runs), builds the two debug
# binaries (already built when `swift test` ran first), starts both servers on free loopback ports and a
# socket in a temporary folder, and stops them on every exit. Prints pytest's closing line.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
export PATH="/opt/swift/usr/bin:$PATH"

started=$(date +%s)
work=$(mktemp -d /tmp/ks-python-ci.XXXXXX)
pids=()
cleanup() {
    local status=$?
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ "$status" -ne 0 ]; then
        echo "python-tests: failed; the servers' logs:" >&2
        for log in "$work"/*.log; do [ -f "$log" ] && { echo "--- $log" >&2; tail -n 60 "$log" >&2; }; done
    fi
    rm -rf "$work"
    echo "python-tests: $(( $(date +%s) - started )) s"
    exit "$status"
}
trap cleanup EXIT

# Python packages, pinned to what was tested: ccxt 4.5.90 is the version docs/venues.md was verified against.
venv="$root/.build/ci-python"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "ccxt==4.5.90" "pytest==9.2.0" "schemathesis==4.32.5"
python="$venv/bin/python"

swift build --product killswitch >/dev/null
swift build --product venue-sim >/dev/null
bin="$(swift build --show-bin-path)"

free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
sim_port=$(free_port)
tcp_port=$(free_port)
sim_url="http://127.0.0.1:$sim_port"

# venue-sim with the demo accounts plus a read-only key per exchange (venue check and the armed check's tests).
cat >"$work/accounts.json" <<EOF
[
  {"exchange": "gate", "apiKey": "test-api-key", "secret": "test-api-secret", "uid": "10001"},
  {"exchange": "htx", "apiKey": "test-api-key", "secret": "test-api-secret", "uid": "10001", "accountId": "100009"},
  {"exchange": "bitget", "apiKey": "test-api-key", "secret": "test-api-secret", "passphrase": "test-passphrase", "uid": "10001"},
  {"exchange": "binance", "apiKey": "test-api-key", "secret": "test-api-secret", "uid": "10001"}
]
EOF
"$bin/venue-sim" --port "$sim_port" --accounts "$work/accounts.json" >"$work/venue-sim.log" 2>&1 &
pids+=($!)

token="bot-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
operator_token="op-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export KILLSWITCH_CI_BOT_TOKEN="$token" KILLSWITCH_CI_OPERATOR_TOKEN="$operator_token"
group=$(id -gn)
cat >"$work/killswitch.toml" <<EOF
database = "$work/killswitch.db"
socket = "$work/control.sock"
secrets_file = "secrets.toml"

[engine]
incident_deadline = "30s"
retry_initial = "50ms"
retry_max = "1s"
safety_margin = 0
escalate_after = 3

[control]
socket_group = "$group"
tcp_port = $tcp_port
token_env = "KILLSWITCH_CI_BOT_TOKEN"
operator_token_env = "KILLSWITCH_CI_OPERATOR_TOKEN"
max_body_bytes = 65536

[[rules]]
id = "py-bot-alive"
type = "heartbeat"
source = "py-bot"
timeout = "1h"
grace = "1h"
scope = { venue = "gate-spot" }

[[venues]]
id = "gate-futures"
kind = "gate-futures"
base_url = "$sim_url"
settle = "usdt"

[[venues]]
id = "gate-spot"
kind = "gate-spot"
base_url = "$sim_url"
gate_account = "spot"

[[venues]]
id = "htx"
kind = "htx-spot"
base_url = "$sim_url"
account_id = "100009"

[[venues]]
id = "bitget"
kind = "bitget-mix"
base_url = "$sim_url"
product_type = "USDT-FUTURES"
margin_coin = "USDT"

[[venues]]
id = "binance"
kind = "binance-coinm"
base_url = "$sim_url"
EOF
(
    umask 077
    {
        for id in gate-futures gate-spot htx binance; do
            printf '[%s]\nkey = "test-api-key"\nsecret = "test-api-secret"\n\n' "$id"
        done
        printf '[bitget]\nkey = "test-api-key"\nsecret = "test-api-secret"\npassphrase = "test-passphrase"\n'
    } >"$work/secrets.toml"
)

# Wait for venue-sim before the daemon's first clock sync (a bounded wait on a real answer, not a sleep).
"$python" - "$sim_url" <<'EOF'
import sys, time, urllib.request
deadline = time.monotonic() + 60
while True:
    try:
        urllib.request.urlopen(sys.argv[1] + "/_sim/clock", timeout=2).read()
        break
    except OSError as error:
        if time.monotonic() > deadline:
            sys.exit("venue-sim did not answer within 60 s: %s" % error)
        time.sleep(0.1)
EOF

"$bin/killswitch" run --config "$work/killswitch.toml" >"$work/killswitch.log" 2>&1 &
pids+=($!)
"$python" - "$tcp_port" "$token" <<'EOF'
import sys, time, urllib.request
deadline = time.monotonic() + 60
request = urllib.request.Request("http://127.0.0.1:%s/v1/status" % sys.argv[1], headers={"Authorization": "Bearer " + sys.argv[2]})
while True:
    try:
        urllib.request.urlopen(request, timeout=2).read()
        break
    except OSError as error:
        if time.monotonic() > deadline:
            sys.exit("killswitch did not answer within 60 s: %s" % error)
        time.sleep(0.1)
EOF

export KILLSWITCH_SOCKET="$work/control.sock"
export KILLSWITCH_TCP_URL="http://127.0.0.1:$tcp_port"
export KILLSWITCH_TOKEN="$token" KILLSWITCH_OPERATOR_TOKEN="$operator_token"
export VENUE_SIM_URL="$sim_url"
export KILLSWITCH_REQUIRE_DAEMON=1
export KILLSWITCH_OPENAPI="$root/docs/control-api.yaml"
export PYTHONDONTWRITEBYTECODE=1

echo "python-tests: pytest (client and ccxt feed against killswitch run + venue-sim)"
"$python" -m pytest -q -p no:cacheprovider clients/python/tests

echo "python-tests: schemathesis against GET /v1/openapi.yaml of the running daemon"
# Run from the temporary folder: schemathesis keeps a crash cache in ./.schemathesis, which must not land in the tree.
cd "$work"
SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH="$root/clients/python/tests" \
    "$venv/bin/schemathesis" run "http://127.0.0.1:$tcp_port/v1/openapi.yaml" \
    --url "http://127.0.0.1:$tcp_port" \
    --header "Authorization: Bearer $operator_token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,error_names_a_field \
    --max-examples 40 --seed 17 --workers 1 --generation-database none
