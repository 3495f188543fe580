#!/usr/bin/env bash
# Long coverage-guided fuzzing with clang's libFuzzer (a developer tool, not part of the test command,
# which replays the corpus and runs the gcc-built blind mutator briefly; see tests/fuzz/CMakeLists.txt).
#   scripts/fuzz_long.sh [--seconds N] [--save-corpus] [TARGET...]    default: every target, 600 s each
# Installs Debian's clang and libclang-rt-14-dev (libclang_rt.fuzzer) if missing, builds the
# libFuzzer tree build-libfuzzer/ (CKPT_FUZZ_ENGINE=libfuzzer, -fsanitize=fuzzer,address,undefined),
# then runs the targets one after another at nice 19, each starting from its built-in seeds plus
# tests/fuzz/corpus/<target>/. Limits: one allocation above 256 MiB, RSS above 2 GiB or 25 s on one
# input is a finding. Crashes are saved as build-libfuzzer/fuzz-long/<target>/crash-* (replay one with
# `ckpt_fuzz replay <target> FILE` or the ckpt_libfuzzer_<target> binary). --save-corpus merges each
# run's corpus into tests/fuzz/corpus/<target>/ as lf-<sha1> files: the inputs of 4 KiB or less
# that add coverage, at most 25 per target.
# Prints one table row per target: runtime, execs, cov (edges), ft (features), corpus, crashes.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=600 save=0 targets=()
while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --save-corpus) save=1; shift ;;
    -*) echo "usage: $0 [--seconds N] [--save-corpus] [TARGET...]" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done

if ! command -v clang++ >/dev/null || ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "ok installed"; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q clang libclang-rt-14-dev
fi

build=$root/build-libfuzzer
# Default: every target of CKPT_FUZZ_TARGETS (tests/fuzz/CMakeLists.txt).
((${#targets[@]})) || read -r -a targets <<<"$(awk '/^set\(CKPT_FUZZ_TARGETS /{on=1} on{print} on&&/\)/{exit}' \
  tests/fuzz/CMakeLists.txt | sed 's/set(CKPT_FUZZ_TARGETS//; s/)//' | tr '\n' ' ')"
cmake_targets=(--target ckpt_fuzz)
for t in "${targets[@]}"; do cmake_targets+=(--target "ckpt_libfuzzer_$t"); done
scripts/build.sh "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" -DCKPT_BUILD_BENCH=OFF -DCKPT_BUILD_TOOLS=OFF -DCKPT_BUILD_EXAMPLES=OFF \
  -DCKPT_BUILD_PYTHON=OFF -DCKPT_SANITIZE=address,undefined -DCKPT_FUZZ_ENGINE=libfuzzer "${cmake_targets[@]}"

export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
rows=()
for t in "${targets[@]}"; do
  work=$build/fuzz-long/$t
  rm -rf "$work"
  mkdir -p "$work/corpus"
  "$build/tests/fuzz/ckpt_fuzz" seeds "$t" "$work/corpus" >/dev/null
  cp "$root/tests/fuzz/corpus/$t"/* "$work/corpus/" 2>/dev/null || true
  echo "=== $t: ${seconds} s ==="
  t0=$SECONDS
  nice -n 19 "$build/tests/fuzz/ckpt_libfuzzer_$t" -max_total_time="$seconds" -max_len=65536 -timeout=25 \
    -rss_limit_mb=2048 -malloc_limit_mb=256 -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" \
    >"$work/log" 2>&1 || true
  runtime=$((SECONDS - t0))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$work/log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
  crashes=$(find "$work" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'oom-*' -o -name 'timeout-*' \) | wc -l)
  rows+=("$(printf '| %s | %d s | %s | %s | %s | %s | %d |' "$t" "$runtime" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$crashes")")
  echo "${rows[-1]}"
  if ((save)); then
    merged=$work/merged
    mkdir -p "$merged"
    cp "$root/tests/fuzz/corpus/$t"/* "$merged/" 2>/dev/null || true
    before=$(ls "$merged" | wc -l)
    nice -n 19 "$build/tests/fuzz/ckpt_libfuzzer_$t" -merge=1 -max_len=4096 -timeout=25 -rss_limit_mb=2048 \
      -malloc_limit_mb=256 "$merged" "$work/corpus" >"$work/merge.log" 2>&1 || true
    n=0
    mkdir -p "$root/tests/fuzz/corpus/$t"
    while read -r f; do
      [ -e "$root/tests/fuzz/corpus/$t/$(basename "$f")" ] && continue
      ((n < 25)) || break
      cp "$f" "$root/tests/fuzz/corpus/$t/lf-$(basename "$f")"
      n=$((n + 1))
    done < <(find "$merged" -type f -size -4097c -printf '%s %p\n' | sort -n | cut -d' ' -f2-)
    echo "saved $n new corpus inputs of $(( $(ls "$merged" | wc -l) - before )) merged into tests/fuzz/corpus/$t"
  fi
done
echo
echo "| target | runtime | execs | cov | ft | corpus | crashes |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
