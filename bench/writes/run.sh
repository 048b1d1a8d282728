#!/usr/bin/env bash
# Write-path benchmark (issue 16), by hand, in one command:  bash bench/writes/run.sh
# Under wrk -t2 -c$CONNECTIONS on this machine, against a release axid: SAML ACS first
# sign-ins (every response a new user, created just in time), ACS sign-ins of returning
# users, SCIM POST /Users (with p99), and the reads that must not get slower (GET
# /Users/{id}, a userName filter, the session check); on SQLite, on PostgreSQL, and on two
# replicas sharing one PostgreSQL database (one wrk per replica, figures summed). Beside the
# peers in the same run: npm @node-saml/node-saml (µs per validation of the same signed
# responses) and PyPI scim2-server and npm scimmy (POST /Users).
#   BACKENDS="sqlite postgres replicas"  PEERS="node-saml scim2-server scimmy" (PEERS="" alone)
#   DURATION=8s CONNECTIONS=16 N_FIRST=20000 N_RETURNING=30000 RETURNING_USERS=1000
#   PG_ADMIN=postgres://postgres@127.0.0.1:5432/postgres (a database per backend, dropped after)
#   AXID_BIN=path SAML_BENCH=path: measure these builds instead of building (an older axid
#   beside this one: both use this tree's saml_bench)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TOOLS="${AXID_BENCH_TOOLS:-$HOME/.cache/axid-tools/bench}"
BACKENDS="${BACKENDS:-sqlite postgres replicas}"
PEERS="${PEERS-node-saml scim2-server scimmy}"
DURATION="${DURATION:-8s}"; CONNECTIONS="${CONNECTIONS:-16}"
N_FIRST="${N_FIRST:-20000}"; N_RETURNING="${N_RETURNING:-30000}"; RETURNING_USERS="${RETURNING_USERS:-1000}"
PG_ADMIN="${PG_ADMIN:-${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}}"
ADMIN="bench-admin-key-0123456789"
TOKEN="bench-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }

WORK="$(mktemp -d)"
PIDS=(); DATABASES=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
    for d in "${DATABASES[@]}"; do psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1"; exit 1; }
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

if [ -z "${AXID_BIN:-}" ]; then
    (cd "$ROOT" && cargo build --quiet --release --bin axid --example saml_bench)
    TARGET_DIR="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps | json_field target_directory)"
    AXID_BIN="$TARGET_DIR/release/axid"; SAML_BENCH="$TARGET_DIR/release/examples/saml_bench"
fi
cp "$AXID_BIN" "$WORK/axid"; cp "${SAML_BENCH:?SAML_BENCH=path/to/saml_bench with AXID_BIN}" "$WORK/saml_bench"

# One axid on DATABASE_URL=$1, listening on $2, PUBLIC_URL $3 (replicas share the public URL).
start_axid() {
    DATABASE_URL="$1" AXID_HOST=127.0.0.1 AXID_PORT="$2" PUBLIC_URL="$3" ADMIN_API_KEY="$ADMIN" \
        SSO_RATE_LIMIT_PER_MINUTE=100000000 RUST_LOG=warn "$WORK/axid" serve >>"$WORK/axid.log" 2>&1 &
    PIDS+=($!)
    wait_for "http://127.0.0.1:$2/ready"
}

# Org "bench" with an IdP-initiated SAML configuration (JIT on) and a SCIM token; sets
# COOKIE (a portal session) and SCIM_TOKEN.
setup_org() {
    local base="$1" cert
    cert="$(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' "$ROOT/tests/fixtures/saml/idp.crt")"
    curl -fsS -o /dev/null -H "X-Admin-API-Key: $ADMIN" -H 'Content-Type: application/json' \
        -d '{"org_id":"bench","name":"Bench","password":"bench password 123"}' "$base/api/v1/admin/organizations"
    COOKIE="$(curl -fsS -o /dev/null -D - -H 'Content-Type: application/json' \
        -d '{"org_id":"bench","password":"bench password 123"}' "$base/api/v1/auth/login" |
        sed -n 's/^set-cookie: \([^;]*\).*/\1/ip' | head -1)"
    curl -fsS -o /dev/null -H "Cookie: $COOKIE" -H 'Content-Type: application/json' -d "{\"protocol\":\"saml\",
        \"provider\":\"okta\",\"allow_idp_initiated\":true,\"jit_provisioning\":true,\"default_role\":\"viewer\",
        \"saml\":{\"idp_entity_id\":\"https://idp.example.test/\",\"idp_sso_url\":\"https://idp.example.test/sso\",
        \"idp_certificates\":[$cert]}}" "$base/api/v1/sso/config"
    SCIM_TOKEN="$(curl -fsS -H "Cookie: $COOKIE" -H 'Content-Type: application/json' -d '{"name":"bench"}' \
        "$base/api/v1/scim/tokens" | json_field token)"
}

