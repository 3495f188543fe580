#!/usr/bin/env python3
"""ckpt against its peers on the same arrays: durable save, cold restore, warm restore (GB/s).

Usage: peers.py [--size 1G] [--count 128] [--rounds 3] [--systems raw,ckpt,...] [--dir D]
                [--png bench/results/peers.png] [--json bench/results/peers.json] [--warmup 1]
                [--async-saves 4 | --no-async] [--smoke]

Systems (bench/peers/systems.py): raw O_DIRECT, ckpt (the Python package), TensorFlow
(tf.train.Checkpoint of tf.Variables), torch.save/torch.load, safetensors (save_file with
load_file, and with safe_open per tensor), Orbax (StandardCheckpointer over a PyTree of the arrays),
np.savez/np.load. Every system gets the same `--count` float32 arrays totalling `--size` bytes.

Each (round, system) runs in its own process (worker.py): one durable save (the system's save plus
an fsync of every file and directory, counted in the save), one cold restore (the files evicted
with posix_fadvise(DONTNEED), not drop_caches) and one warm restore (files in the page cache).
The order of systems rotates every round, so slow drift on a shared machine spreads over all of
them; each system's files are deleted before the next starts. Round 1 verifies every restore
against the saved values (untimed). Reported: the median over rounds, with ratios to raw and to
ckpt, the machine's load average, a grouped bar chart (--png) and every sample (--json).
Then (unless --no-async) ckpt's async save stall in --rounds fresh processes (async_stall.py), with
the async options given to save() only and, in another process, to the manager at construction:
the first save's stall apart from the steady state, against a memcpy of the state.

--smoke: 8 MiB, 1 round, every system, outputs beside the data (peers-smoke.*) unless given;
for the test suite (it checks that every peer still runs and restores correctly, not speed).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import arrays as arr  # noqa: E402
from systems import SYSTEMS  # noqa: E402

PHASES = [("save", "save (durable)"), ("cold", "cold restore"), ("warm", "warm restore")]
NOISE = ("oneDNN", "cpu_feature_guard", "rebuild TensorFlow", "absl::InitializeLog", "TF_ENABLE_ONEDNN_OPTS")


def worker_env(build_dir: str) -> Dict[str, str]:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    if build_dir:  # a CMake build tree with the extension: <build>/python/ckpt + <repo>/python/ckpt
        paths = [os.path.join(REPO, "python"), os.path.join(os.path.abspath(build_dir), "python")]
        env["PYTHONPATH"] = os.pathsep.join(paths + [p for p in [env.get("PYTHONPATH")] if p])
    return env


class PeerFailed(Exception):
    """A measuring process failed; the message says which, how, and the end of its output."""


def run_json(cmd: List[str], env: Dict[str, str], what: str, timeout: float) -> dict:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    lines = [l for l in proc.stdout.splitlines() if l.startswith("JSON ")]
    if proc.returncode != 0 or not lines:
        err = "\n".join(l for l in proc.stderr.splitlines() if not any(n in l for n in NOISE))
        how = f"exit {proc.returncode}"
        if proc.returncode == -9:
            how += ": SIGKILL, most likely the kernel's OOM killer (see dmesg)"
        raise PeerFailed(f"peers: {what} failed ({how}):\n{proc.stdout[-2000:]}{err[-4000:]}")
    return json.loads(lines[-1][5:])


def fmt_ratio(x: float) -> str:
    return "   -  " if math.isnan(x) else f"{x:5.2f}x"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default=None, help="total bytes: 1G (default), 8G, 512M, ...")
    ap.add_argument("--count", type=int, default=128, help="number of float32 tensors (default 128)")
    ap.add_argument("--rounds", type=int, default=None, help="repetitions, each system once per round (default 3)")
    ap.add_argument("--systems", default=",".join(SYSTEMS), help=f"comma-separated subset of {','.join(SYSTEMS)}")
    ap.add_argument("--dir", default=None, help="parent directory for the data (a fresh subdirectory is used)")
    ap.add_argument("--png", default=None, help="bar chart path (default bench/results/peers.png)")
    ap.add_argument("--json", default=None, help="results path (default bench/results/peers.json)")
    ap.add_argument("--warmup", type=int, default=None, help="untimed saves and restores per process (default 1)")
    ap.add_argument("--async-saves", type=int, default=4, help="async saves per process (first + steady state)")
    ap.add_argument("--no-async", action="store_true", help="skip the async stall measurement")
    ap.add_argument("--build-dir", default=os.environ.get("CKPT_BUILD_DIR", ""),
                    help="CMake build tree with the Python extension (default $CKPT_BUILD_DIR; else an installed ckpt)")
    ap.add_argument("--smoke", action="store_true", help="8 MiB, 1 round: does every peer still run?")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per process")
    a = ap.parse_args()

    size = a.size or ("8M" if a.smoke else "1G")
    rounds = a.rounds or (1 if a.smoke else 3)
    warmup = 1 if a.warmup is None else a.warmup
    systems = [s for s in a.systems.split(",") if s]
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        ap.error(f"unknown systems {unknown}; known: {list(SYSTEMS)}")
    lay = arr.layout(arr.parse_size(size), a.count)
    nbytes = arr.total_bytes(lay)

    parent = a.dir or os.path.join(REPO, "build-bench", "bench-data")
    os.makedirs(parent, exist_ok=True)
    data = tempfile.mkdtemp(prefix="peers.", dir=parent)
    results_dir = parent if a.smoke else os.path.join(REPO, "bench", "results")
    stem = "peers-smoke" if a.smoke else "peers"
    png = a.png or os.path.join(results_dir, stem + ".png")
    out_json = a.json or os.path.join(results_dir, stem + ".json")
    env = worker_env(a.build_dir)
    py = sys.executable
    start = time.time()
    load_before = os.getloadavg()
    try:
        print(f"peers: {nbytes / arr.MIB:.0f} MiB ({nbytes / 1e9:.3f} GB) in {a.count} float32 tensors, "
              f"{rounds} round(s), {warmup} warm-up(s) per process; {os.cpu_count()} cores, "
              f"load average {' '.join(f'{x:.2f}' for x in load_before)}; data in {data}", flush=True)
        samples: Dict[str, List[dict]] = {s: [] for s in systems}
        failed: Dict[str, str] = {}  # systems left out of the table after a failed process
        for r in range(rounds):
            order = systems[r % len(systems):] + systems[:r % len(systems)]
            for s in order:
                d = os.path.join(data, s)
                cmd = [py, os.path.join(HERE, "worker.py"), "--system", s, "--dir", d, "--size", str(nbytes),
                       "--count", str(a.count), "--warmup", str(warmup)] + (["--verify"] if r == 0 else [])
                if s in failed:
                    continue
                try:
                    res = run_json(cmd, env, f"{s} (round {r + 1})", a.timeout)
                except PeerFailed as e:  # e.g. a peer that needs more memory than the machine has at 8 GiB
                    failed[s] = str(e).splitlines()[0]
                    print(str(e), flush=True)
                    continue
                finally:
                    shutil.rmtree(d, ignore_errors=True)
                samples[s].append(res)
                g = lambda k: nbytes / 1e9 / res[k]  # noqa: E731
                print(f"  round {r + 1} {s:<17} save {g('save_s'):6.3f} (fsync {res['fsync_s']:.3f}s)  "
                      f"cold {g('cold_s'):6.3f}  warm {g('warm_s'):6.3f} GB/s  "
                      f"resident {100 * res['cold_resident']:.0f}%/{100 * res['warm_resident']:.0f}%  "
                      f"load {res['loadavg']:.1f}{'  verified' if res['verified'] else ''}", flush=True)

        stall, stall_prepared = [], []
        if not a.no_async and "ckpt" in systems:
            # Each round: options given only to save() (the first save finds no staging memory) and
            # options given to the manager at construction (it prepares while "training" runs),
            # in alternating order.
            for r in range(rounds):
                for prepared in ((False, True) if r % 2 == 0 else (True, False)):
                    cmd = [py, os.path.join(HERE, "async_stall.py"), "--dir", os.path.join(data, "async"),
                           "--size", str(nbytes), "--count", str(a.count), "--saves", str(a.async_saves)]
                    if prepared:
                        cmd.append("--prepared")
                    what = "prepared" if prepared else "unprepared"
                    s = run_json(cmd, env, f"async stall, {what} (round {r + 1})", a.timeout)
                    (stall_prepared if prepared else stall).append(s)
                    extra = f", preparation {s['prepare_s']:.2f} s" if prepared else ""
                    print(f"  async {r + 1} {what:<10}: first save stall {1e3 * s['first_stall_s']:.1f} ms, steady "
                          f"{1e3 * s['steady_stall_s']:.1f} ms, memcpy {1e3 * s['memcpy_s']:.1f} ms, "
                          f"setup {1e3 * s['setup_s']:.1f} ms{extra}", flush=True)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    load_after = os.getloadavg()

    systems = [s for s in systems if s not in failed]
    med = {s: {p: statistics.median(nbytes / 1e9 / x[f"{p}_s"] for x in samples[s]) for p, _ in PHASES}
           for s in systems}
    label = {s: SYSTEMS[s].label for s in systems}
    nan = float("nan")
    ratio = lambda s, ref, p: med[s][p] / med[ref][p] if ref in med else nan  # noqa: E731
    print()
    print(f"=== peers: {nbytes / arr.MIB:.0f} MiB in {a.count} float32 tensors, median of {rounds}, GB/s "
          f"(1e9 B/s); load average {load_before[0]:.2f} before, {load_after[0]:.2f} after, "
          f"{os.cpu_count()} cores ===")
    head = "".join(f" | {name:<26}" for _, name in PHASES)
    print(f"{'system':<22}{head}")
    print(f"{'':<22}" + " | GB/s     x raw   x ckpt   " * len(PHASES))
    for s in systems:
        cells = "".join(f" | {med[s][p]:7.3f}  {fmt_ratio(ratio(s, 'raw', p))}  {fmt_ratio(ratio(s, 'ckpt', p))}  "
                        for p, _ in PHASES)
        print(f"{label[s]:<22}{cells}")
    print("save = the system's save + fsync of every file and directory (durable); cold = files evicted with "
          "posix_fadvise(DONTNEED), residency checked by mincore; warm = files in the page cache. "
          "raw warm = buffered preadv from the page cache.")
    disk = {s: samples[s][0]["disk_bytes"] for s in systems}
    print("bytes on disk / array bytes: " + ", ".join(f"{s} {disk[s] / nbytes:.3f}" for s in systems))
    fs = {s: statistics.median(x["fsync_s"] / x["save_s"] for x in samples[s]) for s in systems}
    print("share of the save spent in the harness fsync: " + ", ".join(f"{s} {100 * fs[s]:.0f}%" for s in systems))
    for runs, how in ((stall, "options to save() only"), (stall_prepared, "options at manager construction")):
        if not runs:
            continue
        first = statistics.median(x["first_stall_s"] for x in runs)
        steady = statistics.median(x["steady_stall_s"] for x in runs)
        memcpy = statistics.median(x["memcpy_s"] for x in runs)
        setup = statistics.median(x["setup_s"] for x in runs)
        prep = (f", preparation {statistics.median(x['prepare_s'] for x in runs):.2f} s (off the save's clock)"
                if runs is stall_prepared else "")
        print(f"ckpt async save stall, {how} (Python, CheckpointManager, {len(runs)} fresh processes, median): "
              f"first save {1e3 * first:.1f} ms = {first / memcpy:.2f}x memcpy, steady state {1e3 * steady:.1f} ms = "
              f"{steady / memcpy:.2f}x memcpy ({1e3 * memcpy:.1f} ms); one-time setup {1e3 * setup:.1f} ms{prep}")

    os.makedirs(os.path.dirname(os.path.abspath(out_json)), exist_ok=True)
    with open(out_json, "w") as f:
        json.dump({"bench": "peers", "bytes": nbytes, "tensors": a.count, "rounds": rounds, "warmup": warmup,
                   "cores": os.cpu_count(), "loadavg_before": load_before, "loadavg_after": load_after,
                   "wall_s": time.time() - start, "median_gbps": med, "labels": label,
                   "samples": samples, "async_stall": stall,
                   "async_stall_prepared": stall_prepared, "failed": failed}, f, indent=1)
    from chart import write_png

    os.makedirs(os.path.dirname(os.path.abspath(png)), exist_ok=True)
    write_png(png, [label[s] for s in systems], {name: [med[s][p] for s in systems] for p, name in PHASES},
              f"{nbytes / arr.MIB:.0f} MiB in {a.count} float32 tensors, median of {rounds}; "
              f"load avg {load_before[0]:.1f}-{load_after[0]:.1f} on {os.cpu_count()} cores")
    print(f"chart: {png}\nresults: {out_json}")
    for s, why in failed.items():
        print(f"left out: {why}")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except PeerFailed as e:
        raise SystemExit(str(e))
