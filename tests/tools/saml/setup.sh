#!/usr/bin/env bash
# Installs the real SAML IdPs the end-to-end tests drive, idempotently:
#   npm samlify (+ @xmldom/xmldom, xml-crypto)  -> $AXID_SAML_NODE_DIR  (default $HOME/.cache/axid-tools/saml-node)
#   PyPI pysaml2 in a venv                      -> $AXID_SAML_VENV      (default $HOME/.cache/axid-tools/saml-venv)
#   Debian xmlsec1 (pysaml2 signs through it)   -> apt-get, when missing
set -euo pipefail
TOOLS="${AXID_TOOLS_DIR:-$HOME/.cache/axid-tools}"
NODE_DIR="${AXID_SAML_NODE_DIR:-$TOOLS/saml-node}"
VENV="${AXID_SAML_VENV:-$TOOLS/saml-venv}"

if ! command -v xmlsec1 >/dev/null 2>&1; then
  echo "installing xmlsec1 (Debian package)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq xmlsec1 >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq xmlsec1 >/dev/null; fi
fi

mkdir -p "$NODE_DIR"
if [ ! -f "$NODE_DIR/node_modules/samlify/package.json" ]; then
  echo "installing samlify into $NODE_DIR"
  (cd "$NODE_DIR" && { [ -f package.json ] || npm init -y >/dev/null; } \
     && npm install --no-audit --no-fund --silent samlify@2.13.1 @xmldom/xmldom xml-crypto >/dev/null)
fi

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import saml2' 2>/dev/null; then
  echo "installing pysaml2 into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check pysaml2==7.5.5
fi
echo "SAML tools ready: node $NODE_DIR, venv $VENV, $(command -v xmlsec1)"
