#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for a fixed time each (tests/fuzz/README.md).
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
#   FUZZ_RUNS=N (environment): N inputs per target from seed FUZZ_SEED (default 1) instead of a
#   time limit: the same inputs on every machine, so a CI step passes or fails the same way
#   BUILD_DIR  a build configured with -DARRAYSIM_FUZZ=ON (make fuzz uses build/fuzz)
#   SECONDS    fuzzing time per target
# New interesting inputs go to BUILD_DIR/fuzz/corpus/NAME (the committed seeds stay as they are);
# a crash stops the run with exit 1 and leaves BUILD_DIR/fuzz/findings/NAME/crash-* (the input):
# fix it, then commit the input to tests/fuzz/corpus/NAME so that `fuzz_replay_NAME` keeps it fixed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$1"
seconds="$2"
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(experiment scalesim onnx sweep_spec stats_json npy)
status=0
for t in "${targets[@]}"; do
  exe="$build/fuzz/fuzz_$t"
  work="$build/fuzz/corpus/$t"
  findings="$build/fuzz/findings/$t"
  mkdir -p "$work" "$findings"
  if [ -n "${FUZZ_RUNS:-}" ]; then echo "fuzz: $t, $FUZZ_RUNS inputs from seed ${FUZZ_SEED:-1}"; else echo "fuzz: $t for $seconds s"; fi
  # -timeout: one input may take 10 s; -rss_limit_mb: an input may use 2 GiB (the limits of docs/config.md).
  limit=(-max_total_time="$seconds")
  [ -z "${FUZZ_RUNS:-}" ] || limit=(-runs="$FUZZ_RUNS" -seed="${FUZZ_SEED:-1}")
  if ! "$exe" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$findings/" -print_final_stats=1 "$work" "$root/tests/fuzz/corpus/$t" \
      > "$build/fuzz/$t.log" 2>&1; then
    echo "fuzz: $t FOUND A PROBLEM: input in $findings/, log $build/fuzz/$t.log"
    tail -n 40 "$build/fuzz/$t.log"
    status=1
  else
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$build/fuzz/$t.log" | tr '\n' ' '
    echo
  fi
done
exit $status