# One wrk run; prints "<accepted/s> <p50> <p99> <refused>" (accepted: 2xx and 3xx answers).
wrk_run() {
    local out req secs non
    out="$(wrk -t2 -c"$1" -d"$DURATION" --latency "${@:2}" 2>&1)"
    req="$(echo "$out" | awk '/requests in/ {print $1}')"
    secs="$(echo "$out" | awk '/requests in/ {sub(/s,$/, "", $4); print $4}')"
    non="$(echo "$out" | awk '/Non-2xx/ {print $NF}')"
    echo "$(python3 -c "print(round(($req - ${non:-0}) / $secs))") $(echo "$out" | awk '$1=="50%" {print $2}') $(echo "$out" | awk '$1=="99%" {print $2}') ${non:-0}"
}

# The same figure from one wrk per base URL at once, CONNECTIONS split between them; the
# rates are summed, the latencies are the first replica's. $1: a function taking
# (connections, base, wrk index, wrk count) and printing wrk's arguments, one per line.
figure() {
    local args="$1"; shift
    local n=$# i=0 c=$((CONNECTIONS / $#)); local files=()
    for base in "$@"; do
        local argv; mapfile -t argv < <("$args" "$c" "$base" "$i" "$n")
        wrk_run "$c" "${argv[@]}" >"$WORK/fig.$i" &
        files+=("$WORK/fig.$i"); i=$((i + 1))
    done
    wait
    cat "${files[@]}" | awk '{s += $1; r += $4} NR == 1 {p50 = $2; p99 = $3} END {print s, p50, p99, r}'
}
a() { printf '%s\n' "$@"; }
acs_args() { a -s "$HERE/acs.lua" "$2/auth/saml/bench/callback" -- "$ACS_FILE" $(($4 * 2)) $(($3 * 2)); }
post_args() { a -s "$ROOT/bench/scim/post_user.lua" -H "Authorization: Bearer $SCIM_TOKEN" "$2/scim/v2/Users" -- "r$3"; }
get_args() { a -H "Authorization: Bearer $SCIM_TOKEN" "$2/scim/v2/Users/$USER_ID"; }
filter_args() { a -H "Authorization: Bearer $SCIM_TOKEN" "$2/scim/v2/Users?filter=userName%20eq%20%22user500@acme.com%22"; }
session_args() { a -H "Cookie: $COOKIE" "$2/api/v1/auth/session"; }

declare -A R
bench_backend() {
    local name="$1" url ports=() bases=() public
    case "$name" in
        sqlite) url="sqlite://$WORK/$name/axid.db"; ports=("$(free_port)") ;;
        postgres|replicas)
            local db="axid_bench_${name}_$$"; DATABASES+=("$db")
            psql -q "$PG_ADMIN" -c "CREATE DATABASE $db" >/dev/null
            url="${PG_ADMIN%/*}/$db"; ports=("$(free_port)")
            [ "$name" = replicas ] && ports+=("$(free_port)") ;;
    esac
    public="http://127.0.0.1:${ports[0]}"
    for p in "${ports[@]}"; do start_axid "$url" "$p" "$public"; bases+=("http://127.0.0.1:$p"); done
    setup_org "${bases[0]}"
    echo "== $name: signing $N_FIRST + $N_RETURNING responses" >&2
    ACS_FILE="$WORK/first.txt"; "$WORK/saml_bench" gen-acs "$ACS_FILE" "$N_FIRST" "$N_FIRST" "$public" bench >&2
    "$WORK/saml_bench" gen-acs "$WORK/returning.txt" "$N_RETURNING" "$RETURNING_USERS" "$public" bench >&2
    R[$name,acs_first]="$(figure acs_args "${bases[@]}")"
    ACS_FILE="$WORK/returning.txt"
    R[$name,acs_returning]="$(figure acs_args "${bases[@]}")"
    R[$name,scim_post]="$(figure post_args "${bases[@]}")"
    USER_ID="$(curl -fsS -H "Authorization: Bearer $SCIM_TOKEN" \
        "${bases[0]}/scim/v2/Users?filter=userName%20eq%20%22user500@acme.com%22" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["Resources"][0]["id"])')"
    R[$name,get]="$(figure get_args "${bases[@]}")"
    R[$name,filter]="$(figure filter_args "${bases[@]}")"
    R[$name,session]="$(figure session_args "${bases[@]}")"
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; PIDS=()
}


