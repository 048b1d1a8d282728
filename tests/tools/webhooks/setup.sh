#!/usr/bin/env bash
# Installs the PyPI standardwebhooks library (the Standard Webhooks reference verifier) into a
# venv under $HOME/.cache/axid-tools/webhooks-venv. Idempotent: a second run only checks it imports.
set -euo pipefail
VENV="${AXID_WEBHOOKS_VENV:-$HOME/.cache/axid-tools/webhooks-venv}"
STANDARDWEBHOOKS_VERSION="${STANDARDWEBHOOKS_VERSION:-1.1.0}"

if [ ! -x "$VENV/bin/python" ]; then
    mkdir -p "$(dirname "$VENV")"
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import standardwebhooks' 2>/dev/null; then
    "$VENV/bin/pip" install --quiet "standardwebhooks==${STANDARDWEBHOOKS_VERSION}"
fi
"$VENV/bin/python" -c 'import standardwebhooks'
echo "standardwebhooks ready in $VENV"
