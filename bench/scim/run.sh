#!/usr/bin/env bash
# SCIM benchmark: axid (release build, SQLite) beside PyPI scim2-server under gunicorn and
# npm scimmy (express + scimmy-routers, in-memory), in one run on the same machine.
# Measures, with wrk: GET /Users/{id}; GET /Users?filter=userName eq "..." with N_SMALL and
# N_LARGE users; POST /Users; PATCH adding one member to a group of GROUP_SIZE members.
# Prints a table with ratios, and SQLite's plan for the filter query (the index is used).
#   AXID_BIN=path (default: cargo build --release), N_SMALL=1000 N_LARGE=100000
#   GROUP_SIZE=10000 DURATION=10s CONNECTIONS=16 PEERS="scim2-server scimmy" (PEERS="" for axid alone)
#   AXID_N_HUGE=100000 AXID_GROUP_HUGE=10000: axid alone goes on to this many users (and a group
#   of this many members) in the same run, after the side-by-side figures; 0 skips it.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TOOLS="${AXID_BENCH_TOOLS:-$HOME/.cache/axid-tools/bench}"
N_SMALL="${N_SMALL:-1000}"; N_LARGE="${N_LARGE:-100000}"; GROUP_SIZE="${GROUP_SIZE:-10000}"
DURATION="${DURATION:-10s}"; CONNECTIONS="${CONNECTIONS:-16}"
AXID_N_HUGE="${AXID_N_HUGE:-0}"; AXID_GROUP_HUGE="${AXID_GROUP_HUGE:-10000}"
PEERS="${PEERS-scim2-server scimmy}"
TOKEN="bench-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }

WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -z "${AXID_BIN:-}" ]; then
    (cd "$ROOT" && cargo build --quiet --release --bin axid)
    TARGET_DIR="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
    cp "$TARGET_DIR/release/axid" "$WORK/axid"
    AXID_BIN="$WORK/axid"
fi
. "$HERE/peers.sh"
install_peers
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1"; exit 1; }

start_axid() {
    local port; port="$(free_port)"; local admin="bench-admin-key-0123456789"
    DATABASE_URL="sqlite://$WORK/axid.db" PUBLIC_URL="http://127.0.0.1:$port" AXID_HOST=127.0.0.1 \
        AXID_PORT="$port" ADMIN_API_KEY="$admin" RUST_LOG=warn "$AXID_BIN" serve >"$WORK/axid.log" 2>&1 &
    PIDS+=($!)
    wait_for "http://127.0.0.1:$port/health"
    curl -fsS -o /dev/null -H "X-Admin-API-Key: $admin" -H 'Content-Type: application/json' \
        -d '{"org_id":"bench","name":"Bench","password":"bench password 123"}' "http://127.0.0.1:$port/api/v1/admin/organizations"
    curl -fsS -o /dev/null -c "$WORK/jar" -H 'Content-Type: application/json' \
        -d '{"org_id":"bench","password":"bench password 123"}' "http://127.0.0.1:$port/api/v1/auth/login"
    AXID_TOKEN="$(curl -fsS -b "$WORK/jar" -H 'Content-Type: application/json' -d '{"name":"bench"}' \
        "http://127.0.0.1:$port/api/v1/scim/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
    BASE="http://127.0.0.1:$port/scim/v2"; AUTH="$AXID_TOKEN"
}
# rps of one wrk run: "<requests/s> <avg latency>"
measure() {
    local out; out="$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -H "Authorization: Bearer $AUTH" "$@" 2>&1)"
    local rps lat
    rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
    lat="$(echo "$out" | awk '/Latency/ {print $2; exit}')"
    local non2xx; non2xx="$(echo "$out" | awk '/Non-2xx/ {print $NF}')"
    echo "${rps:-0} ${lat:-?}${non2xx:+ non2xx=$non2xx}"
}
enc() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

