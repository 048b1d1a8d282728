#!/usr/bin/env bash
# Installs the real OpenID provider the OIDC end-to-end tests run (npm oidc-provider),
# idempotently, into $AXID_TOOLS_DIR/oidc-node (default $HOME/.cache/axid-tools/oidc-node).
# The tests find it there and print "SKIPPED: oidc-provider not installed" when it is
# missing (a failure instead with AXID_REQUIRE_TOOLS=1).
set -euo pipefail
TOOLS="${AXID_TOOLS_DIR:-$HOME/.cache/axid-tools}"
DIR="$TOOLS/oidc-node"
VERSION=9.13.3
if ! command -v npm >/dev/null 2>&1; then
  echo "installing nodejs and npm (Debian packages)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq nodejs npm >/dev/null; fi
fi
mkdir -p "$DIR"
if [ "$(cd "$DIR" && node -p "try{require('oidc-provider/package.json').version}catch(e){''}" 2>/dev/null)" = "$VERSION" ]; then
  echo "oidc-provider $VERSION already installed in $DIR"
  exit 0
fi
cd "$DIR"
[ -f package.json ] || echo '{"name":"axid-oidc-tools","private":true,"type":"module"}' > package.json
npm install --silent --no-audit --no-fund "oidc-provider@$VERSION"
echo "oidc-provider $VERSION installed in $DIR"