bench_peers() {
    local peer
    for peer in $PEERS; do
        case "$peer" in
            node-saml) bench_validation ;;
            scim2-server|scimmy)
                "start_${peer//-/_}"
                R[$peer,scim_post]="$(wrk_run "$CONNECTIONS" -s "$ROOT/bench/scim/post_user.lua" -H "Authorization: Bearer $AUTH" "$BASE/Users")"
                for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; PIDS=() ;;
        esac
    done
}
# µs per validation of the same 200 signed responses, in process, one thread each.
bench_validation() {
    local node_dir="${AXID_SAML_NODE_DIR:-$HOME/.cache/axid-tools/saml-node}" dir="$WORK/responses"
    if [ ! -f "$node_dir/node_modules/@node-saml/node-saml/package.json" ]; then
        mkdir -p "$node_dir"
        (cd "$node_dir" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-audit --no-fund --silent @node-saml/node-saml >/dev/null)
    fi
    "$WORK/saml_bench" gen "$dir" 200 >&2
    R[axid,validate]="$("$WORK/saml_bench" validate "$dir" | grep -o '[0-9.]* us' | cut -d' ' -f1)"
    R[node-saml,validate]="$(NODE_PATH="$node_dir/node_modules" node "$ROOT/bench/saml/node-saml-bench.js" "$dir" | grep -o '[0-9.]* us' | cut -d' ' -f1)"
}

for b in $BACKENDS; do bench_backend "$b"; done
if [[ " $PEERS " == *" scim"* ]]; then . "$ROOT/bench/scim/peers.sh"; install_peers; fi
bench_peers

echo
printf '%-28s' "accepted/s (p50, p99)"; for b in $BACKENDS; do printf ' %30s' "$b"; done; echo
for k in acs_first acs_returning scim_post get filter session; do
    case $k in
        acs_first) label="ACS, first sign-in (JIT)";; acs_returning) label="ACS, returning user";;
        scim_post) label="SCIM POST /Users";; get) label="GET /Users/{id}";;
        filter) label="filter userName eq";; session) label="session check";;
    esac
    printf '%-28s' "$label"
    for b in $BACKENDS; do
        read -r rps p50 p99 refused <<<"${R[$b,$k]}"
        printf ' %30s' "$rps ($p50, $p99)$([ "$refused" != 0 ] && echo " !$refused")"
    done
    echo
done
echo "(!N: N answers were neither 2xx nor 3xx; replicas: two axid on one PostgreSQL, summed)"
if [ -n "${R[axid,validate]:-}" ]; then
    python3 -c "import sys; a,n=map(float,sys.argv[1:]); print(f'SAML validation: axid {a:.1f} us, node-saml {n:.0f} us: {n/a:.0f}x')" \
        "${R[axid,validate]}" "${R[node-saml,validate]}"
fi
first="${BACKENDS%% *}"
for peer in scim2-server scimmy; do
    [ -n "${R[$peer,scim_post]:-}" ] || continue
    read -r prps pp50 pp99 _ <<<"${R[$peer,scim_post]}"; read -r arps _ <<<"${R[$first,scim_post]}"
    python3 -c "import sys; a,p=map(float,sys.argv[1:3]); print(f'SCIM POST /Users: $peer {p:.0f}/s (p50 $pp50, p99 $pp99); axid ($first) {a/p:.1f}x')" "$arps" "$prps"
done
