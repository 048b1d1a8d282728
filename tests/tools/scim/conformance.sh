#!/usr/bin/env bash
# Runs the SCIM conformance tools against a real axid: starts the binary (AXID_BIN, else a
# debug build) on a free loopback port with a temporary SQLite database, creates an
# organization and a SCIM token through the APIs, runs PyPI scim2-tester and scim-sanity,
# prints 'N passed, N failed' per tool and a total, and exits non-zero on any failure
# (scim-sanity checks that contradict RFC 7644 are listed in docs/scim.md and not counted).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
VENV="${AXID_SCIM_VENV:-$HOME/.cache/axid-tools/scim-venv}"
bash "$HERE/setup.sh" >/dev/null

WORK="$(mktemp -d)"
if [ -z "${AXID_BIN:-}" ]; then
    # Copied at once: a shared CARGO_TARGET_DIR may get another checkout's build next.
    (cd "$ROOT" && cargo build --quiet --bin axid)
    TARGET_DIR="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
    cp "$TARGET_DIR/debug/axid" "$WORK/axid"
    AXID_BIN="$WORK/axid"
fi
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
ADMIN_KEY="conformance-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
PASSWORD="conformance password $$"

DATABASE_URL="sqlite://$WORK/axid.db" PUBLIC_URL="$BASE" AXID_HOST=127.0.0.1 AXID_PORT="$PORT" \
    ADMIN_API_KEY="$ADMIN_KEY" RUST_LOG="${RUST_LOG:-warn}" "$AXID_BIN" serve >"$WORK/axid.log" 2>&1 &
AXID_PID=$!
cleanup() { kill "$AXID_PID" 2>/dev/null || true; wait "$AXID_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
    curl -fsS "$BASE/health" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fsS "$BASE/health" >/dev/null || { cat "$WORK/axid.log"; echo "axid did not start"; exit 1; }
# A binary without the SCIM surface answers the portal's JSON 404 here, not a SCIM 401.
curl -sS "$BASE/scim/v2/Users" | grep -q 'urn:ietf:params:scim:api:messages:2.0:Error' \
    || { echo "$AXID_BIN does not serve /scim/v2"; exit 1; }

curl -fsS -o /dev/null -H "X-Admin-API-Key: $ADMIN_KEY" -H 'Content-Type: application/json' \
    -d "{\"org_id\":\"conformance\",\"name\":\"Conformance\",\"password\":\"$PASSWORD\"}" \
    "$BASE/api/v1/admin/organizations"
curl -fsS -o /dev/null -c "$WORK/jar" -H 'Content-Type: application/json' \
    -d "{\"org_id\":\"conformance\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/auth/login"
new_token() {
    curl -fsS -b "$WORK/jar" -H 'Content-Type: application/json' -d "{\"name\":\"$1\"}" \
        "$BASE/api/v1/scim/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

status=0
echo "== scim2-tester"
"$VENV/bin/python" "$HERE/run_scim2_tester.py" "$BASE/scim/v2" "$(new_token scim2-tester)" \
    --json "$WORK/scim2-tester.json" | tee "$WORK/scim2-tester.out" || status=1
T_LINE="$(grep '^scim2-tester:' "$WORK/scim2-tester.out" || echo 'scim2-tester: 0 passed, 1 failed')"

echo "== scim-sanity"
"$VENV/bin/scim-sanity" probe "$BASE/scim/v2" --token "$(new_token scim-sanity)" \
    --i-accept-side-effects --json-output >"$WORK/sanity.json" 2>"$WORK/sanity.err" || true
"$VENV/bin/python" "$HERE/sanity_summary.py" "$WORK/sanity.json" | tee "$WORK/sanity.out" || status=1
S_LINE="$(grep '^scim-sanity:' "$WORK/sanity.out" || echo 'scim-sanity: 0 passed, 1 failed')"

read -r TP TF < <(echo "$T_LINE" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/')
read -r SP SF < <(echo "$S_LINE" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/')
echo "conformance: $((TP + SP)) passed, $((TF + SF)) failed"
[ "$((TF + SF))" -eq 0 ] || status=1
exit "$status"
