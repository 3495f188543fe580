#!/usr/bin/env bash
# The main job: train a small MLP (Adam, slot variables) with a
# CheckpointManager saving asynchronously every 20 steps; kill the run with
# SIGKILL half way; restart it; show that it resumed from the latest
# checkpoint and follows the uninterrupted run's loss trajectory exactly;
# then inspect the directory with the `ckpt` CLI.
#
# Usage: scripts/demo.sh [OUT_DIR]   (default build/demo)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCKPT_BUILD_BENCH=OFF \
  --target train_demo --target ckpt_cli >/dev/null
out=${1:-$(pwd)/build/demo}
rm -rf "$out"
mkdir -p "$out"
demo=build/examples/train_demo
steps=300

# kill_at_step PID STEP LOG: SIGKILL the training run PID once LOG shows it
# finished STEP (fails when the run ends first).
kill_at_step() {
  local pid=$1 step=$2 log=$3
  until grep -q "^step $step " "$log" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "demo: the run ($log) ended before it could be killed" >&2; exit 1; }
    sleep 0.05
  done
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
}

echo "== 1. uninterrupted reference run ($steps steps) =="
$demo --dir "$out/reference" --steps $steps > "$out/reference.log" 2>&1
tail -n 2 "$out/reference.log"

echo
echo "== 2. the same training, killed with SIGKILL at about step 170 =="
$demo --dir "$out/run" --steps $steps --step-ms 15 > "$out/run1.log" 2>&1 &
kill_at_step $! 170 "$out/run1.log"
echo "killed at: $(grep '^step ' "$out/run1.log" | tail -n 1)"
echo "checkpoints left on disk: $(cd "$out/run" && ls *.index | sed 's/\.index$//' | tr '\n' ' ')"

echo
echo "== 3. restart: the manager restores the latest checkpoint and training continues =="
$demo --dir "$out/run" --steps $steps > "$out/run2.log" 2>&1
head -n 1 "$out/run2.log"
tail -n 1 "$out/run2.log"

echo
echo "== 4. loss trajectories: uninterrupted vs killed + resumed =="
# Steps the resumed run computed again, compared with the reference.
awk '
  FNR == 1 { file++ }
  file == 1 && $1 == "step" { ref[$2] = $4 }
  file == 2 && $1 == "step" { first[$2] = $4; last_first = $2 }
  file == 3 && $1 == "step" { again[$2] = $4; if (!start) start = $2; end = $2 }
  END {
    printf "%6s  %-14s  %-14s  %s\n", "step", "uninterrupted", "resumed run", ""
    same = 0; n = 0
    for (s = start; s <= end; s++) {
      n++
      if (again[s] == ref[s]) same++
      if (s < start + 3 || s % 25 == 0 || s > end - 2 || s == last_first)
        printf "%6d  %-14s  %-14s  %s\n", s, ref[s], again[s], (again[s] == ref[s] ? "same" : "DIFFERENT")
    }
    printf "\nresumed at step %d (the run was killed after step %d); %d of %d resumed steps match the\n", start, last_first, same, n
    printf "uninterrupted run bit for bit.\n"
    exit (same == n && n > 0) ? 0 : 1
  }' "$out/reference.log" "$out/run1.log" "$out/run2.log"

echo
echo "== 5. the checkpoint directory, seen by the CLI =="
ref_latest=$(build/tools/ckpt latest "$out/reference")
run_latest=$(build/tools/ckpt latest "$out/run")
for cmd in "latest $out/run" "graph $run_latest" "verify $out/run" "diff $ref_latest $run_latest"; do
  echo "\$ ckpt $cmd"
  build/tools/ckpt $cmd
  echo
done
echo "\$ cat $out/run/checkpoint"
cat "$out/run/checkpoint"

echo
echo "== 6. the Python twin (examples/train_demo.py): killed and resumed the same way =="
if python3 -c "import numpy, nanobind" 2>/dev/null; then
  scripts/build.sh build -DCKPT_BUILD_PYTHON=ON --target _ckpt >/dev/null
  export PYTHONPATH="$(pwd)/build/python:$(pwd)/python"
  py="python3 examples/train_demo.py --steps 120"
  $py --dir "$out/py-reference" > "$out/py-reference.log" 2>&1
  $py --dir "$out/py-run" --step-ms 20 > "$out/py-run1.log" 2>&1 &
  kill_at_step $! 70 "$out/py-run1.log"
  echo "killed at: $(grep '^step ' "$out/py-run1.log" | tail -n 1)"
  $py --dir "$out/py-run" > "$out/py-run2.log" 2>&1
  head -n 1 "$out/py-run2.log"
  awk 'FNR == 1 { file++ }
       file == 1 && $1 == "step" { ref[$2] = $4 }
       file == 2 && $1 == "step" { n++; same += (ref[$2] == $4) }
       END { printf "%d of %d resumed steps match the uninterrupted Python run bit for bit\n", same, n
             exit (same == n && n > 0) ? 0 : 1 }' "$out/py-reference.log" "$out/py-run2.log"
  build/tools/ckpt diff "$(build/tools/ckpt latest "$out/py-reference")" "$(build/tools/ckpt latest "$out/py-run")"
else
  echo "(skipped: needs numpy and nanobind; scripts/setup.sh installs them)"
fi
