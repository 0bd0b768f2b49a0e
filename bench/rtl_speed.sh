#!/usr/bin/env bash
# Speed of the Verilated RTL array against the SystemC model (figures, not a test). For 8x8 and
# 16x16 arrays and one GEMM per dataflow, prints simulated cycles per second of
#   systemc  arch.array.impl: systemc (the SystemC array alone),
#   rtl      arch.array.impl: rtl     (the Verilated array alone, same controller),
#   cosim    arraysim cosim           (both in lock-step, every register compared every cycle),
# from `simulate_seconds` (host time inside the SystemC simulation) in stats.json, and the
# process's user CPU seconds; each configuration runs REPEAT times (default 3) and the fastest
# run is reported, since the build machine is shared.
# Usage: bench/rtl_speed.sh [path/to/arraysim]   (a build with -DWITH_VERILATOR=ON;
#        default build/release/arraysim, which `make test` configures that way)
set -euo pipefail
bin=${1:-build/release/arraysim}
repeat=${REPEAT:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() {  # size dataflow m n k mode
  local n=$1 df=$2 M=$3 N=$4 K=$5 mode=$6 cmd=run impl=systemc
  case $mode in
    rtl) impl=rtl ;;
    cosim) cmd=cosim ;;
  esac
  cat >"$tmp/exp.yaml" <<EOY
name: rtl_speed
arch: {array: {rows: $n, cols: $n, dataflow: $df, input_dtype: int8, impl: $impl}, dram: {model: ideal}, scratchpad: {ifmap: {size_kib: 4096}, weight: {size_kib: 4096}, output: {size_kib: 4096}}}
workload: {layers: [{type: gemm, m: $M, n: $N, k: $K}]}
sim: {fidelity: values}
EOY
  local i user
  for ((i = 0; i < repeat; ++i)); do
    user=$( { /usr/bin/time -f "%U" "$bin" "$cmd" "$tmp/exp.yaml" --out "$tmp/out$i" $([ "$cmd" = run ] && echo --no-plots) >/dev/null; } 2>&1 | tail -1)
    echo "$user" >"$tmp/out$i/user"
  done
  python3 - "$tmp" "$repeat" "$n" "$df" "$mode" "$M" "$N" "$K" <<'EOP'
import json, sys
tmp, repeat = sys.argv[1], int(sys.argv[2])
runs = [(json.load(open(f"{tmp}/out{i}/stats.json")), float(open(f"{tmp}/out{i}/user").read())) for i in range(repeat)]
s, user = min(runs, key=lambda r: r[0]["simulate_seconds"])
sys.argv = sys.argv[1:]; n = int(sys.argv[2])
cyc, sim = s["total_cycles"], s["simulate_seconds"]
print(f"{n:>2}x{n:<2} {sys.argv[3]}  gemm {sys.argv[5]}x{sys.argv[6]}x{sys.argv[7]}  {sys.argv[4]:<7}"
      f" cycles {cyc:>9,}  sim {sim:7.3f} s  cycles/s {cyc / sim:12,.0f}  PE-cycles/s {n * n * cyc / sim:10.3e}"
      f"  user {user:6.2f} s  golden_match {s['golden_match']}")
EOP
}

echo "arraysim $("$bin" --version | cut -d' ' -f2), $(nproc) cores, $(date -u +%Y-%m-%d)"
for df in ws os; do
  for mode in systemc rtl cosim; do run 8 $df 512 512 512 $mode; done
  for mode in systemc rtl cosim; do run 16 $df 512 512 512 $mode; done
done
