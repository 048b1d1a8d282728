#!/usr/bin/env bash
# Runs the webhook tests that use the standardwebhooks receiver (tests/api/events/), on SQLite and
# on PostgreSQL when TEST_DATABASE_URL is set; prints "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/../../.."
bash tests/tools/webhooks/setup.sh >/dev/null
out=$(AXID_REQUIRE_TOOLS=1 cargo nextest run --test api -E 'test(/events::/)' 2>&1 || true)
echo "$out" | tail -n 30
passed=$(echo "$out" | grep -oE '[0-9]+ passed' | tail -1 | grep -oE '[0-9]+' || echo 0)
failed=$(echo "$out" | grep -oE '[0-9]+ failed' | tail -1 | grep -oE '[0-9]+' || echo 0)
echo "${passed:-0} passed, ${failed:-0} failed"
