#!/usr/bin/env python3
"""One system, one process: a durable save, a cold restore and a warm restore of the bench arrays.

Usage: worker.py --system S --dir D --size 1G --count 128 [--warmup 1] [--verify]

In order, in a fresh process (run by peers.py, which alternates systems across rounds):
  untimed  make the arrays (arrays.py), the system's objects over them (systems.py), and --warmup
           saves into D/warmup, each deleted at once: imports, tracing, thread pools, first use of
           buffers happen there, as before a training job's second checkpoint; deleting the files
           before the timed save matters on this VM: a buffered writer's new page-cache pages then
           come from recycled memory, as in a job whose manager deletes old checkpoints, not from
           memory the VM has never touched (~3x slower buffered saves, 0.3 GB/s first touch)
  save     system save into the empty directory D/run, then fsync of every file and directory under
           it and of D (pagecache.fsync_tree) -- for systems that fsync themselves this adds only
           syscalls on clean files; for those that do not, their durability is counted in their time
  untimed  the system drops the saved arrays (a restore needs only their shapes), then restores
           D/run --warmup times (the restore path's warm-up; the files are evicted after it)
  cold     every file fsynced and evicted with posix_fadvise(DONTNEED), residency checked with
           mincore, destinations clobbered; then the system's restore
  warm     every file read through the page cache (untimed), residency checked; then the restore
--verify compares both restores with the saved values (untimed). D/run is deleted at the end.
Prints one line: "JSON {...}" with seconds, bytes, residency.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import arrays as arr  # noqa: E402
import pagecache  # noqa: E402
from systems import SYSTEMS  # noqa: E402


def fresh_dir(path: str) -> str:
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--system", required=True, choices=sorted(SYSTEMS))
    ap.add_argument("--dir", required=True)
    ap.add_argument("--size", default="1G")
    ap.add_argument("--count", type=int, default=128)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--verify", action="store_true")
    a = ap.parse_args()

    lay = arr.layout(arr.parse_size(a.size), a.count)
    nbytes = arr.total_bytes(lay)
    system = SYSTEMS[a.system]()
    source = arr.make_arrays(lay)
    aligned = arr.page_aligned(source)
    system.prepare(source)
    del source  # the system keeps what it needs; verification makes the values again

    for _ in range(a.warmup):  # deleted at once, as a manager deletes old checkpoints (see the docstring)
        w = fresh_dir(os.path.join(a.dir, "warmup"))
        system.save(w)
        pagecache.fsync_tree(w)
        shutil.rmtree(w)

    d = fresh_dir(os.path.join(a.dir, "run"))
    pagecache.fsync_tree(a.dir)
    t0 = time.perf_counter()
    system.save(d)
    t1 = time.perf_counter()
    pagecache.fsync_tree(d)
    t2 = time.perf_counter()
    disk = pagecache.disk_bytes(d)
    nfiles = len(pagecache.files(d))

    system.drop_source()
    gc.collect()
    for _ in range(a.warmup):
        system.clobber()
        restored = system.restore(d)
        del restored
    gc.collect()

    def timed_restore(warm: bool) -> float:
        """Seconds of one restore of d into clobbered destinations, checked after (untimed) with --verify."""
        system.clobber()
        t0 = time.perf_counter()
        restored = system.restore(d, warm=warm)
        t1 = time.perf_counter()
        if a.verify:
            arr.verify(restored, lay, f"{a.system} {'warm' if warm else 'cold'} restore")
        del restored
        gc.collect()
        return t1 - t0

    pagecache.evict(d)
    cold_resident = pagecache.resident_fraction(d)
    cold_s = timed_restore(warm=False)

    pagecache.load(d)
    warm_resident = pagecache.resident_fraction(d)
    warm_s = timed_restore(warm=True)
    system.close()
    shutil.rmtree(d)

    print("JSON " + json.dumps({
        "system": a.system, "label": system.label, "bytes": nbytes, "tensors": a.count,
        "page_aligned_sources": aligned, "disk_bytes": disk, "files": nfiles,
        "save_s": t2 - t0, "save_call_s": t1 - t0, "fsync_s": t2 - t1,
        "cold_s": cold_s, "warm_s": warm_s,
        "cold_resident": cold_resident, "warm_resident": warm_resident,
        "verified": a.verify, "loadavg": os.getloadavg()[0],
    }), flush=True)


if __name__ == "__main__":
    main()
