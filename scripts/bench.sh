#!/usr/bin/env bash
# Runs the checkpoint benchmarks: bench/bundle_bench (ckpt vs raw O_DIRECT
# disk I/O vs memcpy, plus 100k tiny tensors) and bench/tf_bench.py (the same
# arrays through TensorFlow's tf.train.Checkpoint), in one run on the same
# filesystem, then prints a combined summary. Never part of pass/fail.
#
# Usage: scripts/bench.sh [--dir D] [--total-mib N=1024] [--tensors T=128] [--reps R=3] [--tiny K=100000]
#        scripts/bench.sh --async [--dir D] [--total-mib N=256] [--tensors T=32] [--reps R=5]
#   --dir D   parent directory for the data; a fresh subdirectory is created
#             under it and removed afterwards (default:
#             build-bench/bench-data). Pick a directory on the disk you care about.
#   --async   run only bench/async_bench: the stall of an async Save against a
#             memcpy of the same bytes, and a CPU-bound loop's step rate with
#             no / async / sync checkpoints (no TensorFlow needed).
#        scripts/bench.sh --peers [--size 1G] [--count 128] [--rounds 3] [--smoke] [other bench/peers/peers.py flags]
#   --peers   run only bench/peers/peers.py: ckpt (Python package) vs raw O_DIRECT, TensorFlow,
#             torch.save/load, safetensors, Orbax, np.savez/load on the same arrays (durable
#             save, cold and warm restore, each system in its own process, alternated), then
#             ckpt's async first-save stall; prints the table, writes bench/results/peers.png
#             and .json. --smoke: 8 MiB, 1 round (does every peer still run?). Installs missing
#             peers with scripts/setup.sh; --help after --peers lists every flag.
#        scripts/bench.sh --dist [--mib 256] [--ranks 1,2,4]
#   --dist    run only bench/dist_bench.py: an N-rank save and restore of the same bytes through ckpt
#             (ShardedVariable + a torch.distributed communicator) next to torch.distributed.checkpoint
#             (gloo on loopback), printing ckpt/DCP ratios. Installs torch with scripts/setup.sh if missing.
# Builds Release into build-bench/ (only the bench target; CKPT_BENCH_BUILD_DIR picks another tree). Idempotent: re-runs
# rebuild only what changed; installs tensorflow-cpu / numpy with pip only when
# they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build="${CKPT_BENCH_BUILD_DIR:-$root/build-bench}"  # override: an existing build tree with CKPT_BUILD_BENCH=ON

parent="$build/bench-data"

# The Release Python extension in $build (and, first, scripts/setup.sh when `import $*` fails).
python_extension() {
  local py=${PYTHON:-python3}
  if ! $py -c "import $(IFS=,; echo "$*")" 2>/dev/null; then
    echo "=== installing what the bench needs: $* (scripts/setup.sh) ==="
    scripts/setup.sh
  fi
  echo "=== build (Release, $build: Python extension) ==="
  if [ ! -f "$build/CMakeCache.txt" ] || ! grep -q '^CKPT_BUILD_PYTHON:BOOL=ON' "$build/CMakeCache.txt"; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCKPT_BUILD_TESTS=OFF \
      -DCKPT_BUILD_TOOLS=OFF -DCKPT_BUILD_EXAMPLES=OFF -DCKPT_BUILD_FUZZ=OFF -DCKPT_BUILD_PYTHON=ON >/dev/null
  fi
  if ! ninja -C "$build" -j2 _ckpt >"$build/bench-build.log" 2>&1; then
    grep -E -A3 'error|FAILED' "$build/bench-build.log" | head -40 >&2
    echo "bench.sh: build failed (full log: $build/bench-build.log)" >&2
    exit 1
  fi
}

# --peers: the extension, the peers installed, then bench/peers/peers.py.
peers() {
  python_extension numpy tensorflow torch safetensors jax orbax.checkpoint matplotlib
  local args=("$@")
  [[ " ${args[*]} " == *" --dir "* ]] || args+=(--dir "$parent")
  ${PYTHON:-python3} "$root/bench/peers/peers.py" --build-dir "$build" "${args[@]}"
}

# --dist: the extension, then bench/dist_bench.py.
dist() {
  python_extension numpy torch
  CKPT_BUILD_DIR="$build" PYTHONPATH="$build/python:$root/python${PYTHONPATH:+:$PYTHONPATH}" \
    ${PYTHON:-python3} "$root/bench/dist_bench.py" "$@"
}
total_mib=1024 tensors=128 reps=3 tiny=100000
async=0 total_mib_set=0 tensors_set=0 reps_set=0
while (($#)); do
  case $1 in
    --async) async=1; shift ;;
    --dir) parent=$2; shift 2 ;;
    --total-mib) total_mib=$2; total_mib_set=1; shift 2 ;;
    --tensors) tensors=$2; tensors_set=1; shift 2 ;;
    --reps) reps=$2; reps_set=1; shift 2 ;;
    --tiny) tiny=$2; shift 2 ;;
    --peers) shift; peers "$@"; exit 0 ;;
    --dist) shift; dist "$@"; exit 0 ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

