#!/usr/bin/env bash
# Authorization code redemption throughput (issue 12), run by hand: a release axid on
# SQLite, N codes minted first (bench/op/mint_codes.py, authlib's venv for requests), then
# wrk redeems each once (redeem.lua) beside the client credentials grant of the same client
# type's algorithm (RS256) in the same run, so the two read as a ratio.
#   bash bench/op/run.sh [seconds=4] [connections=32] [codes=10000]
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE="$PWD/bench/op"
SECS="${1:-4}"; CONNS="${2:-32}"; CODES="${3:-10000}"
PY="${AXID_PROXIES_VENV:-$HOME/.cache/axid-tools/proxies-venv}/bin/python"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release --quiet --bin axid
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
WORK=$(mktemp -d)
cp "$TARGET_DIR/release/axid" "$WORK/axid"
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; grep -ioE "(error|warn)[^,]*" "$WORK/axid.log" 2>/dev/null | sort | uniq -c | head -5 >&2; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"; KEY=bench-admin-key-0123456789
DATABASE_URL="sqlite://$WORK/axid.db" PUBLIC_URL=$BASE AXID_PORT=$PORT ADMIN_API_KEY=$KEY RUST_LOG=warn \
  LOGIN_RATE_LIMIT_PER_MINUTE=1000000 "$WORK/axid" serve >"$WORK/axid.log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -sf "$BASE/ready" >/dev/null && break; sleep 0.1; done
start=$(date +%s.%N)
"$PY" "$HERE/mint_codes.py" "$BASE" "$KEY" "$CODES" >"$WORK/codes.txt"
end=$(date +%s.%N)
echo "minted $CODES codes (authorize with a session, one connection) in $(python3 -c "print(round($end-$start,1))") s"
run() { # label [wrk args]
  local label=$1; shift
  wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$@" >"$WORK/wrk.out" 2>"$WORK/wrk.err" || true
  sort -u "$WORK/wrk.err" | head -3 >&2
  printf '  %-40s %10s req/s  p99 %-8s non-2xx %s\n' "$label" \
    "$(awk '/^Requests\/sec/ {print $2}' "$WORK/wrk.out")" "$(awk '$1=="99%" {print $2}' "$WORK/wrk.out")" \
    "$(awk '/Non-2xx/ {print $NF}' "$WORK/wrk.out")"
}
echo "wrk -t2 -c$CONNS -d${SECS}s, $(nproc) cores shared by wrk and the server (SQLite)"
CODES_FILE="$WORK/codes.txt" THREADS=2 run "POST /oauth2/token authorization_code" -s "$HERE/redeem.lua" "$BASE"
svc=$("$PY" - "$BASE" <<'PYEOF'
import base64, sys, requests
s = requests.Session()
s.post(f"{sys.argv[1]}/api/v1/auth/login", json={"org_id": "bench", "password": "correct horse battery staple"}).raise_for_status()
c = s.post(f"{sys.argv[1]}/api/v1/clients", json={"name": "svc", "type": "service"}).json()
print("Basic " + base64.b64encode(f"{c['client_id']}:{c['client_secret']}".encode()).decode())
PYEOF
)
cat >"$WORK/cc.lua" <<LUA
wrk.method = "POST"
wrk.body = "grant_type=client_credentials"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "$svc"
LUA
run "POST /oauth2/token client_credentials" -s "$WORK/cc.lua" "$BASE/oauth2/token"
