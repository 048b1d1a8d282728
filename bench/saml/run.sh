#!/usr/bin/env bash
# SAML benchmark, run by hand (not in CI): µs per validation in-process, axid vs npm
# @node-saml/node-saml on the same 200 Okta-shaped signed responses, then ACS logins per
# second end to end (IdP-initiated, unique assertion ids, SQLite). Quote ratios: these
# machines are noisy. Needs node; installs @node-saml/node-saml into $AXID_SAML_NODE_DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
NODE_DIR="${AXID_SAML_NODE_DIR:-$HOME/.cache/axid-tools/saml-node}"
N="${N:-200}"
LOGINS="${LOGINS:-5000}"
CONCURRENCY="${CONCURRENCY:-16}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

mkdir -p "$NODE_DIR"
if [ ! -f "$NODE_DIR/node_modules/@node-saml/node-saml/package.json" ]; then
  (cd "$NODE_DIR" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-audit --no-fund --silent @node-saml/node-saml >/dev/null)
fi

cargo build --release --example saml_bench
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
BIN="$TARGET_DIR/release/examples/saml_bench"
"$BIN" gen "$OUT" "$N"
# Prints a tool's line and keeps its figure (no `tee /dev/stderr`: reopening stderr by path
# truncates a log file it was redirected to).
micros() { local line; line=$("$@"); echo "$line" >&2; echo "$line" | grep -o '[0-9.]* us' | cut -d' ' -f1; }
AXID=$(micros "$BIN" validate "$OUT")
NODE=$(micros env NODE_PATH="$NODE_DIR/node_modules" node bench/saml/node-saml-bench.js "$OUT")
python3 -c "print(f'ratio: node-saml / axid = {float($NODE) / float($AXID):.1f}x (target >= 5x)')"
# Decrypt-plus-validate: the same responses with the assertion encrypted for the SP.
ENC="$OUT/encrypted"
"$BIN" gen-encrypted "$ENC" "$N"
AXID_ENC=$(micros "$BIN" validate "$ENC")
NODE_ENC=$(micros env NODE_PATH="$NODE_DIR/node_modules" node bench/saml/node-saml-bench.js "$ENC")
python3 -c "print(f'encrypted ratio: node-saml / axid = {float($NODE_ENC) / float($AXID_ENC):.1f}x')"
"$BIN" acs "$LOGINS" "$CONCURRENCY"