PY=${PYTHON:-python3}
if ((async)); then
  ((total_mib_set)) || total_mib=256
  ((tensors_set)) || tensors=32
  ((reps_set)) || reps=5
  echo "=== build (Release, $build) ==="
  if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCKPT_BUILD_TESTS=OFF \
      -DCKPT_BUILD_TOOLS=OFF -DCKPT_BUILD_EXAMPLES=OFF -DCKPT_BUILD_FUZZ=OFF >/dev/null
  fi
  if ! ninja -C "$build" -j2 async_bench >"$build/bench-build.log" 2>&1; then
    grep -E -A3 'error|FAILED' "$build/bench-build.log" | head -40 >&2
    echo "bench.sh: build failed (full log: $build/bench-build.log)" >&2
    exit 1
  fi
  mkdir -p "$parent"
  data=$(mktemp -d "$parent/run.XXXXXX")
  log=$(mktemp)
  trap 'rm -rf "$data" "$log"' EXIT
  echo "=== async_bench ==="
  "$build/bench/async_bench" --dir "$data" --total-mib "$total_mib" --tensors "$tensors" --reps "$reps" | tee "$log"
  echo
  echo "=== summary (load average now $(cut -d' ' -f1-3 /proc/loadavg)) ==="
  $PY - "$log" <<'EOF'
import json, sys
c = json.loads([l for l in open(sys.argv[1]) if l.startswith("JSON ")][-1][5:])
print(f"async: {c['total_mib']:.0f} MiB in {c['tensors']} tensors: stall {1e3 * c['async_stall_s']:.1f} ms = "
      f"{c['stall_over_memcpy']:.2f}x memcpy ({1e3 * c['memcpy_s']:.1f} ms); sync save {1e3 * c['sync_save_s']:.1f} ms; "
      f"step rate with a save every {c['steps_per_save']} steps: async {c['async_over_none']:.3f}x, "
      f"sync {c['sync_over_none']:.3f}x of no-checkpoint (blocked in save per run: async "
      f"{1e3 * c['blocked_async_s']:.0f} ms, sync {1e3 * c['blocked_sync_s']:.0f} ms)")
EOF
  exit 0
fi
if ! $PY -c "import tensorflow, numpy" 2>/dev/null; then
  echo "=== installing tensorflow-cpu numpy (pip) ==="
  $PY -m pip install -q tensorflow-cpu numpy
fi

echo "=== build (Release, $build) ==="
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCKPT_BUILD_TESTS=OFF \
    -DCKPT_BUILD_TOOLS=OFF -DCKPT_BUILD_EXAMPLES=OFF -DCKPT_BUILD_FUZZ=OFF >/dev/null
fi
if ! ninja -C "$build" -j2 bundle_bench >"$build/bench-build.log" 2>&1; then
  grep -E -A3 'error|FAILED' "$build/bench-build.log" | head -40 >&2
  echo "bench.sh: build failed (full log: $build/bench-build.log)" >&2
  exit 1
fi

mkdir -p "$parent"
data=$(mktemp -d "$parent/run.XXXXXX")
logs=$(mktemp -d)
trap 'rm -rf "$data" "$logs"' EXIT

echo "=== machine ==="
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); data dir $data ($(df -h --output=source,fstype,avail "$data" | tail -1 | tr -s ' '))"

echo
echo "=== bundle_bench ==="
"$build/bench/bundle_bench" --dir "$data/ckpt" --total-mib "$total_mib" --tensors "$tensors" --reps "$reps" \
  --tiny "$tiny" | tee "$logs/ckpt.txt"

echo
echo "=== tf_bench.py ==="
TF_CPP_MIN_LOG_LEVEL=2 $PY bench/tf_bench.py --dir "$data/tf" --total-mib "$total_mib" --tensors "$tensors" \
  --reps "$reps" 2> >(grep -v -e 'oneDNN' -e 'cpu_feature_guard' -e 'rebuild TensorFlow' -e '^WARNING: All log' >&2) \
  | tee "$logs/tf.txt"

echo
echo "=== summary (load average now $(cut -d' ' -f1-3 /proc/loadavg)) ==="
$PY - "$logs/ckpt.txt" "$logs/tf.txt" <<'EOF'
import json, sys

def last_json(path):
    lines = [l for l in open(path) if l.startswith("JSON ")]
    return json.loads(lines[-1][5:])

