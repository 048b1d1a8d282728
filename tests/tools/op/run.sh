#!/usr/bin/env bash
# Real OpenID client libraries against axid as an OpenID provider (CONTRACT.md §13): PyPI
# authlib and npm openid-client each do discovery, authorize (PKCE S256, with a portal session of the client's
# organization), the code exchange, ID token validation against the JWKS, and userinfo;
# openid-client again with the sign-in through a real scripted SAML IdP (npm samlify, as
# installed by tests/tools/saml/setup.sh); authlib again through a real upstream OpenID
# provider (npm oidc-provider, tests/tools/oidc/setup.sh) picked by login_hint.
# Starts axid (AXID_BIN, else a debug build found through `cargo metadata`) on loopback.
# The last line is 'N passed, N failed'; a missing tool skips (run setup.sh), or fails with
# AXID_REQUIRE_TOOLS=1.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
TOOLS="${AXID_TOOLS_DIR:-$HOME/.cache/axid-tools}"
VENV="${AXID_PROXIES_VENV:-$TOOLS/proxies-venv}"
NODE_DIR="${AXID_OP_NODE_DIR:-$TOOLS/op-node}"

missing=""
"$VENV/bin/python" -c 'import authlib, requests' 2>/dev/null || missing="$missing authlib"
[ -f "$NODE_DIR/node_modules/openid-client/package.json" ] || missing="$missing openid-client"
OIDC_NODE_DIR="${AXID_OIDC_NODE_DIR:-$TOOLS/oidc-node}"
[ -f "$OIDC_NODE_DIR/node_modules/oidc-provider/package.json" ] || missing="$missing oidc-provider"
SAML_NODE_DIR="${AXID_SAML_NODE_DIR:-$TOOLS/saml-node}"
[ -f "$SAML_NODE_DIR/node_modules/samlify/package.json" ] || missing="$missing samlify"
if [ -n "$missing" ]; then
    if [ "${AXID_REQUIRE_TOOLS:-0}" = 1 ]; then
        echo "FAIL: missing tools:$missing (run tests/tools/op/setup.sh)"; echo "0 passed, 1 failed"; exit 1
    fi
    echo "SKIPPED: missing tools:$missing (run tests/tools/op/setup.sh)"; echo "0 passed, 0 failed"; exit 0
fi

WORK="$(mktemp -d)"
AXID_PID=""
IDP_PID=""
cleanup() {
    if [ -n "$AXID_PID" ]; then kill "$AXID_PID" 2>/dev/null || true; wait "$AXID_PID" 2>/dev/null || true; fi
    if [ -n "$IDP_PID" ]; then kill "$IDP_PID" 2>/dev/null || true; wait "$IDP_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
if [ -z "${AXID_BIN:-}" ]; then
    (cd "$ROOT" && cargo build --quiet --bin axid)
    TARGET_DIR="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
    cp "$TARGET_DIR/debug/axid" "$WORK/axid"
    AXID_BIN="$WORK/axid"
fi
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export AXID_URL="http://127.0.0.1:$PORT"
export ADMIN_KEY="op-$(python3 -c 'import secrets; print(secrets.token_hex(16))')" ORG_PASSWORD="op tools password $$"
DATABASE_URL="sqlite://$WORK/axid.db" PUBLIC_URL="$AXID_URL" AXID_HOST=127.0.0.1 AXID_PORT="$PORT" \
    DEPLOYMENT_MODE=enterprise ADMIN_API_KEY="$ADMIN_KEY" OIDC_ALLOW_HTTP=1 SSO_FETCH_ALLOW_PRIVATE=1 \
    SSO_DATA_KEY="$(python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')" \
    RUST_LOG="${RUST_LOG:-warn}" "$AXID_BIN" serve >"$WORK/axid.log" 2>&1 &
AXID_PID=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "$AXID_URL/health" && break; sleep 0.1; done
# The upstream OpenID provider of the organization "opoidc" (authlib_oidc.py).
IDP_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export IDP_URL="http://127.0.0.1:$IDP_PORT" IDP_CLIENT_ID=opoidc-axid IDP_CLIENT_SECRET="idp-secret-$$"
mkdir -p "$WORK/idp" && cp "$ROOT/tests/tools/oidc/provider.mjs" "$WORK/idp/" && ln -s "$OIDC_NODE_DIR/node_modules" "$WORK/idp/node_modules"
(cd "$WORK/idp" && PORT="$IDP_PORT" CLIENT_ID="$IDP_CLIENT_ID" CLIENT_SECRET="$IDP_CLIENT_SECRET" \
    REDIRECT_URI="$AXID_URL/auth/oidc/opoidc/callback" exec node provider.mjs >"$WORK/idp.log" 2>&1) &
IDP_PID=$!
for _ in $(seq 1 100); do grep -q 'idp ready' "$WORK/idp.log" 2>/dev/null && break; sleep 0.1; done

# ES modules resolve packages beside the script: run it next to the installed node_modules.
cp "$HERE/openid_client.mjs" "$HERE/openid_client_saml.mjs" "$WORK/" && ln -s "$NODE_DIR/node_modules" "$WORK/node_modules"
status=0
"$VENV/bin/python" "$HERE/authlib_client.py" | tee "$WORK/authlib.out" || status=1
"$VENV/bin/python" "$HERE/authlib_oidc.py" | tee "$WORK/authlib_oidc.out" || status=1
node "$WORK/openid_client.mjs" | tee "$WORK/node.out" || status=1
SAML_NODE_DIR="$SAML_NODE_DIR" IDP_KEY="$ROOT/tests/fixtures/saml/idp.key" IDP_CERT="$ROOT/tests/fixtures/saml/idp.crt" \
    node "$WORK/openid_client_saml.mjs" | tee "$WORK/node_saml.out" || status=1
total_p=0; total_f=0
for out in "$WORK/authlib.out" "$WORK/authlib_oidc.out" "$WORK/node.out" "$WORK/node_saml.out"; do
    last="$(tail -n 1 "$out")"
    if echo "$last" | grep -Eq '^[0-9]+ passed, [0-9]+ failed$'; then
        total_p=$((total_p + $(echo "$last" | cut -d' ' -f1))); total_f=$((total_f + $(echo "$last" | cut -d' ' -f3)))
    else
        total_f=$((total_f + 1))
    fi
done
[ "$total_f" = 0 ] || status=1
echo "$total_p passed, $total_f failed"
if [ "$status" != 0 ]; then tail -n 20 "$WORK/axid.log" >&2 || true; fi
exit "$status"
