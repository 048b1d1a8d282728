#!/usr/bin/env bash
# The whole test suite, with everything it needs installed first (idempotent, cached under
# $HOME/.cache): unit tests, API tests on SQLite and PostgreSQL, CLI tests, and the tool
# suites under tests/tools/*/ (conformance checkers, scripted IdPs).
#
#   ./scripts/test.sh              # PostgreSQL tests run when TEST_DATABASE_URL is set
#   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres ./scripts/test.sh
#
# Extra arguments go to cargo nextest (for example a test-name filter).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/axid-target}"
TOOLS="${AXID_TOOLS_DIR:-$HOME/.cache/axid-tools}"
export AXID_TOOLS_DIR="$TOOLS"
mkdir -p "$TOOLS"

# A Python venv for the real peers the tests talk to (aiosmtpd as the SMTP server).
VENV="$TOOLS/venv"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -c 'import aiosmtpd' 2>/dev/null || "$VENV/bin/pip" install --quiet --disable-pip-version-check 'aiosmtpd==1.4.6'
export AXID_TEST_PYTHON="$VENV/bin/python"

# Each tool suite installs its own peers (npm, pip, apt) through an idempotent setup.sh.
for setup in tests/tools/*/setup.sh; do
  [ -f "$setup" ] || continue
  echo "== setting up $(dirname "$setup")"
  bash "$setup"
done

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "== PostgreSQL tests run against $TEST_DATABASE_URL (one database per test, dropped after)"
else
  echo "== TEST_DATABASE_URL is not set: PostgreSQL tests will be SKIPPED (each says so)"
fi

if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --no-fail-fast "$@"
else
  echo "== cargo-nextest not found; using cargo test"
  cargo test --no-fail-fast "$@"
fi

# Suites that drive a running axid with external tools print their own
# "N passed, N failed" line and fail the run on any failure.
for suite in tests/tools/*/run.sh tests/tools/*/conformance.sh; do
  [ -f "$suite" ] || continue
  echo "== running $(dirname "$suite")"
  bash "$suite"
done
