#!/usr/bin/env bash
# Configures and builds one build tree.
# Usage: scripts/build.sh DIR [cmake args...] [--target T]...
# Re-running is cheap: CMake and Ninja rebuild only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1; shift
gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
cfg=(); targets=()
while (($#)); do
  if [ "$1" = "--target" ]; then targets+=(--target "$2"); shift 2; else cfg+=("$1"); shift; fi
done
if [ ! -f "$dir/CMakeCache.txt" ]; then
  cmake -S . -B "$dir" "${gen[@]}" "${cfg[@]}" >/dev/null
else
  cmake -S . -B "$dir" "${cfg[@]}" >/dev/null
fi
cmake --build "$dir" -j2 "${targets[@]}"