declare -A R
bench_one() {
    local name="$1"; "start_${name//-/_}"
    echo "== $name ($BASE)" >&2
    local seed; seed="$("$TOOLS/py/bin/python" "$HERE/seed.py" "$BASE" "$AUTH" 0 "$N_SMALL")"
    local id; id="$(echo "$seed" | python3 -c 'import json,sys; print(json.load(sys.stdin)["first_id"])')"
    R[$name,get_small]="$(measure "$BASE/Users/$id")"
    R[$name,filter_small]="$(measure "$BASE/Users?filter=$(enc "userName eq \"u$((N_SMALL / 2))@bench.test\"")")"
    seed="$("$TOOLS/py/bin/python" "$HERE/seed.py" "$BASE" "$AUTH" "$N_SMALL" "$N_LARGE" --group "bench-$name" --members "$GROUP_SIZE")"
    R[$name,get_large]="$(measure "$BASE/Users/$id")"
    R[$name,filter_large]="$(measure "$BASE/Users?filter=$(enc "userName eq \"u$((N_LARGE / 2))@bench.test\"")")"
    local gid; gid="$(echo "$seed" | python3 -c 'import json,sys; print(json.load(sys.stdin)["group_id"])')"
    local members; members="$(echo "$seed" | python3 -c 'import json,sys; print(",".join(json.load(sys.stdin)["spare_ids"]))')"
    R[$name,patch]="$(MEMBER_IDS="$members" measure -s "$HERE/patch_member.lua" "$BASE/Groups/$gid?excludedAttributes=members")"
    R[$name,post]="$(measure -s "$HERE/post_user.lua" "$BASE/Users")"
    if [ "$name" = axid ] && [ "$AXID_N_HUGE" -gt "$N_LARGE" ]; then
        # POST /Users above created users named p<thread>-<n>; the seeded names stay u<i>.
        seed="$("$TOOLS/py/bin/python" "$HERE/seed.py" "$BASE" "$AUTH" "$N_LARGE" "$AXID_N_HUGE" --group "bench-huge" --members "$AXID_GROUP_HUGE")"
        R[axid,get_huge]="$(measure "$BASE/Users/$id")"
        R[axid,filter_huge]="$(measure "$BASE/Users?filter=$(enc "userName eq \"u$((AXID_N_HUGE / 2))@bench.test\"")")"
        gid="$(echo "$seed" | python3 -c 'import json,sys; print(json.load(sys.stdin)["group_id"])')"
        members="$(echo "$seed" | python3 -c 'import json,sys; print(",".join(json.load(sys.stdin)["spare_ids"]))')"
        R[axid,patch_huge]="$(MEMBER_IDS="$members" measure -s "$HERE/patch_member.lua" "$BASE/Groups/$gid?excludedAttributes=members")"
    fi
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; PIDS=()
}

bench_one axid
# The filter query's plan on SQLite: an index search, not a scan.
"$TOOLS/py/bin/python" - "$WORK/axid.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
# What the service's housekeeping runs once a minute on SQLite (statistics for the planner);
# the query runs first because SQLite before 3.46 only analyses tables its connection used.
db.execute("SELECT COUNT(*) FROM users r WHERE r.org_id = 'bench' AND r.id IN (SELECT v.resource_id FROM scim_values v WHERE v.org_id = 'bench' AND v.attr = 'emails.value' AND v.value_lc = 'x')").fetchall()
db.execute("PRAGMA optimize=0x10002")
q = "SELECT id FROM users r WHERE r.org_id = ? AND r.user_name_lc = ? ORDER BY r.created_at, r.id LIMIT 100"
for row in db.execute("EXPLAIN QUERY PLAN " + q, ("bench", "u1@bench.test")):
    print("axid EXPLAIN QUERY PLAN (userName eq):", row[-1])
q = "SELECT COUNT(*) FROM users r WHERE r.org_id = ? AND r.id IN (SELECT v.resource_id FROM scim_values v WHERE v.org_id = ? AND v.attr = ? AND v.value_lc = ?)"
for row in db.execute("EXPLAIN QUERY PLAN " + q, ("bench", "bench", "emails.value", "u1@bench.test")):
    print("axid EXPLAIN QUERY PLAN (emails.value eq):", row[-1])
PY
for peer in $PEERS; do bench_one "$peer"; done

printf '\n%-34s %16s' "req/s (avg latency)" axid; for peer in $PEERS; do printf ' %16s %8s' "$peer" "ratio"; done; echo
for k in get_small get_large filter_small filter_large post patch; do
    case $k in
        get_small) label="GET /Users/{id} ($N_SMALL users)";; get_large) label="GET /Users/{id} ($N_LARGE users)";;
        filter_small) label="filter userName eq ($N_SMALL)";; filter_large) label="filter userName eq ($N_LARGE)";;
        post) label="POST /Users";; patch) label="PATCH +1 member ($GROUP_SIZE)";;
    esac
    read -r a_rps a_lat a_x <<<"${R[axid,$k]}"
    printf '%-34s %9s %6s' "$label" "$a_rps" "$a_lat"
    for peer in $PEERS; do
        read -r p_rps p_lat p_x <<<"${R[$peer,$k]}"
        ratio="$(python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.1f}x' if b else 'n/a')" "$a_rps" "$p_rps")"
        printf ' %9s %6s %8s' "$p_rps" "$p_lat" "$ratio"
    done
    echo
done
if [ "$AXID_N_HUGE" -gt "$N_LARGE" ]; then
    echo
    echo "axid alone, same run, after seeding to $AXID_N_HUGE users:"
    printf '%-34s %16s\n' "GET /Users/{id}" "${R[axid,get_huge]}"
    printf '%-34s %16s\n' "filter userName eq ($AXID_N_HUGE)" "${R[axid,filter_huge]}"
    printf '%-34s %16s\n' "PATCH +1 member ($AXID_GROUP_HUGE)" "${R[axid,patch_huge]}"
fi
