#!/usr/bin/env bash
# The main job (for now): write a sample checkpoint with the C++ API, then
# inspect it with the `ckpt` CLI the way a shell user would.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --no-python
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCKPT_BUILD_BENCH=OFF
out=${1:-$(pwd)/build/demo}
rm -rf "$out"
echo "\$ write_sample $out"
build/examples/write_sample "$out"
for cmd in "latest $out" "ls $out" "dump $out dense/kernel" "dump $out vocab" "verify $out"; do
  echo; echo "\$ ckpt $cmd"
  build/tools/ckpt $cmd
done
