#!/usr/bin/env bash
# Installs the real browser the console tests drive, idempotently:
#   Debian chromium                 -> apt-get, when missing (/usr/bin/chromium)
#   npm puppeteer-core (no browser download: it drives the system Chromium)
#                                   -> $AXID_CONSOLE_NODE_DIR (default $HOME/.cache/axid-tools/console-node)
set -euo pipefail
TOOLS="${AXID_TOOLS_DIR:-$HOME/.cache/axid-tools}"
NODE_DIR="${AXID_CONSOLE_NODE_DIR:-$TOOLS/console-node}"

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (Debian package)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
fi

mkdir -p "$NODE_DIR"
if [ ! -f "$NODE_DIR/node_modules/puppeteer-core/package.json" ]; then
  echo "installing puppeteer-core into $NODE_DIR"
  (cd "$NODE_DIR" && { [ -f package.json ] || npm init -y >/dev/null; } \
     && npm install --no-audit --no-fund --silent puppeteer-core@24 >/dev/null)
fi
echo "console tools ready: $(command -v chromium), node $NODE_DIR"
