#!/usr/bin/env bash
# Mapper speed (figures, not a test): host wall time, pinned to one core, the least of BENCH_RUNS
# runs (default 3: the machine is shared and noise only adds), of `arraysim map` on ResNet-50
# (search and confirmation by the cycle model; then the search alone, confirm: 0) and of the whole
# timing run, on a 128x128 array with every dataflow, 512/512/256 KiB scratchpads and HBM2 (the
# arch of bench/network_speed.sh). Targets (docs/mapping.md): mapping under 1 s; the
# run no more than 2x the run of BASELINE, an arraysim binary measured in the same invocation
# (e.g. a build from before the mapper).
# Usage: bench/mapping_speed.sh [path/to/arraysim] [path/to/baseline-arraysim]
set -euo pipefail
bin=${1:-build/release/arraysim}
base=${2:-}
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
one_core=(taskset -c 0)
command -v taskset >/dev/null || one_core=()

runs=${BENCH_RUNS:-3}
wall() {  # command... ; prints the least wall seconds of $runs runs
  local t0 t1 best=""
  for _ in $(seq "$runs"); do
    t0=$(date +%s.%N)
    "${one_core[@]}" "$@" >/dev/null
    t1=$(date +%s.%N)
    best=$(python3 -c "t = $t1 - $t0; b = '$best'; print(f'{min(t, float(b)) if b else t:.3f}')")
  done
  echo "$best"
}

echo "arraysim $("$bin" --version | cut -d' ' -f2), one core of $(nproc), $(date -u +%Y-%m-%d), ResNet-50, 128x128, 512/512/256 KiB, HBM2"
printf '%-4s %12s %16s %12s %14s %8s\n' df map_s map_search_s run_s baseline_s ratio
for df in os ws is; do
  cat >"$tmp/exp.yaml" <<EOY
name: rn50_$df
arch:
  name: ${df}_128x128_int8
  array: {rows: 128, cols: 128, dataflow: $df, input_dtype: int8}
  scratchpad: {ifmap: {size_kib: 512}, weight: {size_kib: 512}, output: {size_kib: 256}}
  dram: {model: hbm2}
workload: $src/configs/workloads/networks/resnet50.yaml
sim: {fidelity: timing}
EOY
  map_s=$(wall "$bin" map "$tmp/exp.yaml" --top 1)
  search_s=$(wall "$bin" map "$tmp/exp.yaml" --top 1 --set arch.mapping.confirm=0)
  run_s=$(wall "$bin" run "$tmp/exp.yaml" --no-plots --out "$tmp/run_$df")
  base_s=- ratio=-
  if [ -n "$base" ]; then
    base_s=$(wall "$base" run "$tmp/exp.yaml" --no-plots --out "$tmp/base_$df")
    ratio=$(python3 -c "print(f'{$run_s / $base_s:.2f}')")
  fi
  printf '%-4s %12s %16s %12s %14s %8s\n' "$df" "$map_s" "$search_s" "$run_s" "$base_s" "$ratio"
done
