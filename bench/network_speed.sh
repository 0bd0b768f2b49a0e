#!/usr/bin/env bash
# Whole-network speed (figures, not a test): host wall time of `arraysim run` for ResNet-50 and one
# BERT-base encoder layer at sequence length 512, timing fidelity, on 32x32 and 128x128 arrays
# with every dataflow, each network in one elaboration. Target: ResNet-50 on 128x128 under 2 s.
# Usage: bench/network_speed.sh [path/to/arraysim]   (default: build/release/arraysim)
set -euo pipefail
bin=${1:-build/release/arraysim}
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() {  # network rows cols dataflow
  local net=$1 R=$2 C=$3 df=$4 name="$1_$2x$3_$4"
  cat >"$tmp/exp.yaml" <<EOY
name: $name
arch:
  name: ${df}_${R}x${C}_int8
  array: {rows: $R, cols: $C, dataflow: $df, input_dtype: int8}
  scratchpad: {ifmap: {size_kib: 512}, weight: {size_kib: 512}, output: {size_kib: 256}}
  dram: {model: hbm2}
workload: $src/configs/workloads/networks/$net.yaml
sim: {fidelity: timing}
EOY
  local t0 t1
  t0=$(date +%s.%N)
  "$bin" run "$tmp/exp.yaml" --no-plots --out "$tmp/$name" >/dev/null
  t1=$(date +%s.%N)
  python3 - "$tmp/$name/stats.json" "$name" "$t0" "$t1" <<'EOP'
import json, sys
s = json.load(open(sys.argv[1]))
folds = sum(l["folds"] for l in s["layers"])
print(f"{sys.argv[2]:<28} layers {len(s['layers']):>3}  MACs {s['macs']:>14,}  cycles {s['total_cycles']:>12,}"
      f"  util {100 * s['pe_utilization']:5.1f}%  folds {folds:>9,}  sim {s['simulate_seconds']:7.3f} s"
      f"  stall {100 * s['stall_cycles'] / s['total_cycles']:5.1f}%  wall {float(sys.argv[4]) - float(sys.argv[3]):6.2f} s"
      f"  analytic_match {s['analytic_match']}")
EOP
}

echo "arraysim $("$bin" --version | cut -d' ' -f2), $(nproc) cores, $(date -u +%Y-%m-%d), timing fidelity, 512/512/256 KiB scratchpads, HBM2"
for net in resnet50 bert_base_seq512; do
  for size in 32 128; do
    for df in os ws is; do
      run "$net" "$size" "$size" "$df"
    done
  done
done
