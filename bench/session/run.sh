#!/usr/bin/env bash
# Session-check throughput: GET /api/v1/auth/session with a valid cookie, under wrk on this
# machine, against a release axid on SQLite and on PostgreSQL, plus idle and peak RSS.
# Run by hand (not in CI):  bash bench/session/run.sh [seconds=15] [connections=64]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS="${1:-15}"
CONNS="${2:-64}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/axid-target}"
PG_ADMIN="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/axid"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

bench_one() { # label database_url
  local label=$1 url=$2 port
  port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  DATABASE_URL=$url AXID_PORT=$port ADMIN_API_KEY=bench-admin-key-0123456789 RUST_LOG=warn \
    DATABASE_MAX_CONNECTIONS=16 "$BIN" serve >"$WORK/$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.1; done
  curl -sf -X POST "http://127.0.0.1:$port/api/v1/admin/organizations" -H 'X-Admin-API-Key: bench-admin-key-0123456789' \
    -H 'content-type: application/json' -d '{"org_id":"bench","name":"Bench","password":"correct horse battery staple"}' >/dev/null
  local cookie
  cookie=$(curl -si -X POST "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"org_id":"bench","password":"correct horse battery staple"}' | sed -n 's/^set-cookie: \([^;]*\).*/\1/ip')
  sleep 1
  local idle
  idle=$(rss_kib $pid)
  wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$port/api/v1/auth/session" >"$WORK/$label.wrk"
  local rps p99 non2xx
  rps=$(awk '/^Requests\/sec/ {print $2}' "$WORK/$label.wrk")
  p99=$(awk '$1=="99%" {print $2}' "$WORK/$label.wrk")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$WORK/$label.wrk")
  printf '%-10s %12s req/s   p99 %-9s  non-2xx %-6s  idle RSS %6.1f MiB  peak RSS %6.1f MiB\n' \
    "$label" "$rps" "$p99" "${non2xx:-0}" "$(echo "$idle/1024" | bc -l)" "$(echo "$(hwm_kib $pid)/1024" | bc -l)"
  kill -TERM $pid; wait $pid 2>/dev/null || true
}

echo "GET /api/v1/auth/session, wrk -t2 -c$CONNS -d${SECS}s, $(nproc) cores shared by wrk and axid"
bench_one sqlite "sqlite://$WORK/axid.db"
DB="axid_bench_$$"
psql "$PG_ADMIN" -qc "CREATE DATABASE $DB" >/dev/null
bench_one postgres "${PG_ADMIN%/*}/$DB"
psql "$PG_ADMIN" -qc "DROP DATABASE $DB WITH (FORCE)" >/dev/null
