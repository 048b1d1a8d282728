#!/usr/bin/env bash
# Installs the PyPI openapi-spec-validator (an independent OpenAPI 3.1 validator) and
# schemathesis (property-based testing of every documented operation) into a venv under
# $HOME/.cache/axid-tools/openapi-venv; tests/api/openapi/ drive both against a live axid.
# Idempotent: a second run only checks that both start.
set -euo pipefail
VENV="${AXID_OPENAPI_VENV:-$HOME/.cache/axid-tools/openapi-venv}"
VALIDATOR_VERSION="${OPENAPI_SPEC_VALIDATOR_VERSION:-0.9.0}"
SCHEMATHESIS_VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"

if [ ! -x "$VENV/bin/python" ]; then
    mkdir -p "$(dirname "$VENV")"
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION" \
    || ! "$VENV/bin/pip" show openapi-spec-validator 2>/dev/null | grep -q "^Version: $VALIDATOR_VERSION"; then
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        "openapi-spec-validator==${VALIDATOR_VERSION}" "schemathesis==${SCHEMATHESIS_VERSION}"
fi
"$VENV/bin/openapi-spec-validator" --help >/dev/null
"$VENV/bin/schemathesis" --version
echo "openapi-spec-validator and schemathesis ready in $VENV"
