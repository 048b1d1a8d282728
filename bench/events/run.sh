#!/usr/bin/env bash
# Events benchmark (issue 14): what the outbox costs SCIM writes, and how fast the delivery
# worker empties a backlog. Release builds, SQLite, wrk on the same two cores, one run:
#   1. POST /Users on BASELINE_BIN (a build from before events, e.g. 3759f8b), if given;
#   2. POST /Users on axid with events written but no webhook endpoint;
#   3. POST /Users on axid with one endpoint taking user.created, the receiver answering 204:
#      the write rate while deliveries run beside it, and how long after the load the last
#      delivery lands;
#   4. deliveries per second: the user.created events of BACKLOG_SECS of creates, whose
#      first attempt failed (503), wait with the endpoint disabled until every retry is due;
#      the endpoint is re-enabled and the receiver answers 204; rate = N / (last 2xx - first
#      2xx) at the receiver.
#   AXID_BIN=path (default: cargo build --release)  BASELINE_BIN=path  DURATION=10s
#   CONNECTIONS=16  BACKLOG_SECS=3
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DURATION="${DURATION:-10s}"; CONNECTIONS="${CONNECTIONS:-16}"; BACKLOG_SECS="${BACKLOG_SECS:-3}"
ADMIN="bench-admin-key-0123456789"
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }

WORK="$(mktemp -d)"
PIDS=()
stop_all() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; PIDS=(); }
trap 'stop_all; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
if [ -z "${AXID_BIN:-}" ]; then
    (cd "$ROOT" && cargo build --quiet --release --bin axid)
    TARGET_DIR="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
    cp "$TARGET_DIR/release/axid" "$WORK/axid"
    AXID_BIN="$WORK/axid"
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1"; exit 1; }
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }

# A fresh axid on its own SQLite file, an organization, a portal session and a SCIM token.
start_axid() {
    local bin="$1" port; port="$(free_port)"; rm -f "$WORK"/axid.db*
    DATABASE_URL="sqlite://$WORK/axid.db" PUBLIC_URL="http://127.0.0.1:$port" AXID_HOST=127.0.0.1 \
        AXID_PORT="$port" ADMIN_API_KEY="$ADMIN" WEBHOOK_ALLOW_PRIVATE=1 RUST_LOG=warn \
        "$bin" serve >"$WORK/axid.log" 2>&1 &
    PIDS+=($!)
    AXID="http://127.0.0.1:$port"; wait_for "$AXID/health"
    curl -fsS -o /dev/null -H "X-Admin-API-Key: $ADMIN" -H 'Content-Type: application/json' \
        -d '{"org_id":"bench","name":"Bench","password":"bench password 123"}' "$AXID/api/v1/admin/organizations"
    curl -fsS -o /dev/null -c "$WORK/jar" -H 'Content-Type: application/json' \
        -d '{"org_id":"bench","password":"bench password 123"}' "$AXID/api/v1/auth/login"
    TOKEN="$(curl -fsS -b "$WORK/jar" -H 'Content-Type: application/json' -d '{"name":"bench"}' \
        "$AXID/api/v1/scim/tokens" | json_field token)"
}
start_receiver() {
    local port; port="$(free_port)"
    node "$HERE/receiver.mjs" "$port" "$1" >"$WORK/receiver.log" 2>&1 &
    PIDS+=($!)
    HOOK="http://127.0.0.1:$port"; wait_for "$HOOK/stats"
}
portal() { curl -fsS -b "$WORK/jar" -H 'Content-Type: application/json' "$@"; }
add_endpoint() {
    ENDPOINT="$(portal -d "{\"url\":\"$HOOK/hook\",\"types\":[\"user.created\"]}" "$AXID/api/v1/webhooks" | json_field id)"
}
set_endpoint_enabled() { portal -o /dev/null -X PATCH -d "{\"enabled\":$1}" "$AXID/api/v1/webhooks/$ENDPOINT"; }
stat() { curl -fsS "$HOOK/stats" | python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"; }

# One wrk run of POST /Users: "<req/s> <p50> <p99> <answers that were not 2xx>".
post_users() {
    local out; out="$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" \
        -s "$ROOT/bench/scim/post_user.lua" "$AXID/scim/v2/Users" 2>&1)"
    local non2xx
    non2xx="$(echo "$out" | awk '/Non-2xx/ {print $NF}')"
    echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1=="50%" {print $2}') \
$(echo "$out" | awk '$1=="99%" {print $2}') ${non2xx:-0}"
}
# Waits (at most 120 s) until the receiver has answered `want` requests with `status`.
await_count() {
    local status="$1" want="$2"
    for _ in $(seq 1 1200); do
        [ "$(stat "s['counts'].get('$status', 0)")" -ge "$want" ] && return 0; sleep 0.1
    done
    echo "the receiver got $(stat "s['counts']") of $want" >&2; return 1
}

