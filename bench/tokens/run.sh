#!/usr/bin/env bash
# Token service throughput under wrk on this machine (run by hand, not in CI):
#   /auth/verify with a session cookie, a Bearer access token and Basic credentials, beside
#   GET /api/v1/auth/session in the same run; POST /oauth2/token (client credentials) with
#   RS256, ES256 and EdDSA clients; on SQLite and PostgreSQL; and npm oidc-provider's
#   client credentials grant (RS256 JWT access tokens) in the same run; the token rows
#   once more with ACCESS_TOKEN_REUSE=false (a new signature per request) on SQLite.
#   bash bench/tokens/run.sh [seconds=8] [connections=64]
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE="$PWD/bench/tokens"
SECS="${1:-8}"
CONNS="${2:-64}"
# The session check and the three verify rows run interleaved, ROUNDS times, and each
# prints its median: on a shared machine a load that comes and goes then hits all alike.
ROUNDS="${ROUNDS:-3}"
# PARTS picks blocks of the run (default all): sqlite sqlite-fresh postgres provider.
PARTS=" ${PARTS:-sqlite sqlite-fresh postgres provider} "
want() { [[ "$PARTS" == *" $1 "* ]]; }
PG_ADMIN="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
OIDC_NODE="${AXID_TOOLS_DIR:-$HOME/.cache/axid-tools}/oidc-node"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
[ -d "$OIDC_NODE/node_modules/oidc-provider" ] || bash tests/tools/oidc/setup.sh
cargo build --release --quiet --bin axid
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
WORK=$(mktemp -d)
cp "$TARGET_DIR/release/axid" "$WORK/axid"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

post_lua() { # file body authorization
  cat >"$1" <<LUA
wrk.method = "POST"
wrk.body = "$2"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "$3"
LUA
}

run_wrk() { # label url [wrk args...]
  local label=$1 url=$2; shift 2
  wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$@" "$url" >"$WORK/wrk.out"
  local rps p99 bad
  rps=$(awk '/^Requests\/sec/ {print $2}' "$WORK/wrk.out")
  p99=$(awk '$1=="99%" {print $2}' "$WORK/wrk.out")
  bad=$(awk '/Non-2xx/ {print $NF}' "$WORK/wrk.out")
  printf '  %-34s %10s req/s  p99 %-8s non-2xx %s\n' "$label" "$rps" "$p99" "${bad:-0}"
}

# Interleaved rounds of several wrk runs; prints each label's median and every figure.
run_rounds() { # "label|url|header" ...
  local rows=("$@") i r label url hdr rps
  declare -A all=()
  for r in $(seq "$ROUNDS"); do
    for i in "${!rows[@]}"; do
      IFS='|' read -r label url hdr <<<"${rows[$i]}"
      wrk -t2 -c"$CONNS" -d"${SECS}s" -H "$hdr" "$url" >"$WORK/wrk.out"
      rps=$(awk '/^Requests\/sec/ {print $2}' "$WORK/wrk.out")
      all[$i]="${all[$i]:-} $rps"
    done
  done
  for i in "${!rows[@]}"; do
    IFS='|' read -r label url hdr <<<"${rows[$i]}"
    printf '  %-34s %10s req/s  (median of%s)\n' "$label" \
      "$(tr ' ' '\n' <<<"${all[$i]}" | grep . | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')" "${all[$i]}"
  done
}

