#!/usr/bin/env bash
# Installs the SCIM conformance tools (PyPI scim2-tester and scim-sanity) into a venv under
# $HOME/.cache/axid-tools/scim-venv. Idempotent: a second run only checks they import.
set -euo pipefail
VENV="${AXID_SCIM_VENV:-$HOME/.cache/axid-tools/scim-venv}"
SCIM2_TESTER_VERSION="${SCIM2_TESTER_VERSION:-0.5.2}"
SCIM_SANITY_VERSION="${SCIM_SANITY_VERSION:-0.7.4}"

if [ ! -x "$VENV/bin/python" ]; then
    mkdir -p "$(dirname "$VENV")"
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import scim2_tester, scim2_client, httpx2' 2>/dev/null \
    || ! [ -x "$VENV/bin/scim-sanity" ]; then
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet \
        "scim2-tester[httpx2]${SCIM2_TESTER_VERSION:+==$SCIM2_TESTER_VERSION}" \
        "scim-sanity${SCIM_SANITY_VERSION:+==$SCIM_SANITY_VERSION}"
fi
"$VENV/bin/python" -c 'import scim2_tester, scim2_client, httpx2'
"$VENV/bin/pip" list 2>/dev/null | grep -iE '^(scim2-tester|scim2-client|scim2-models|scim-sanity|httpx2?) ' || true
echo "SCIM conformance tools ready in $VENV"
