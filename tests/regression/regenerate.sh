#!/usr/bin/env bash
# Rewrites the regression record (tests/regression/records/) from a build of arraysim, and prints
# every number that changed as `CASE LAYER FIELD: recorded X, now Y`.
#
# Usage: tests/regression/regenerate.sh BINARY [GROUP...]
#   BINARY  the arraysim binary, e.g. build/release/arraysim
#   GROUP   only these groups of cases.txt (default: all)
#
# The cases are those of tests/regression/cases.txt. They are run, and the record files written,
# by the regression test cases of the test binary built beside BINARY (BINARY's directory/tests/
# arraysim_tests; the environment variable ARRAYSIM_TESTS names another), in their write mode.
# Regenerate only on purpose, in the same commit that changes the numbers (README.md).
set -euo pipefail

usage() {
  echo "usage: $0 BINARY [GROUP...]   (e.g. $0 build/release/arraysim)" >&2
  exit 2
}
[ $# -ge 1 ] || usage
case "$1" in -h|--help) usage ;; esac

binary=$(realpath -e "$1" 2>/dev/null) || { echo "regenerate: $1: no such file" >&2; exit 2; }
[ -x "$binary" ] || { echo "regenerate: $binary is not executable" >&2; exit 2; }
shift
tests=${ARRAYSIM_TESTS:-$(dirname "$binary")/tests/arraysim_tests}
[ -x "$tests" ] || {
  echo "regenerate: $tests: no test binary (build with tests, or set ARRAYSIM_TESTS)" >&2
  exit 2
}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The test cases to run: one per group, plus the case-list check (which also removes the record
# directories of groups no longer in cases.txt).
spec="regression case list"
if [ $# -eq 0 ]; then
  spec="[regression]"
else
  groups=$(awk '!/^[ \t]*(#|$)/ { print $1 }' "$here/cases.txt" | sort -u)
  for group in "$@"; do
    grep -qxF -- "$group" <<<"$groups" || {
      echo "regenerate: no group '$group' in $here/cases.txt; groups: $(echo $groups)" >&2
      exit 2
    }
    spec+=",regression $group"
  done
fi

echo "regenerate: records of $here/cases.txt from $binary"
status=0
ARRAYSIM_REGRESSION_WRITE=1 ARRAYSIM_REGRESSION_DIR="$here" ARRAYSIM_REGRESSION_BINARY="$binary" \
  SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$tests" "$spec" || status=$?

if git -C "$here" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "regenerate: record files changed, added or removed (git status):"
  git -C "$here" status --short -- records | sed 's/^/  /'
fi
if [ "$status" -ne 0 ]; then
  echo "regenerate: some cases failed (above); their records were left as they were" >&2
fi
exit "$status"