bench_axid() { # label database_url [reuse=true]
  local label=$1 url=$2 reuse=${3:-true} port base key=bench-admin-key-0123456789
  port=$(free_port); base="http://127.0.0.1:$port"
  ACCESS_TOKEN_REUSE=$reuse DATABASE_URL=$url PUBLIC_URL=$base AXID_PORT=$port ADMIN_API_KEY=$key RUST_LOG=warn \
    DATABASE_MAX_CONNECTIONS=16 "$WORK/axid" serve >"$WORK/$label.log" 2>&1 &
  local pid=$!; PIDS+=($pid)
  for _ in $(seq 100); do curl -sf "$base/ready" >/dev/null && break; sleep 0.1; done
  curl -sf -X POST "$base/api/v1/admin/organizations" -H "X-Admin-API-Key: $key" -H 'content-type: application/json' \
    -d '{"org_id":"bench","name":"Bench","password":"correct horse battery staple"}' >/dev/null
  curl -sf -c "$WORK/jar" -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"org_id":"bench","password":"correct horse battery staple"}' >/dev/null
  local cookie
  cookie="axonflow_session=$(awk '$6=="axonflow_session" {print $7}' "$WORK/jar")"
  client() { curl -sf -b "$WORK/jar" -H 'content-type: application/json' -d "{\"name\":\"$1\",\"type\":\"service\",\"roles\":[\"reader\"],\"signing_alg\":\"$1\"}" "$base/api/v1/clients"; }
  local rs es ed
  rs=$(client RS256); es=$(client ES256); ed=$(client EdDSA)
  auth_of() { python3 -c 'import base64,json,sys; c=json.loads(sys.argv[1]); print("Basic "+base64.b64encode((c["client_id"]+":"+c["client_secret"]).encode()).decode())' "$1"; }
  local rs_auth es_auth ed_auth token
  rs_auth=$(auth_of "$rs"); es_auth=$(auth_of "$es"); ed_auth=$(auth_of "$ed")
  token=$(curl -sf -H "Authorization: $rs_auth" -d grant_type=client_credentials "$base/oauth2/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  echo "axid on $label (ACCESS_TOKEN_REUSE=$reuse)"
  if [ "$reuse" = true ]; then
  run_rounds "GET /api/v1/auth/session (cookie)|$base/api/v1/auth/session|Cookie: $cookie" \
    "/auth/verify cookie|$base/auth/verify|Cookie: $cookie" \
    "/auth/verify Bearer|$base/auth/verify|Authorization: Bearer $token" \
    "/auth/verify Basic|$base/auth/verify|Authorization: $rs_auth"
  fi
  for alg in RS256 ES256 EdDSA; do
    local a; case $alg in RS256) a=$rs_auth;; ES256) a=$es_auth;; EdDSA) a=$ed_auth;; esac
    post_lua "$WORK/post.lua" "grant_type=client_credentials" "$a"
    run_wrk "POST /oauth2/token $alg" "$base/oauth2/token" -s "$WORK/post.lua"
  done
  kill -TERM $pid; wait $pid 2>/dev/null || true
}

echo "wrk -t2 -c$CONNS -d${SECS}s, $(nproc) cores shared by wrk and the server"
want sqlite && bench_axid sqlite "sqlite://$WORK/axid.db"
# The same token requests when every one signs a new token (no reuse).
want sqlite-fresh && bench_axid sqlite-fresh "sqlite://$WORK/axid-fresh.db" false
if want postgres; then
  DB="axid_bench_tokens_$$"
  psql "$PG_ADMIN" -qc "CREATE DATABASE $DB" >/dev/null
  bench_axid postgres "${PG_ADMIN%/*}/$DB"
  psql "$PG_ADMIN" -qc "DROP DATABASE $DB WITH (FORCE)" >/dev/null
fi
want provider || exit 0

PORT=$(free_port)
cp "$HERE/cc_provider.mjs" "$OIDC_NODE/cc_provider.mjs"
(cd "$OIDC_NODE" && PORT=$PORT exec node cc_provider.mjs >"$WORK/provider.log" 2>&1) &
PIDS+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/.well-known/openid-configuration" >/dev/null && break; sleep 0.1; done
curl -sf -u bench:bench-secret -d grant_type=client_credentials "http://127.0.0.1:$PORT/token" | grep -q access_token \
  || { echo "oidc-provider gave no token"; cat "$WORK/provider.log"; exit 1; }
echo "npm oidc-provider (one node process)"
post_lua "$WORK/post.lua" "grant_type=client_credentials" "Basic $(printf bench:bench-secret | base64)"
run_wrk "POST /token RS256" "http://127.0.0.1:$PORT/token" -s "$WORK/post.lua"
