"""Full disks and unwritable directories on the real kernel (issue 14, scenario 3), with the C++ and the
Python saver (tests/tools/kill_child, tests/stress/kill_child.py: CheckpointManager, max_to_keep=2), each
in sync and in async mode.

    python full_disk_campaign.py --trials N [--seed S] --cpp-child PATH [--cli PATH]

Full disk: as root, a 16 MiB tmpfs is mounted for the test (`mount -t tmpfs -o size=16m`; tmpfs fsync is a
no-op, so this tests ENOSPC, not durability) and unmounted at the end. Each trial: two good saves of a
3 MiB model, then a ballast file leaves less free space than one checkpoint needs, and one more save must
fail. Checks: the child exits with an error naming a file in the directory and "No space left on device";
the previous latest is still the latest, restores bit-exact and `ckpt verify` passes; every .index in the
directory reads (nothing half-written published); after the ballast is removed the next save succeeds and
leaves no litter. Without root (or if the mount fails) these trials are skipped and the RESULT line says
so: the fault file system's ENOSPC (io_error_campaign) covers them.

Read-only directory: as root, a read-only bind mount of the checkpoint directory; a save through it must
fail naming the file and "Read-only file system", the directory is unchanged. Without root, chmod 0555.
Permission denied: root ignores permission bits, so as root this is the fault file system's EACCES
(io_error_campaign); without root, chmod 0555 is the permission-denied case.

Prints RESULT lines for scripts/stress.sh.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import kill_campaign as kc  # noqa: E402  (the children's command lines and the checks after a kill)

MIB = 3  # model size per checkpoint; the tmpfs holds 16 MiB


def run_child(args, directory: Path, child: str, mode: str, saves: int, seed: int):
    a = argparse.Namespace(child=child, cpp_child=args.cpp_child, mib=MIB, max_to_keep=2, mode=mode)
    return subprocess.run(kc.child_cmd(a, directory, seed, saves), capture_output=True, text=True, env=kc.env())


def durable_numbers(out: str) -> list[int]:
    return [int(ln.split()[1]) for ln in out.splitlines() if ln.startswith("durable ")]


def every_index_reads(directory: Path) -> list[str]:
    import ckpt

    bad = []
    for f in sorted(os.listdir(directory)):
        if f.endswith(".index"):
            try:
                ckpt.load_checkpoint(str(directory / f[: -len(".index")]))
            except Exception as e:  # noqa: BLE001 - any error is a finding
                bad.append(f"{f}: {type(e).__name__}: {e}")
    return bad


def mount_tmpfs(where: Path) -> bool:
    if os.geteuid() != 0:
        return False
    where.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(where)],
                          capture_output=True).returncode == 0


def umount(where: Path) -> None:
    subprocess.run(["umount", str(where)], capture_output=True)


def free_bytes(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def full_disk_trial(args, root: Path, child: str, mode: str, rng: random.Random) -> list[str]:
    directory = root / "ck"
    shutil.rmtree(directory, ignore_errors=True)
    for f in root.glob("ballast*"):
        f.unlink()
    directory.mkdir()
    first = run_child(args, directory, child, mode, 2, rng.randrange(1 << 30))
    if first.returncode != 0:
        return [f"setup saves failed: {first.stderr[-800:]}"]
    durable = durable_numbers(first.stdout)
    latest_before, _ = kc.state_paths(directory)
    # Leave between 10% and 90% of one checkpoint free: the next save's data file cannot fit.
    room = int(rng.uniform(0.1, 0.9) * MIB * (1 << 20))
    ballast = root / "ballast"
    with open(ballast, "wb") as f:
        f.truncate(0)
        need = max(0, free_bytes(root) - room)
        chunk = b"\0" * (1 << 20)
        while need > 0:
            n = min(need, len(chunk))
            try:
                f.write(chunk[:n])
                f.flush()
            except OSError:
                break
            need -= n
    fails = []
    full = run_child(args, directory, child, mode, 1, rng.randrange(1 << 30))
    err = full.stderr
    if full.returncode == 0:
        fails.append(f"a save into a full disk succeeded ({free_bytes(root)} bytes were free)")
    else:
        if "No space left on device" not in err:
            fails.append(f"the error does not say the disk is full: {err.strip()[-400:]}")
        if str(directory) + "/" not in err:
            fails.append(f"the error names no file in {directory}: {err.strip()[-400:]}")
    latest_after, _ = kc.state_paths(directory)
    if latest_after != latest_before:
        fails.append(f"latest moved from {latest_before} to {latest_after} although the save failed")
    fails += kc.check_after_kill(directory, durable, 2, args.cli, verify=True)
    fails += [f"half-written published: {b}" for b in every_index_reads(directory)]
    ballast.unlink()
    again = run_child(args, directory, child, mode, 1, rng.randrange(1 << 30))
    if again.returncode != 0:
        fails.append(f"the save after space was freed failed: {again.stderr.strip()[-600:]}")
    else:
        left = kc.litter(directory)
        if left:
            fails.append(f"litter after the next successful save: {left}")
        fails += kc.check_after_kill(directory, durable + durable_numbers(again.stdout), 2, args.cli, verify=False)
    return fails


def unwritable_trial(args, base: Path, child: str, mode: str, rng: random.Random, how: str) -> list[str]:
    directory = base / "rw"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    first = run_child(args, directory, child, mode, 2, rng.randrange(1 << 30))
    if first.returncode != 0:
        return [f"setup saves failed: {first.stderr[-800:]}"]
    durable = durable_numbers(first.stdout)
    before = sorted(os.listdir(directory))
    target = directory
    view = base / "ro"
    if how == "read-only bind mount":
        view.mkdir(exist_ok=True)
        if subprocess.run(["mount", "--bind", str(directory), str(view)], capture_output=True).returncode != 0:
            return ["bind mount failed"]
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(view)], capture_output=True).returncode != 0:
            umount(view)
            return ["read-only remount failed"]
        target = view
        expect = "Read-only file system"
    else:
        os.chmod(directory, 0o555)
        expect = "Permission denied"
    fails = []
    try:
        r = run_child(args, target, child, mode, 1, rng.randrange(1 << 30))
        if r.returncode == 0:
            fails.append(f"a save into an unwritable directory ({how}) succeeded")
        else:
            if expect not in r.stderr:
                fails.append(f"the error does not say '{expect}': {r.stderr.strip()[-400:]}")
            if str(target) + "/" not in r.stderr:
                fails.append(f"the error names no file in {target}: {r.stderr.strip()[-400:]}")
    finally:
        if how == "read-only bind mount":
            umount(view)
        else:
            os.chmod(directory, 0o755)
    if sorted(os.listdir(directory)) != before:
        fails.append(f"the directory changed: {before} -> {sorted(os.listdir(directory))}")
    fails += kc.check_after_kill(directory, durable, 2, args.cli, verify=True)
    again = run_child(args, directory, child, mode, 1, rng.randrange(1 << 30))
    if again.returncode != 0:
        fails.append(f"the save once writable again failed: {again.stderr.strip()[-600:]}")
    elif kc.litter(directory):
        fails.append(f"litter after the next save: {kc.litter(directory)}")
    return fails


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=2, help="full-disk trials per child and mode")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cpp-child", required=True)
    ap.add_argument("--cli")
    args = ap.parse_args()
    sys.path[:0] = kc.env()["PYTHONPATH"].split(os.pathsep)[:2]
    rng = random.Random(args.seed)
    base = Path(tempfile.mkdtemp(prefix="ckpt-full-"))
    kinds = [(c, m) for c in ("cpp", "python") for m in ("sync", "async")]
    status = 0
    try:
        # Full disk.
        mnt = base / "tmpfs"
        if mount_tmpfs(mnt):
            fails, n = [], 0
            try:
                for t in range(args.trials):
                    for child, mode in kinds:
                        n += 1
                        fails += [f"{child} {mode} trial {t}: {f}" for f in full_disk_trial(args, mnt, child, mode, rng)]
            finally:
                umount(mnt)
            for f in fails[:20]:
                print("  FAIL", f)
            status |= bool(fails)
            print(f"RESULT|full disk (16 MiB tmpfs, real ENOSPC)|{n}|{len(fails)}|C++ and Python manager saves, "
                  "sync and async, into a full tmpfs: error names the file and ENOSPC, previous latest intact and "
                  "bit-exact (ckpt verify), every index reads, next save after freeing space OK, 0 litter")
        else:
            print("RESULT|full disk (skipped: not root or tmpfs mount failed)|0|0|covered by the fault FS's ENOSPC "
                  "(I/O errors row)")
        # Read-only directory; permission denied.
        is_root = os.geteuid() == 0
        cases = [("read-only bind mount" if is_root else "chmod 0555", "read-only directory")]
        fails, n = [], 0
        for how, label in cases:
            for child, mode in kinds:
                n += 1
                fails += [f"{child} {mode} ({how}): {f}" for f in unwritable_trial(args, base, child, mode, rng, how)]
        for f in fails[:20]:
            print("  FAIL", f)
        status |= bool(fails)
        print(f"RESULT|read-only directory ({cases[0][0]})|{n}|{len(fails)}|C++ and Python, sync and async: the save "
              "fails naming the file (EROFS/EACCES), directory unchanged, latest restores, next save OK once writable")
        if is_root:
            print("RESULT|permission denied (root: fault FS EACCES)|-|-|root ignores permission bits: see the I/O "
                  "errors row (EACCES on every call kind)")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
