#!/usr/bin/env bash
# Whole-graph speed (figures, not a test): host wall and CPU time of `arraysim run --model ... --graph` on
# ResNet-50 as a whole ONNX graph (configs/workloads/networks/graphs/resnet50.onnx: conv and fc on
# the array; batch norm, ReLU, max pool, residual adds, global average pool on the post-processing
# unit), weights seeded by the run:
#   graph_timing  timing fidelity, 128x128 array            target: under 2 s
#   graph_values  values fidelity, 32x32 array, the graph's output checked against golden::run_graph
#                                                            target: under 30 s
# Baseline, measured in the same invocation: the same network as the layer list
# configs/workloads/networks/resnet50.yaml (conv and fc only) in timing fidelity on the 128x128
# arch; each ratio (xN) is the run's time over the baseline's, for wall and for CPU time.
# Arch: configs/arch/ws_16x16_int8.yaml with --set overrides: rows and cols, fp32 operands and
# accumulators (the model is fp32), 512/512/256 KiB scratchpads with their default banks and HBM2
# (the arch of bench/network_speed.sh, in fp32). Each figure is the least of BENCH_RUNS runs
# (default 1) and is printed with its command; the runs write no plots. Beside the wall time:
# stats.json's simulate_seconds (the SystemC run) and golden_seconds (the reference model the
# values run is checked against), and the check's result (check ok / FAIL, the exit code).
# Usage: bench/graph_speed.sh [path/to/arraysim]   (default: build/release/arraysim)
set -euo pipefail
bin=${1:-build/release/arraysim}
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
runs=${BENCH_RUNS:-1}

arch=$src/configs/arch/ws_16x16_int8.yaml
model=$src/configs/workloads/networks/graphs/resnet50.onnx
common=(--set arch.array.input_dtype=fp32 --set arch.array.weight_dtype=fp32 --set arch.array.accumulator_dtype=fp32
        --set 'arch.scratchpad.ifmap={size_kib: 512}' --set 'arch.scratchpad.weight={size_kib: 512}'
        --set 'arch.scratchpad.output={size_kib: 256}' --set 'arch.dram={model: hbm2}' --no-plots)

cat >"$tmp/layers.yaml" <<EOY
name: resnet50_layers
arch: $arch
workload: $src/configs/workloads/networks/resnet50.yaml
sim: {fidelity: timing}
EOY

# Runs `arraysim run ARGS --out DIR` $runs times; prints "wall_s cpu_s exit_code" of the run with
# the least wall time. cpu_s is the process's user + system CPU time: on a machine shared with other
# work it moves less than the wall time. Exit code 1 (a golden mismatch) still yields a figure;
# any other failure stops the script.
measure() {  # label args...
  local label=$1 best="" line
  shift
  for _ in $(seq "$runs"); do
    rm -rf "${tmp:?}/$label"
    line=$(python3 - "$tmp/$label.log" "$bin" run "$@" --out "$tmp/$label" <<'EOP'
import resource, subprocess, sys, time
t0 = time.monotonic()
with open(sys.argv[1], "w") as log:
    rc = subprocess.call(sys.argv[2:], stdout=log, stderr=subprocess.STDOUT)
wall = time.monotonic() - t0
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{wall:.3f} {r.ru_utime + r.ru_stime:.3f} {rc}")
EOP
)
    read -r wall cpu rc <<<"$line"
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ] || [ ! -f "$tmp/$label/stats.json" ]; then
      echo "graph_speed: $label failed (exit $rc):" >&2
      tail -5 "$tmp/$label.log" >&2
      exit 1
    fi
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(not $wall < ${best%% *})"; then best="$wall $cpu $rc"; fi
  done
  echo "$best"
}

report() {  # label "wall_s cpu_s exit_code" "baseline wall_s cpu_s exit_code" target_s args...
  local label=$1 run=$2 base=$3 target=$4 a
  shift 4
  python3 - "$tmp/$label/stats.json" "$label" "$run" "$base" "$target" <<'EOP'
import json, sys
s = json.load(open(sys.argv[1]))
label, (wall, cpu, rc), (base_wall, base_cpu, _), target = sys.argv[2], sys.argv[3].split(), sys.argv[4].split(), sys.argv[5]
wall, cpu, base_wall, base_cpu = float(wall), float(cpu), float(base_wall), float(base_cpu)
check = {True: "ok", False: "FAIL", None: "-"}[s["golden_match"]]
goal = "" if target == "-" else "  target < " + target + " s: " + ("met" if wall < float(target) else "missed")
print(f"{label:<13} {s['fidelity']:<7} steps {len(s['layers']):>4}  cycles {s['total_cycles']:>11,}"
      f"  sim {s['simulate_seconds']:6.2f} s  golden {s['golden_seconds']:6.2f} s  wall {wall:6.2f} s (x{wall / base_wall:5.2f})"
      f"  cpu {cpu:6.2f} s (x{cpu / base_cpu:5.2f})"
      f"  check {check:<4} exit {rc}{goal}")
EOP
  # The command, from the repository root; arguments with spaces or braces in single quotes.
  printf '  $ arraysim run'
  for a in "$@"; do
    a=${a#"$src/"}
    a=${a#"$tmp/"}
    case $a in *[\ {}]*) printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac
  done
  printf ' --out DIR\n'
}

s128=(--set arch.array.rows=128 --set arch.array.cols=128)
s32=(--set arch.array.rows=32 --set arch.array.cols=32)
base_args=("$tmp/layers.yaml" "${s128[@]}" "${common[@]}")
timing_args=(--model "$model" --arch "$arch" --graph --set sim.fidelity=timing "${s128[@]}" "${common[@]}")
values_args=(--model "$model" --arch "$arch" --graph --set sim.fidelity=values "${s32[@]}" "${common[@]}")

echo "arraysim $("$bin" --version | cut -d' ' -f2), $(nproc) cores, $(date -u +%Y-%m-%d), ResNet-50, fp32, 512/512/256 KiB, HBM2, least of $runs run(s)"
base=$(measure baseline "${base_args[@]}")
timing=$(measure graph_timing "${timing_args[@]}")
values=$(measure graph_values "${values_args[@]}")
report baseline "$base" "$base" - "${base_args[@]}"
echo "    layers.yaml: {name: resnet50_layers, arch: ${arch#"$src/"}, workload: configs/workloads/networks/resnet50.yaml, sim: {fidelity: timing}}"
report graph_timing "$timing" "$base" 2 "${timing_args[@]}"
report graph_values "$values" "$base" 30 "${values_args[@]}"
