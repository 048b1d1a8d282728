#!/usr/bin/env bash
# The fuzz suite: every cargo-fuzz target of fuzz/ runs for FUZZ_SECONDS (default 40) from
# the corpus kept in fuzz/corpus/<target>, on the stable toolchain without a sanitizer
# (`-s none`; AddressSanitizer needs RUSTC_BOOTSTRAP=1 and a rebuild of everything: see
# fuzz/README.md). New inputs go to a scratch directory, not the repository. A crash fails
# the run and prints the input's path; it then belongs in a unit test.
# Prints per target the executions, executions per second and coverage, then
# "fuzz: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../../.."
SECS="${FUZZ_SECONDS:-40}"
export CARGO_TARGET_DIR="${AXID_FUZZ_TARGET_DIR:-$HOME/.cache/axid-fuzz-target}"
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
TARGETS=$(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^axid-fuzz$')
(cd fuzz && cargo fuzz build -s none >"$SCRATCH/build.log" 2>&1) || {
  cat "$SCRATCH/build.log"; echo "fuzz: 0 passed, 1 failed (build)"; exit 1; }
passed=0; failed=0
for t in $TARGETS; do
  mkdir -p "$SCRATCH/$t"
  log="$SCRATCH/$t.log"
  (cd fuzz && cargo fuzz run -s none "$t" "$SCRATCH/$t" "corpus/$t" -- \
      -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1)
  rc=$?
  seeds=$(find "fuzz/corpus/$t" -type f | wc -l)
  start_cov=$(grep -m1 -o 'INITED cov: [0-9]*' "$log" | grep -o '[0-9]*$')
  end_cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    printf '%-14s ok    %10s runs  %7s exec/s  coverage %s -> %s (from %s seeds)\n' "$t" "${runs:-?}" "${speed:-?}" "${start_cov:-?}" "${end_cov:-?}" "$seeds"
  else
    failed=$((failed + 1))
    printf '%-14s FAIL  (exit %s)\n' "$t" "$rc"
    grep -E 'panicked|ERROR|SUMMARY|Test unit written|artifact' "$log" | head -20
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
