#!/usr/bin/env bash
# Builds and runs every test: C++ unit tests and fuzz replay/run (ctest),
# the same under ASan+UBSan, the async/manager tests under TSan, the Python
# package (pytest, and a pip install into a fresh venv), the installed-package consumer test, and the
# Python tests (CLI, shared TensorFlow test data, differential tests against
# real TensorFlow). Exits non-zero on the first failing stage.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/setup.sh

echo "=== build (RelWithDebInfo) ==="
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCKPT_BUILD_BENCH=OFF -DCKPT_BUILD_PYTHON=ON

echo "=== C++ tests ==="
(cd build && ctest --output-on-failure -j2 --timeout 600)

echo "=== install + find_package(ckpt) consumer ==="
rm -rf build/_install build/_consumer
cmake --install build --prefix build/_install >/dev/null
cmake -S tests/consumer -B build/_consumer -DCMAKE_PREFIX_PATH="$root/build/_install" >/dev/null
cmake --build build/_consumer -j2 >/dev/null
LD_LIBRARY_PATH="$root/build/_install/lib" build/_consumer/consumer "$root/build/_consumer/sample"

echo "=== Python tests (CLI, TF test data, differential vs TensorFlow) ==="
CKPT_BUILD_DIR="$root/build" python3 -m pytest -q tests

echo "=== Python package tests (the ckpt module from this build, side by side with TensorFlow) ==="
CKPT_BUILD_DIR="$root/build" python3 -m pytest -q python/tests

echo "=== Python package: pip install . into a fresh venv ==="
CKPT_BUILD_DIR="$root/build" python3 -m pytest -q -m venv python/tests/test_venv_install.py

echo "=== build (ASan+UBSan) ==="
scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCKPT_SANITIZE=address,undefined \
  -DCKPT_BUILD_BENCH=OFF -DCKPT_BUILD_TOOLS=OFF

echo "=== C++ tests under ASan+UBSan ==="
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j2 --timeout 900)
echo "=== build (TSan: the async saving and manager tests) ==="
scripts/build.sh build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCKPT_SANITIZE=thread \
  -DCKPT_BUILD_BENCH=OFF -DCKPT_BUILD_TOOLS=OFF -DCKPT_BUILD_FUZZ=OFF -DCKPT_BUILD_EXAMPLES=OFF --target ckpt_unit_tests

echo "=== async and manager tests under TSan ==="
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" build-tsan/tests/ckpt_unit_tests \
  --gtest_filter='*Async*:*BackgroundWriter*:*Staging*:*Manager*'
echo "=== all tests passed ==="
