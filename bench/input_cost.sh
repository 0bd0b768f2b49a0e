#!/usr/bin/env bash
# What the largest inputs cost (figures, not a test): host wall time and peak memory (maximum
# resident set) of importing a SCALE-Sim topology at the workload limit (16384 rows) and past it
# (100,000 rows: refused), and of checking a 16384-layer experiment; docs/config.md#limits.
# Usage: bench/input_cost.sh [path/to/arraysim]   (default: build/release/arraysim)
set -euo pipefail
bin=${1:-build/release/arraysim}
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Peak RSS of a process from its /proc status, sampled until it ends (no /usr/bin/time needed).
measure() {  # label command...
  local label=$1
  shift
  local t0 t1 peak=0 rss
  t0=$(date +%s.%N)
  "$@" >"$tmp/out" 2>"$tmp/err" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ -n "$rss" ] && [ "$rss" -gt "$peak" ] && peak=$rss
    sleep 0.05
  done
  local rc=0
  wait "$pid" || rc=$?
  t1=$(date +%s.%N)
  awk -v l="$label" -v rc="$rc" -v t0="$t0" -v t1="$t1" -v kb="$peak" \
    'BEGIN { printf "%-56s exit %d  wall %6.2f s  peak RSS %7.1f MiB\n", l, rc, t1 - t0, kb / 1024 }'
}

conv_csv() {  # rows -> CSV of that many ResNet-like convolution rows
  echo "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,"
  awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "conv%d, 58, 58, 3, 3, 64, 64, 1,\n", i }'
}

conv_csv 16384 >"$tmp/t16384.csv"
conv_csv 100000 >"$tmp/t100000.csv"
{
  echo "arch: $src/configs/arch/os_8x8_int8.yaml"
  echo "workload:"
  echo "  layers:"
  awk 'BEGIN { for (i = 0; i < 16384; i++) printf "    - {name: c%d, type: conv2d, in_channels: 64, in_height: 56, in_width: 56, out_channels: 64, kernel: 3, padding: 1}\n", i }'
} >"$tmp/exp.yaml"

echo "arraysim $("$bin" --version | cut -d' ' -f2), $(nproc) cores, $(date -u +%Y-%m-%d)"
measure "import scalesim, 16384 convolution rows (the limit)" \
  "$bin" import scalesim --cfg "$src/tests/data/scalesim/c32_sram16_bw2.cfg" --topology "$tmp/t16384.csv" -o "$tmp/i.yaml"
measure "import scalesim, 100000 rows (refused: over the limit)" \
  "$bin" import scalesim --cfg "$src/tests/data/scalesim/c32_sram16_bw2.cfg" --topology "$tmp/t100000.csv" -o "$tmp/j.yaml"
measure "check, an experiment of 16384 conv2d layers" "$bin" check "$tmp/exp.yaml"
