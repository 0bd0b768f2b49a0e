#!/usr/bin/env bash
# Installs every Debian package that arraysim's build, tests and tools need.
# Idempotent: when everything is present it prints one line and touches nothing.
# Usage: scripts/install-deps.sh            (run as root, or with sudo available)
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config make
  libsystemc-dev          # SystemC 2.3.4 (C++17 build)
  libyaml-cpp-dev         # YAML parser with line/column marks
  catch2                  # Catch2 2.13 test framework
  libcli11-dev            # command-line parsing
  libfmt-dev              # formatting
  nlohmann-json3-dev      # JSON writer/reader
  verilator               # RTL simulation (co-simulation tests)
  libonnx-dev libprotobuf-dev protobuf-compiler   # ONNX tensors and models
  libonnx-testdata        # ONNX backend node tests (external check of the golden model)
  gnuplot-nox             # plots (SVG, PNG) of runs and sweeps
  libssl-dev              # SHA-256 (OpenSSL libcrypto) of sweep point keys
  clang-format            # the C++ style of .clang-format (ctest format_check)
  parallel                # GNU parallel: runs the slices `arraysim sweep --emit jobs` lists (and their test)
  clang libclang-rt-14-dev   # libFuzzer and its sanitizers: make fuzz (tests/fuzz)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 2; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
