#!/usr/bin/env bash
# cargo-fuzz for the fuzz suite (run.sh): installed into ~/.cargo/bin once, from crates.io.
set -euo pipefail
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install --quiet --locked cargo-fuzz@0.13.1
fi
cargo fuzz --version
