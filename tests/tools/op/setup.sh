#!/usr/bin/env bash
# The peers of tests/tools/op/run.sh: PyPI authlib and requests, in the venv the proxies
# suite installs (tests/tools/proxies/setup.sh), idempotently.
set -euo pipefail
TOOLS="${AXID_TOOLS_DIR:-$HOME/.cache/axid-tools}"
VENV="${AXID_PROXIES_VENV:-$TOOLS/proxies-venv}"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import authlib, requests, cryptography' 2>/dev/null; then
  echo "installing authlib, requests into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'authlib==1.6.1' 'requests==2.32.4'
fi
echo "op tools ready: venv $VENV"
