#!/usr/bin/env python3
"""Runs one mpirun test case (tests/mpi/CMakeLists.txt lists them).

Every job runs as ``mpirun -np N`` with the settings a root-run, 2-core,
loopback-only CI machine needs, set here rather than by the caller:
OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM), --oversubscribe, --bind-to none, the shared
memory and self transports only, the out-of-band channel on lo, and no
single-copy mechanism (CMA is unavailable in containers). Each job has a
timeout (mpirun --timeout, and a kill of its process group as a backstop):
a test never hangs CI.

Cases (the driver, tests/mpi/mpi_driver.cc, checks values bit for bit):
  comm N            the communicator's own contract on N ranks
  comm-funneled N   collectives off the main thread under MPI_THREAD_FUNNELED
  save N            save on N ranks into WORK/saved-npN/ckpt
  save-async N      the same as an async save (collectives on the writer thread while
                    the main thread runs its own MPI_Allreduce) into WORK/saved-async-npN/ckpt
  restore M         restore on M ranks every checkpoint the save cases wrote
  restore-io M      restore the saved checkpoints on M ranks with an io rank (0 or M-1)
  save-io N         save on N ranks with the last as io rank: same bytes as a plain save; restore on others
  crash-exit N      a rank _exits after writing its part
  crash-merge N     rank 0 is SIGKILLed during the merge
  crash-stall N     a rank stalls: the others pass the deadline and end the job
A crash case saves ckpt-1, runs the failing save of ckpt-2, then checks that
ckpt-2 was not published, that ckpt-1 still restores (on another rank
count), that saving ckpt-2 again succeeds, and that the directory then holds
nothing but the two checkpoints.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time

JOB_TIMEOUT = 120  # seconds per mpirun; a healthy job takes about one

MPI_ENV = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
}


class Runner:
    def __init__(self, mpiexec: str, driver: str) -> None:
        self.mpiexec = mpiexec
        self.driver = driver

    def run(self, np: int, *args: str, expect_ok: bool = True) -> str:
        cmd = [
            self.mpiexec, "-np", str(np), "--oversubscribe", "--bind-to", "none",
            "--mca", "btl", "self,vader", "--mca", "oob_tcp_if_include", "lo",
            "--timeout", str(JOB_TIMEOUT), self.driver, *args,
        ]
        env = dict(os.environ, **MPI_ENV)
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True,
                                start_new_session=True)
        try:
            out, _ = proc.communicate(timeout=JOB_TIMEOUT + 30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
            fail(f"job did not end within {JOB_TIMEOUT + 30}s: {' '.join(cmd)}\n{out}")
        print(f"--- mpirun -np {np} {' '.join(args)}: exit {proc.returncode} in {time.monotonic() - t0:.1f}s")
        print(out, end="")
        if expect_ok and proc.returncode != 0:
            fail(f"job failed (exit {proc.returncode})")
        if not expect_ok and proc.returncode == 0:
            fail("job was expected to fail but exited 0")
        return out


def fail(message: str) -> None:
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def fresh(path: str) -> str:
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def expect_lines(out: str, pattern: str, count: int) -> None:
    n = len(re.findall(pattern, out))
    if n != count:
        fail(f"expected {count} lines matching {pattern!r}, saw {n}")


def crash_case(r: Runner, work: str, kind: str, n: int) -> None:
    d = fresh(os.path.join(work, f"crash-{kind}"))
    ckpt1, ckpt2 = os.path.join(d, "ckpt-1"), os.path.join(d, "ckpt-2")
    expect_lines(r.run(n, "save", ckpt1, "1"), r"rank \d+/\d+: saved", n)

    if kind == "exit":
        out = r.run(n, "save", ckpt2, "2", f"--fault=exit-after-write:{n - 1}", expect_ok=False)
        markers = ["fault: exiting after writing its part"]
    elif kind == "merge":
        out = r.run(n, "save", ckpt2, "2", "--fault=kill-in-merge", expect_ok=False)
        markers = ["fault: killed during the merge"]
    else:
        out = r.run(n, "save", ckpt2, "2", f"--fault=stall:{n - 1}", "--deadline-ms=2000", expect_ok=False)
        # A waiting rank gives up at the deadline, names the collective and itself, and ends the job.
        markers = ["fault: stalling before the vote", "aborts the MPI job: vote: rank ",
                   "(AllGather, lengths): deadline passed"]
    for m in markers:
        if m not in out:
            fail(f"the failed save's output lacks {m!r}")
    if "saved " + ckpt2 in out:
        fail("a rank reported the failed save as done")
    if os.path.exists(ckpt2 + ".index"):
        fail("the failed save published " + ckpt2 + ".index")
    if kind == "merge" and not any(f.startswith("ckpt-2.data-") for f in os.listdir(d)):
        fail("rank 0 was to be killed half-way through the merge (a data file renamed, no index)")

    expect_lines(r.run(2, "restore", ckpt1, "1"), r"bit-exact", 2)  # the previous checkpoint still restores
    expect_lines(r.run(n, "save", ckpt2, "2"), r"rank \d+/\d+: saved", n)  # the next save succeeds
    left = sorted(os.listdir(d))
    stray = [f for f in left if not re.fullmatch(r"ckpt-[12]\.(index|data-\d{5}-of-\d{5})", f)]
    if stray:
        fail(f"leftovers after the next save: {stray} (directory: {left})")
    expect_lines(r.run(4, "restore", ckpt2, "2"), r"bit-exact", 4)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mpiexec", required=True)
    ap.add_argument("--driver", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("case")
    ap.add_argument("np", type=int)
    a = ap.parse_args()
    r = Runner(a.mpiexec, a.driver)
    os.makedirs(a.work, exist_ok=True)
    if a.case == "comm":
        expect_lines(r.run(a.np, "comm"), r"communicator checks passed", a.np)
    elif a.case == "comm-funneled":
        expect_lines(r.run(a.np, "comm", "funneled"), r"off-main-thread collective refused", a.np)
    elif a.case == "save":
        d = fresh(os.path.join(a.work, f"saved-np{a.np}"))
        expect_lines(r.run(a.np, "save", os.path.join(d, "ckpt"), str(100 + a.np)), r"rank \d+/\d+: saved", a.np)
    elif a.case == "save-async":
        d = fresh(os.path.join(a.work, f"saved-async-np{a.np}"))
        expect_lines(r.run(a.np, "save", os.path.join(d, "ckpt"), str(200 + a.np), "--async"),
                     r"rank \d+/\d+: saved", a.np)
    elif a.case == "saver":
        d = fresh(os.path.join(a.work, f"saver-np{a.np}"))
        expect_lines(r.run(a.np, "saver", os.path.join(d, "model")), r"rank \d+/\d+: saver ok", a.np)
        data = ["model-2.data-%05d-of-%05d" % (i, a.np) for i in range(a.np)]  # every rank wrote a part
        if sorted(os.listdir(d)) != sorted(["checkpoint", "model-2.index", "model-2.meta", *data]):
            fail(f"saver: unexpected files {sorted(os.listdir(d))}")
    elif a.case == "restore":
        for n in range(1, 5):
            prefix = os.path.join(a.work, f"saved-np{n}", "ckpt")
            expect_lines(r.run(a.np, "restore", prefix, str(100 + n)), r"bit-exact", a.np)
        for n in range(2, 5):
            prefix = os.path.join(a.work, f"saved-async-np{n}", "ckpt")
            expect_lines(r.run(a.np, "restore", prefix, str(200 + n)), r"bit-exact", a.np)
    elif a.case == "restore-io":
        # A collective restore with an io rank (experimental_io_device): it reads for every rank; the
        # others' file systems refuse every call (checked by the driver). Io rank 0 and the last, in turn.
        for n in range(1, 5):
            prefix = os.path.join(a.work, f"saved-np{n}", "ckpt")
            io = 0 if n % 2 else a.np - 1
            expect_lines(r.run(a.np, "restore", prefix, str(100 + n), f"--io-device=/task:{io}"), r"bit-exact", a.np)
    elif a.case == "save-io":
        # The last rank is the io rank (experimental_io_device): the files equal, byte for byte, those of
        # the same save without it, and they restore bit-exact on other rank counts.
        seed = str(200 + a.np)
        io_dir = fresh(os.path.join(a.work, f"io-np{a.np}"))
        plain_dir = fresh(os.path.join(a.work, f"io-plain-np{a.np}"))
        device = f"--io-device=/job:worker/replica:0/task:{a.np - 1}/device:CPU:0"
        expect_lines(r.run(a.np, "save", os.path.join(io_dir, "ckpt"), seed, device), r"rank \d+/\d+: saved", a.np)
        expect_lines(r.run(a.np, "save", os.path.join(plain_dir, "ckpt"), seed), r"rank \d+/\d+: saved", a.np)
        names = sorted(os.listdir(io_dir))
        if names != sorted(os.listdir(plain_dir)) or not any(n.endswith(".index") for n in names):
            fail(f"io-rank save wrote {names}, the plain save {sorted(os.listdir(plain_dir))}")
        for n in names:
            with open(os.path.join(io_dir, n), "rb") as f1, open(os.path.join(plain_dir, n), "rb") as f2:
                if f1.read() != f2.read():
                    fail(f"{n} differs between the io-rank save and the plain save")
        for m in sorted({1, 4 if a.np != 4 else 3}):
            expect_lines(r.run(m, "restore", os.path.join(io_dir, "ckpt"), seed), r"bit-exact", m)
    elif a.case.startswith("crash-"):
        crash_case(r, a.work, a.case[len("crash-"):], a.np)
    else:
        fail("unknown case " + a.case)
    print("PASS")


if __name__ == "__main__":
    main()
