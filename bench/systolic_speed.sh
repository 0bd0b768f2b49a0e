#!/usr/bin/env bash
# Speed of the systolic-array model (figures, not a test). Prints, per configuration:
# simulated cycles, host seconds inside the SystemC simulation, PE-cycle updates per second
# (values fidelity), simulated cycles per second, and the golden model's seconds for the same GEMM.
# Usage: bench/systolic_speed.sh [path/to/arraysim]   (default: build/release/arraysim)
set -euo pipefail
bin=${1:-build/release/arraysim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() {  # name rows cols m n k fidelity dataflow
  local name=$1 R=$2 C=$3 M=$4 N=$5 K=$6 fid=$7 df=$8
  cat >"$tmp/exp.yaml" <<EOY
name: $name
arch:
  array: {rows: $R, cols: $C, dataflow: $df, input_dtype: int8}
  # 16 MiB scratchpads: the whole GEMM is one tile, so cycles are the untiled closed form.
  scratchpad: {ifmap: {size_kib: 16384}, weight: {size_kib: 16384}, output: {size_kib: 16384}}
  dram: {model: ideal}
workload: {layers: [{type: gemm, m: $M, n: $N, k: $K}]}
sim: {fidelity: $fid}
EOY
  local t0 t1
  t0=$(date +%s.%N)
  "$bin" run "$tmp/exp.yaml" --no-plots --out "$tmp/$name" >/dev/null
  t1=$(date +%s.%N)
  python3 - "$tmp/$name/stats.json" "$R" "$C" "$fid" "$name" "$t0" "$t1" <<'EOP'
import json, sys
s = json.load(open(sys.argv[1])); R, C = int(sys.argv[2]), int(sys.argv[3])
cyc, sim = s["total_cycles"], s["simulate_seconds"]
pe = R * C * cyc / sim if sim > 0 else float("inf")
line = f"{sys.argv[5]:<28} {sys.argv[4]:<7} cycles {cyc:>12,}  sim {sim:8.3f} s  cycles/s {cyc/sim:14,.0f}"
if sys.argv[4] == "values":
    line += f"  PE-cycles/s {pe:.3e}  golden {s['golden_seconds']:.3f} s  sim/golden {sim/max(s['golden_seconds'],1e-9):.1f}x"
line += f"  wall {float(sys.argv[7]) - float(sys.argv[6]):.2f} s  golden_match {s['golden_match']}"
print(line)
EOP
}

echo "arraysim $("$bin" --version | cut -d' ' -f2), $(nproc) cores, $(date -u +%Y-%m-%d)"
for df in os ws; do
  run "gemm1024_32x32_$df" 32 32 1024 1024 1024 values $df
  run "gemm1024_128x128_$df" 128 128 1024 1024 1024 values $df
  run "gemm4096_128x128_$df" 128 128 4096 4096 4096 timing $df
done