c, t = last_json(sys.argv[1]), last_json(sys.argv[2])
print(f"{c['total_mib']} MiB in {c['tensors']} float32 tensors, median of {c['reps']} reps, {c['fs']} at {c['dir']}")
cold = "cold (page cache dropped, verified by mincore)" if c["cold_max_resident_fraction"] < 0.01 else \
       f"NOT fully cold ({100 * c['cold_max_resident_fraction']:.1f}% resident)"
print(f"restores are {cold}; GB = 1e9 bytes\n")
rows = [
    ("raw O_DIRECT write + fdatasync", c["raw_write_gbps"]),
    ("raw O_DIRECT write 8 MiB from huge pages", c["raw_write_huge_gbps"]),
    ("raw O_DIRECT read (cold)", c["raw_read_gbps"]),
    ("raw buffered read (cold)", c["raw_read_buffered_gbps"]),
    ("raw buffered write + fdatasync", c["raw_write_buffered_gbps"]),
    ("memcpy", c["memcpy_gbps"]),
    ("first touch of fresh memory (page faults)", c["first_touch_gbps"]),
    ("ckpt save (direct_io on, durable)", c["ckpt_save_direct_gbps"]),
    ("ckpt save (direct_io on, src not 4K-aligned)", c["ckpt_save_direct_unaligned_gbps"]),
    ("ckpt save (direct_io off, durable)", c["ckpt_save_buffered_gbps"]),
    ("ckpt restore ReadInto (cold)", c["ckpt_restore_gbps"]),
    ("ckpt restore ReadInto (warm)", c["ckpt_restore_warm_gbps"]),
    ("TF save (no fsync)", t["tf_save_gbps"]),
    ("TF save + fdatasync", t["tf_save_fsync_gbps"]),
    ("TF restore (cold)", t["tf_restore_gbps"]),
    ("TF restore (warm)", t["tf_restore_warm_gbps"]),
]
for name, g in rows:
    print(f"  {name:<46} {g:8.3f} GB/s")
r = lambda a, b: f"{a / b:6.2f}x"
print()
print(f"  ckpt save  vs TF save (no fsync)              {r(c['ckpt_save_direct_gbps'], t['tf_save_gbps'])}")
print(f"  ckpt save  vs TF save + fdatasync             {r(c['ckpt_save_direct_gbps'], t['tf_save_fsync_gbps'])}")
print(f"  ckpt restore vs TF restore (cold)             {r(c['ckpt_restore_gbps'], t['tf_restore_gbps'])}")
print(f"  ckpt restore vs TF restore (warm)             {r(c['ckpt_restore_warm_gbps'], t['tf_restore_warm_gbps'])}")
print(f"  ckpt save  vs raw O_DIRECT write              {r(c['ckpt_save_direct_gbps'], c['raw_write_gbps'])}"
      f"   (Add loop {c['ckpt_save_direct_add_s']:.3f} s + Finish {c['ckpt_save_direct_finish_s']:.3f} s)")
print(f"  ckpt save  vs raw O_DIRECT from huge pages    {r(c['ckpt_save_direct_gbps'], c['raw_write_huge_gbps'])}"
      f"   (src not 4K-aligned: {r(c['ckpt_save_direct_unaligned_gbps'], c['raw_write_huge_gbps'])})")
print(f"  ckpt save direct_io=off vs raw buffered write {r(c['ckpt_save_buffered_gbps'], c['raw_write_buffered_gbps'])}")
print(f"  ckpt restore vs raw O_DIRECT read             {r(c['ckpt_restore_gbps'], c['raw_read_gbps'])}")
print(f"  ckpt restore vs raw buffered read             {r(c['ckpt_restore_gbps'], c['raw_read_buffered_gbps'])}")
print(f"  ckpt save  vs memcpy                          {r(c['ckpt_save_direct_gbps'], c['memcpy_gbps'])}")
print(f"  ckpt restore (warm) vs memcpy                 {r(c['ckpt_restore_warm_gbps'], c['memcpy_gbps'])}")
if c.get("tiny"):
    print()
    print(f"  {c['tiny']} tiny tensors (4..16 floats): save {c['tiny_save_s']:.3f} s "
          f"(Add {c['tiny_save_add_s']:.3f} + Finish {c['tiny_save_finish_s']:.3f}), "
          f"restore cold {c['tiny_restore_s']:.3f} s (Open {c['tiny_restore_open_s']:.3f} + "
          f"ReadInto {c['tiny_restore_read_s']:.3f}), warm {c['tiny_restore_warm_s']:.3f} s")
summary = {"bench": "ckpt_vs_tf", **{k: v for k, v in c.items() if k != "bench"},
           **{k: v for k, v in t.items() if k.startswith("tf_")}}
print("\nJSON " + json.dumps(summary, separators=(",", ":")))
EOF
