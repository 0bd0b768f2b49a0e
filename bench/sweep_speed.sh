#!/usr/bin/env bash
# Sweep throughput: points per second of `arraysim sweep -j JOBS` (each point its own
# `arraysim run` process), from an empty output directory.
#   1. configs/sweeps/resnet50_design_space.yaml: 200 points (rows, cols, dataflow, scratchpad
#      sizes) of ResNet-50 in timing fidelity: the figure for real design-space exploration.
#   2. The same 200-point grid on one 8x8x16 GEMM: what the sweep machinery itself costs per point
#      (planning, process start, records, results.csv), the simulation being negligible.
# Usage: bash bench/sweep_speed.sh [ARRAYSIM] [JOBS]     (defaults: build/release/arraysim, 2)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exe="${1:-$here/build/release/arraysim}"
jobs="${2:-2}"
[ -x "$exe" ] || { echo "sweep_speed: no executable '$exe' (build first: make build)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Runs a spec into a fresh directory; prints points, wall seconds, points/s and the mean
# `arraysim run` time per point (the wall_s column of results.csv).
measure() {
  local label="$1" spec="$2" out="$work/$3"
  local t0 t1
  t0=$(date +%s.%N)
  "$exe" sweep "$spec" -j "$jobs" --no-plot --out "$out" >"$work/$3.log" 2>&1 || {
    echo "sweep_speed: $label failed:" >&2; cat "$work/$3.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  awk -v label="$label" -v t0="$t0" -v t1="$t1" -v jobs="$jobs" -F, '
    NR == 1 { for (i = 1; i <= NF; ++i) { if ($i == "wall_s") w = i; if ($i == "status") s = i } next }
    { n++; run += $w; ok += ($s == "ok") }
    END {
      wall = t1 - t0
      printf "%-34s %4d points (%d ok)  -j %d  %8.2f s  %8.2f points/s  mean run %.3f s/point\n",
             label, n, ok, jobs, wall, n / wall, run / n
    }' "$out/results.csv"
}

echo "arraysim sweep throughput ($("$exe" --version), $(nproc) cores, -j $jobs)"
measure "ResNet-50, timing fidelity" "$here/configs/sweeps/resnet50_design_space.yaml" resnet50

# The same axes on a one-GEMM experiment (rows and cols 8..128 fit any 8x8x16 GEMM).
cat >"$work/gemm.yaml" <<EOF
name: gemm_8x8x16
arch:
  name: grid
  array: {type: systolic, rows: 8, cols: 8, dataflow: os, input_dtype: int8}
  dram: {model: ideal}
workload:
  name: one_gemm
  layers:
    - {name: g, type: gemm, m: 8, n: 8, k: 16}
sim: {fidelity: timing}
EOF
sed -e "s|^base: .*|base: $work/gemm.yaml|" -e "s|^name: .*|name: gemm_grid|" \
  "$here/configs/sweeps/resnet50_design_space.yaml" >"$work/gemm_sweep.yaml"
measure "one 8x8x16 GEMM (sweep overhead)" "$work/gemm_sweep.yaml" gemm
