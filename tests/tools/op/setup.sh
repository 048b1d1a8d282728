#!/usr/bin/env bash
# The peers of tests/tools/op/run.sh, idempotently: PyPI authlib and requests (in the venv
# the proxies suite installs too), npm openid-client, and the IdPs it signs in through
# (npm samlify, npm oidc-provider: their own setup scripts).
set -euo pipefail
TOOLS="${AXID_TOOLS_DIR:-$HOME/.cache/axid-tools}"
VENV="${AXID_PROXIES_VENV:-$TOOLS/proxies-venv}"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import authlib, requests, cryptography' 2>/dev/null; then
  echo "installing authlib, requests into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'authlib==1.6.1' 'requests==2.32.4'
fi
NODE_DIR="${AXID_OP_NODE_DIR:-$TOOLS/op-node}"
mkdir -p "$NODE_DIR"
if [ ! -f "$NODE_DIR/node_modules/openid-client/package.json" ]; then
  echo "installing openid-client into $NODE_DIR"
  (cd "$NODE_DIR" && { [ -f package.json ] || echo '{"name":"axid-op-tools","private":true,"type":"module"}' > package.json; } \
     && npm install --no-audit --no-fund --silent openid-client@6.8.9 >/dev/null)
fi
OIDC_NODE_DIR="${AXID_OIDC_NODE_DIR:-$TOOLS/oidc-node}"
[ -f "$OIDC_NODE_DIR/node_modules/oidc-provider/package.json" ] || bash "$(dirname "$0")/../oidc/setup.sh"
SAML_NODE_DIR="${AXID_SAML_NODE_DIR:-$TOOLS/saml-node}"
[ -f "$SAML_NODE_DIR/node_modules/samlify/package.json" ] || bash "$(dirname "$0")/../saml/setup.sh"
echo "op tools ready: venv $VENV, node $NODE_DIR"