declare -A R
if [ -n "${BASELINE_BIN:-}" ]; then
    start_axid "$BASELINE_BIN"; R[baseline]="$(post_users)"; stop_all
fi
start_axid "$AXID_BIN"; R[events]="$(post_users)"; stop_all

start_receiver 204; start_axid "$AXID_BIN"; add_endpoint
R[webhook]="$(post_users)"; loaded_at="$(python3 -c 'import time; print(time.monotonic())')"
# wrk counts only the answers it waited for; the users axid created are what SCIM lists.
created="$(curl -fsS -H "Authorization: Bearer $TOKEN" "$AXID/scim/v2/Users?count=0" | json_field totalResults)"
await_count 204 "$created" || true
R[lag]="$(python3 -c "import time; print(f'{time.monotonic() - $loaded_at:.2f}')")"
R[live_distinct]="$(stat "s['distinct_ok']")"
stop_all

# The backlog: for BACKLOG_SECS, users are created as fast as wrk can while the receiver
# answers 503 to every first attempt; the endpoint is then disabled before the first of
# those retries is due (5 s after its failure), the receiver switches to 204, and once
# every retry is due the endpoint is enabled again: the worker drains them all at once.
start_receiver 503; start_axid "$AXID_BIN"; add_endpoint
DURATION="${BACKLOG_SECS}s" post_users >/dev/null
backlog="$(curl -fsS -H "Authorization: Bearer $TOKEN" "$AXID/scim/v2/Users?count=0" | json_field totalResults)"
# Every event numbered and attempted once (at most 1.5 s more), then the endpoint stops.
for _ in $(seq 1 15); do [ "$(stat "s['counts'].get('503', 0)")" -ge "$backlog" ] && break; sleep 0.1; done
set_endpoint_enabled false
curl -fsS -o /dev/null "$HOOK/mode?status=204"
sleep 6   # the retry delay after a first failure is 5 s
set_endpoint_enabled true
await_count 204 "$backlog" || true
R[drain]="$(stat "f\"{s['counts']['204'] / ((s['last_ms'] - s['first_ms']) / 1000):.0f} {s['distinct_ok']}\"")"
stop_all

printf '\n%-52s %10s %8s %8s\n' "POST /Users, $CONNECTIONS connections, $DURATION" "req/s" "p50" "p99"
row() {
    read -r rps p50 p99 bad <<<"${R[$1]}"
    printf '%-52s %10s %8s %8s%s\n' "$2" "$rps" "$p50" "$p99" "$([ "$bad" = 0 ] || echo " ($bad not 2xx)")"
}
[ -n "${R[baseline]:-}" ] && row baseline "before events (BASELINE_BIN)"
row events "events on, no webhook endpoint"
row webhook "events on, one endpoint delivering beside the load"
if [ -n "${R[baseline]:-}" ]; then
    python3 -c "import sys; b,e,w=map(float,sys.argv[1:]); print(f'ratio to the baseline: {e/b:.3f} (no endpoint), {w/b:.3f} (delivering)')" \
        "$(echo "${R[baseline]}" | cut -d' ' -f1)" "$(echo "${R[events]}" | cut -d' ' -f1)" "$(echo "${R[webhook]}" | cut -d' ' -f1)"
fi
echo "deliveries during the load: $created events, ${R[live_distinct]} distinct delivered, the last ${R[lag]} s after the load ended"
read -r rate distinct <<<"${R[drain]}"
echo "backlog of $backlog retries: $rate deliveries/s ($distinct distinct event ids)"
