#!/usr/bin/env bash
# Reliability campaigns on the real kernel and file system (issue 14), one table at the end:
#   scenario | trials | failures | what was checked
#   scripts/stress.sh            short mode (part of scripts/test.sh): 50 kills per child kind,
#                                5,000 random power cuts, 3,000 I/O errors, 4 full-disk saves,
#                                readers during writers 4 s per writer, 2 two-manager trials,
#                                100 saves of 32 MiB sync and async, 5 concurrency rounds
#                                (no sanitizer; the test command's tsan-run stage runs it under TSan)
#   scripts/stress.sh --long     long mode, for a person: 1,000 kills per child kind (about an hour),
#                                20,000 power cuts, 20,000 I/O errors, 40 full-disk saves,
#                                readers 60 s per writer, 20 two-manager trials,
#                                1,000 saves of 64 MiB sync and async, 100 concurrency rounds under
#                                TSan (builds the TSan tree, CKPT_TSAN_BUILD_DIR, default build-tsan/)
# Needs a build tree with the CLI, the test tools, the unit tests and the Python extension
# (CKPT_BUILD_DIR, default build/).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${CKPT_BUILD_DIR:-$root/build}
tsan_build=${CKPT_TSAN_BUILD_DIR:-$root/build-tsan}
kills=50 power_cuts=5000 io_errors=3000 full_disk=1 rw_seconds=4 managers=1 long_saves=100 long_mib=32
conc_rounds=5 long=""
[ "${1:-}" = "--long" ] && long=1 kills=1000 power_cuts=20000 io_errors=20000 full_disk=10 rw_seconds=60 \
  managers=10 long_saves=1000 long_mib=64 conc_rounds=100
results=$(mktemp)
trap 'rm -f "$results"' EXIT
status=0

run() {  # run CMD...: keeps its RESULT lines, echoes the rest and how long it took
  local out rc=0 t0=$SECONDS
  out=$("$@" 2>&1) || rc=$?
  echo "$out" | grep -v '^RESULT|' || true
  echo "($((SECONDS - t0)) s)"
  echo "$out" | grep '^RESULT|' >>"$results" || { echo "no result from: $*"; rc=1; }
  ((rc == 0)) || status=1
}

export CKPT_BUILD_DIR="$build"
echo "--- real kills: C++ child"
run python3 tests/stress/kill_campaign.py --kills "$kills" --seed 11 --child cpp \
  --cpp-child "$build/tests/tools/kill_child" --cli "$build/tools/ckpt" --max-wait 0.7
echo "--- real kills: Python child"
run python3 tests/stress/kill_campaign.py --kills "$kills" --seed 12 --child python --cli "$build/tools/ckpt" --max-wait 1.0
echo "--- power cuts: fault-injection file system, random histories"
run "$build/tests/tools/power_cut_campaign" --trials "$power_cuts" --seed 21
echo "--- I/O errors: fault-injection file system (EIO, ENOSPC, EACCES at a random call)"
run "$build/tests/tools/io_error_campaign" --trials "$io_errors" --seed 31
echo "--- full disk (tmpfs when root), read-only directory"
run python3 tests/stress/full_disk_campaign.py --trials "$full_disk" --seed 32 \
  --cpp-child "$build/tests/tools/kill_child" --cli "$build/tools/ckpt"
echo "--- readers during writers; two managers on one directory"
run python3 tests/stress/readers_writers_campaign.py --seconds "$rw_seconds" --managers "$managers" --seed 41 \
  --cpp-child "$build/tests/tools/kill_child" --cli "$build/tools/ckpt"
echo "--- long runs: RSS, open fds, disk usage"
long_dir=$(mktemp -d)
for mode in sync async; do
  run "$build/tests/tools/long_run" "$long_dir/$mode" --saves "$long_saves" --mib "$long_mib" --mode "$mode"
done
rm -rf "$long_dir"
echo "--- concurrency: 13 threads, Checkpoints and managers in separate and shared directories"
conc=(env CKPT_STRESS_ROUNDS="$conc_rounds" CKPT_STRESS_SEED=51)
if [ -n "$long" ]; then
  source scripts/sanitizer_flags.sh
  scripts/build.sh "$tsan_build" "${TSAN_FLAGS[@]}" --target ckpt_unit_tests >/dev/null
  conc+=(TSAN_OPTIONS="$TSAN_RUN_OPTIONS" "$tsan_build/tests/ckpt_unit_tests")
else
  conc+=("$build/tests/ckpt_unit_tests")
fi
run "${conc[@]}" --gtest_brief=1 --gtest_filter='ConcurrencyStress.*'

echo
printf '%-44s %7s %9s  %s\n' scenario trials failures "checked"
while IFS='|' read -r _ name trials fails checked; do
  printf '%-44s %7s %9s  %s\n' "$name" "$trials" "$fails" "$checked"
done <"$results"
exit $status
