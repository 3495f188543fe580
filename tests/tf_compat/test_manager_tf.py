"""Differential tests of CheckpointManager against tf.train.CheckpointManager.

Every scenario is a script (format in tests/tools/manager_tool.cc) of manager
constructions, saves, step/clock changes and restores. Our side runs it through
the test-only program manager_tool (ckpt::Checkpoint + ckpt::CheckpointManager
with an injected clock), once with synchronous and once with async saves
(CheckpointOptions::enable_async, Sync() after each save); TensorFlow runs it
in a subprocess (tf_manager_helper.py) with checkpoint_management's `time`
mocked as TF's own tests do. After every step we compare:
  * the path save()/restore_or_initialize() returned (or None), errors;
  * latest_checkpoint, checkpoints and last_preserved_timestamp;
  * the file names in the directory (our `.ckpt-manager.lock` excepted: a
    deliberate addition, docs/differences-from-tensorflow.md);
  * the `checkpoint` state file, parsed by TensorFlow's CheckpointState proto
    (model path, path list, timestamps, last_preserved_timestamp), not bytes;
  * save_counter, values after restores (hex of the raw bytes), init_fn calls.
Adoption: scripts in two parts run with the first part by one implementation
and the second (a fresh process: new objects, new manager) by the other, in
the same directory; the combined trace must equal the single-implementation
runs, and the restore at the start of the second part must pass
assert_consumed with bit-exact values.

TensorFlow is launched twice for the whole module (runs, then parsing of every
state file captured by both sides). Paths are compared with the run's
directory replaced by "<dir>".
Environment: CKPT_BUILD_DIR (default <repo>/build) holds tests/tools/manager_tool.
"""

import itertools
import json
import os
import subprocess
from pathlib import Path
import sys

import numpy as np
import pytest

BUILD_DIR = os.environ.get("CKPT_BUILD_DIR", str(Path(__file__).resolve().parents[2] / "build"))
TOOL = os.path.join(BUILD_DIR, "tests", "tools", "manager_tool")
HELPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tf_manager_helper.py")

pytestmark = pytest.mark.skipif(not os.access(TOOL, os.X_OK), reason=f"manager_tool not built: {TOOL} missing")

# ----------------------------------------------------------------------------- scenarios
# Each scenario: list of segments (lists of script lines). For single-implementation
# runs the segments are simply concatenated.

SCENARIOS = {
    # CM-06, CM-07, CM-09, CM-11, CM-13, CM-14, CM-15, CM-18: max_to_keep=3, four
    # saves -> the first one's files are deleted. Manager built at t=3 (CM-18:
    # last_preserved_timestamp = 2.0).
    "CM14_deletion": [[
        "time 3", "manager max_to_keep=3",
        "values 1", "time 10000", "save",
        "values 2", "time 10010", "save",
        "values 3", "time 10020", "save",
        "values 4", "time 10030", "save",
        "restore",
    ]],
    # CM-17, CM-16, CM-22: keep all (None), re-instantiation keeps the list; a
    # new manager with a smaller max_to_keep deletes nothing at construction,
    # then two in one save.
    "CM17_keep_all_then_smaller": [[
        "time 100", "manager max_to_keep=none",
        "time 200", "save", "time 300", "save", "time 400", "save",
        "time 500", "manager max_to_keep=none",
        "time 600", "save",
        "time 700", "manager max_to_keep=3",
        "time 800", "save",
        "time 900", "save",
    ]],
    # CM-20 worked example (also CM-11, CM-19, CM-21, CM-22): max 2, the first
    # manager without keep_checkpoint_every_n_hours, then 1.5 h.
    "CM20_keep_every_n_hours": [[
        "time 3", "manager max_to_keep=2",
        "time 10000", "save", "time 13610", "save",
        "time 13620", "manager max_to_keep=2 keep_hours=1.5",
        "time 14330", "save", "time 16130", "save", "time 17930", "save",
        "time 17935", "manager max_to_keep=2 keep_hours=1.5",
        "time 17940", "save",
    ]],
    # CM-24, CM-23, CM-21: the clock goes back behind last_preserved_timestamp:
    # warning, last_preserved = now, recovered entries clamped and dropped
    # (never deleted); the new manager (no keep option) deletes only its own.
    "CM24_clock_backwards": [[
        "time 3", "manager max_to_keep=2 keep_hours=1",
        "time 10000", "save", "time 13600", "save", "time 17200", "save", "time 20800", "save",
        "time 5000", "manager max_to_keep=1",
        "time 5010", "save", "time 5020", "save",
    ]],
    # CM-26, CM-25, CM-37: Checkpoint.save wrote unusual_prefix-1/-2 (no
    # timestamps); a manager adopts latest only, restores save_counter 2 and
    # numbers on from 3; the unmanaged checkpoints are never deleted.
    "CM26_continue_from_unmanaged": [[
        "time 50", "values 1", "ckpt_save unusual_prefix", "values 2", "ckpt_save unusual_prefix",
        "fresh", "time 60", "manager max_to_keep=2",
        "restore_or_initialize",
        "time 70", "save", "time 80", "save", "time 90", "save",
    ]],
    # CM-06, CM-08, CM-10: custom checkpoint_name; numbers from the step,
    # save_counter still counts every save; a number already active is
    # overwritten and moves to the newest position.
    "CM06_CM08_custom_name_and_number": [[
        "time 10", "manager max_to_keep=4 name=ckpt_name",
        "step 0", "time 11", "save number=0",
        "step 2", "time 12", "save number=2",
        "step 4", "time 13", "save number=4",
        "step 6", "time 14", "save number=6",
        "step 8", "time 15", "save number=8",
        "time 16", "save number=32",
        "time 17", "save number=8",
        "time 18", "save",
    ]],
    # CM-31..CM-35: checkpoint_interval=2 with the step variable as counter.
    "CM31_checkpoint_interval": [[
        "time 10", "manager max_to_keep=none interval=2",
        "step 0", "save", "step 1", "save", "step 2", "save", "step 2", "save",
        "step 3", "save", "step 3", "save check_interval=0", "step 3", "save check_interval=0",
        "step 1", "save", "step 1", "save check_interval=0", "step 2", "save", "step 3", "save",
    ]],
    # CM-36: last_checkpoint_step seeds the recorded step (TF >= 2.21).
    "CM36_last_checkpoint_step": [[
        "time 10", "manager max_to_keep=none interval=2 last_step=1",
        "step 1", "save", "step 2", "save", "step 3", "save", "step 4", "save", "step 5", "save",
    ]],
    # CM-37, CM-38, CM-39: init_fn when there is nothing to restore; otherwise
    # restore latest (values, step, save_counter), and with an interval an
    # immediate save at the restored step is skipped.
    "CM37_CM38_restore_or_initialize": [[
        "time 10", "manager max_to_keep=3 interval=2",
        "restore_or_initialize",
        "values 5", "step 4", "time 20", "save",
        "values 6", "step 6", "time 30", "save",
        "fresh", "time 40", "manager max_to_keep=3 interval=2",
        "restore_or_initialize",
        "save", "step 7", "save", "step 8", "time 50", "save",
    ]],
    # CM-01: max_to_keep <= 0 is rejected with TF's message (no manager).
    "CM01_bad_max_to_keep": [[
        "time 10", "manager max_to_keep=0", "manager max_to_keep=-2", "manager max_to_keep=1",
        "time 11", "save", "time 12", "save",
    ]],
    # CM-19 edge: keep_checkpoint_every_n_hours=0 is falsy in TF (never preserves).
    "CM19_keep_hours_zero": [[
        "time 10", "manager max_to_keep=1 keep_hours=0",
        "time 10000", "save", "time 20000", "save", "time 30000", "save",
    ]],
}

# Adoption (acceptance 2): part 1 by one implementation, part 2 (a new
# process) by the other in the same directory.
ADOPTION = {
    # CM-22, CM-14: the second manager adopts the list and deletes the other's
    # oldest checkpoint; restore is bit-exact with assert_consumed.
    "adopt_max_to_keep": [
        ["time 3", "manager max_to_keep=2",
         "values 1", "step 10", "time 100", "save",
         "values 2", "step 20", "time 200", "save",
         "values 3", "step 30", "time 300", "save"],
        ["fresh", "time 400", "manager max_to_keep=2", "restore",
         "values 4", "time 500", "save", "values 5", "time 600", "save"],
    ],
    # CM-19, CM-22, CM-23: last_preserved_timestamp and timestamps round-trip.
    "adopt_keep_every_n_hours": [
        ["time 3", "manager max_to_keep=1 keep_hours=1",
         "values 1", "time 10000", "save", "values 2", "time 20000", "save",
         "values 3", "time 21000", "save"],
        ["fresh", "time 22000", "manager max_to_keep=1 keep_hours=1", "restore_or_initialize", "restore",
         "time 30000", "save", "time 40000", "save"],
    ],
    # CM-26 across implementations: unmanaged saves, then a manager.
    "adopt_unmanaged": [
        ["time 50", "values 7", "ckpt_save unusual_prefix", "values 8", "ckpt_save unusual_prefix"],
        ["fresh", "time 60", "manager max_to_keep=1 name=model", "restore",
         "time 70", "save", "time 80", "save"],
    ],
}


def script(segments):
    return "\n".join(line for seg in segments for line in seg) + "\n"


def values_hex(seed, step=0):
    k = np.array([seed * 1.5 + i * 0.125 - 3.0 for i in range(6)], dtype=np.float64).astype(np.float32)
    b = np.array([-seed * 0.5 + i * 0.25 + 0.0625 for i in range(2)], dtype=np.float64).astype(np.float32)
    return {"model.kernel": k.tobytes().hex(), "model.bias": b.tobytes().hex(),
            "step": np.int64(step).tobytes().hex()}


# ----------------------------------------------------------------------------- running


_SCRIPT_IDS = itertools.count()


def run_tool(script_text, d, work, mode):
    path = os.path.join(work, f"script-{next(_SCRIPT_IDS)}.txt")
    with open(path, "w") as f:
        f.write(script_text)
    args = [TOOL, path, d] + (["--async"] if mode == "async" else [])
    p = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"manager_tool {args}: {p.stdout} {p.stderr}"
    out = json.loads(p.stdout)
    out["stderr"] = p.stderr
    return out


def run_helper(job, work, name):
    pytest.importorskip("tensorflow")  # only checks that it is installed; TF runs in the child
    inp, outp = os.path.join(work, name + "-in.json"), os.path.join(work, name + "-out.json")
    with open(inp, "w") as f:
        json.dump(job, f)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    p = subprocess.run([sys.executable, HELPER, inp, outp], capture_output=True, text=True, timeout=900, env=env)
    assert p.returncode == 0, p.stderr[-4000:]
    with open(outp) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("manager"))
    traces = {}  # (scenario, impl) -> {"steps": [...], "dir": d}

    def new_dir(*parts):
        d = os.path.join(work, *parts)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        return d

    # 1. Ours, whole scripts (sync and async), and part 1 of the cpp->tf adoptions.
    for name, segs in {**SCENARIOS, **ADOPTION}.items():
        for mode in ("sync", "async"):
            d = new_dir("cpp_" + mode, name)
            traces[(name, "cpp_" + mode)] = dict(run_tool(script(segs), d, work, mode), dir=d)
    for name, segs in ADOPTION.items():
        d = new_dir("cpp_then_tf", name)
        traces[(name, "cpp_then_tf")] = dict(run_tool(script(segs[:1]), d, work, "sync"), dir=d)

    # 2. TF launch 1: whole scripts, part 2 of cpp->tf, part 1 of tf->cpp.
    runs = []
    for name, segs in {**SCENARIOS, **ADOPTION}.items():
        runs.append({"id": f"{name}|tf", "script": script(segs), "dir": new_dir("tf", name)})
    for name, segs in ADOPTION.items():
        runs.append({"id": f"{name}|cpp_then_tf", "script": script(segs[1:]),
                     "dir": traces[(name, "cpp_then_tf")]["dir"]})
        runs.append({"id": f"{name}|tf_then_cpp", "script": script(segs[:1]),
                     "dir": new_dir("tf_then_cpp", name)})
    tf_out = run_helper({"runs": runs}, work, "runs")["runs"]
    dirs = {r["id"]: r["dir"] for r in runs}
    for name in {**SCENARIOS, **ADOPTION}:
        traces[(name, "tf")] = dict(tf_out[f"{name}|tf"], dir=dirs[f"{name}|tf"])
    for name in ADOPTION:
        traces[(name, "cpp_then_tf")]["steps"] += tf_out[f"{name}|cpp_then_tf"]["steps"]
        d = dirs[f"{name}|tf_then_cpp"]
        traces[(name, "tf_then_cpp")] = dict(tf_out[f"{name}|tf_then_cpp"], dir=d, stderr="")

    # 3. Ours: part 2 of tf->cpp.
    for name, segs in ADOPTION.items():
        t = traces[(name, "tf_then_cpp")]
        t["steps"] += run_tool(script(segs[1:]), t["dir"], work, "sync")["steps"]

    # 4. TF launch 2: parse every state file either side left after every step.
    texts = {}
    for key, t in traces.items():
        for i, s in enumerate(t["steps"]):
            if s["state"] is not None:
                texts[f"{key[0]}|{key[1]}|{i}"] = s["state"]
    parsed = run_helper({"parse": texts}, work, "parse")["parsed"]
    for key, t in traces.items():
        for i, s in enumerate(t["steps"]):
            if s["state"] is not None:
                s["state"] = parsed[f"{key[0]}|{key[1]}|{i}"]
    return traces


def normalized(trace):
    """Steps with the run's directory replaced by <dir> in every path."""
    d = trace["dir"].rstrip("/") + "/"

    def fix(x):
        if isinstance(x, str):
            return x.replace(d, "<dir>/")
        if isinstance(x, list):
            return [fix(y) for y in x]
        if isinstance(x, dict):
            return {k: fix(v) for k, v in x.items()}
        return x

    return [fix(s) for s in trace["steps"]]


FIELDS = ("result", "error", "latest", "checkpoints", "last_preserved_timestamp", "files", "state",
          "save_counter", "values", "init_called", "assert_consumed")


def assert_same(ours, theirs):
    a, b = normalized(ours), normalized(theirs)
    assert [s["line"] for s in a] == [s["line"] for s in b]
    for i, (x, y) in enumerate(zip(a, b)):
        for f in FIELDS:
            assert x.get(f) == y.get(f), f"step {i} `{x['line']}`: {f}: ours {x.get(f)!r} != TF {y.get(f)!r}"


def last(trace):
    return normalized(trace)[-1]


# ----------------------------------------------------------------------------- whole-script comparisons


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("scenario", list(SCENARIOS) + list(ADOPTION))
def test_same_as_tf(results, scenario, mode):
    assert_same(results[(scenario, "cpp_" + mode)], results[(scenario, "tf")])


# Scenario-specific checks: the scripts really exercise what they cite (TF's
# trace is the reference; these guard against a vacuous script).


def test_CM14_deletion_first_is_gone(results):
    t = results[("CM14_deletion", "tf")]
    end = normalized(t)[-2]  # after the 4th save
    assert end["checkpoints"] == ["<dir>/ckpt-2", "<dir>/ckpt-3", "<dir>/ckpt-4"]
    assert not any(f.startswith("ckpt-1.") for f in end["files"])
    assert end["state"]["all_model_checkpoint_timestamps"] == [10010.0, 10020.0, 10030.0]
    assert end["state"]["last_preserved_timestamp"] == 2.0  # CM-18
    r = last(results[("CM14_deletion", "cpp_sync")])
    assert r["assert_consumed"] == "ok" and r["values"] == values_hex(4) and r["save_counter"] == 4


def test_CM16_CM17_keep_all_then_smaller(results):
    steps = normalized(results[("CM17_keep_all_then_smaller", "cpp_sync")])
    after_4th = steps[11]
    assert after_4th["line"] == "save" and after_4th["checkpoints"] == [f"<dir>/ckpt-{i}" for i in (1, 2, 3, 4)]
    after_5th = steps[15]
    assert after_5th["checkpoints"] == ["<dir>/ckpt-3", "<dir>/ckpt-4", "<dir>/ckpt-5"]
    assert not any(f.startswith(("ckpt-1.", "ckpt-2.")) for f in after_5th["files"])


def test_CM20_worked_example(results):
    for impl in ("tf", "cpp_sync", "cpp_async"):
        end = last(results[("CM20_keep_every_n_hours", impl)])
        stems = sorted({f.split(".")[0] for f in end["files"] if f.startswith("ckpt-")})
        assert stems == ["ckpt-1", "ckpt-4", "ckpt-5", "ckpt-6"], impl
        assert end["checkpoints"] == ["<dir>/ckpt-5", "<dir>/ckpt-6"]
        assert end["state"]["last_preserved_timestamp"] == 16130.0


def test_CM24_clock_backwards_warns_and_keeps(results):
    t = results[("CM24_clock_backwards", "cpp_sync")]
    assert "seconds behind the last preserved checkpoint timestamp" in t["stderr"]
    steps = normalized(t)
    recovered = steps[11]
    assert recovered["line"] == "manager max_to_keep=1"
    assert recovered["checkpoints"] == [] and recovered["latest"] == "<dir>/ckpt-4"
    assert recovered["last_preserved_timestamp"] == 5000.0
    end = steps[-1]
    assert end["state"]["last_preserved_timestamp"] == 5000.0
    assert end["state"]["all_model_checkpoint_timestamps"] == [5020.0]
    stems = sorted({f.split(".")[0] for f in end["files"] if f.startswith("ckpt-")})
    assert stems == ["ckpt-1", "ckpt-2", "ckpt-3", "ckpt-4", "ckpt-6"]


def test_CM26_unmanaged_survive(results):
    steps = normalized(results[("CM26_continue_from_unmanaged", "cpp_sync")])
    roi = next(s for s in steps if s["line"] == "restore_or_initialize")
    assert roi["result"] == "<dir>/unusual_prefix-2" and roi["save_counter"] == 2 and roi["values"] == values_hex(2)
    saves = [s for s in steps if s["line"] == "save"]
    assert [s["checkpoints"] for s in saves] == [
        ["<dir>/ckpt-3"], ["<dir>/ckpt-3", "<dir>/ckpt-4"], ["<dir>/ckpt-4", "<dir>/ckpt-5"]]
    assert {"unusual_prefix-1.index", "unusual_prefix-2.index"} <= set(saves[-1]["files"])
    assert "ckpt-3.index" not in saves[-1]["files"]


def test_CM06_CM08_numbering(results):
    steps = normalized(results[("CM06_CM08_custom_name_and_number", "cpp_sync")])
    saves = [s for s in steps if s["line"].startswith("save")]
    assert [s["result"] for s in saves] == [f"<dir>/ckpt_name-{n}" for n in (0, 2, 4, 6, 8, 32, 8, 8)]
    assert saves[4]["save_counter"] == 5
    assert saves[6]["checkpoints"] == [f"<dir>/ckpt_name-{n}" for n in (4, 6, 32, 8)]  # CM-10
    assert saves[7]["result"] == "<dir>/ckpt_name-8"  # save_counter is 8 by then


def test_CM31_interval_sequence(results):
    steps = normalized(results[("CM31_checkpoint_interval", "cpp_sync")])
    saved = [s["result"] is not None for s in steps if s["line"].startswith("save")]
    assert saved == [True, False, True, False, False, True, False, False, True, False, True]
    assert all(s["error"] is None for s in steps)


def test_CM36_last_checkpoint_step(results):
    steps = normalized(results[("CM36_last_checkpoint_step", "cpp_sync")])
    saved = [s["result"] is not None for s in steps if s["line"].startswith("save")]
    assert saved == [False, False, True, False, True]


def test_CM37_CM38_CM39_restore_or_initialize(results):
    steps = normalized(results[("CM37_CM38_restore_or_initialize", "cpp_sync")])
    rois = [s for s in steps if s["line"] == "restore_or_initialize"]
    assert rois[0]["result"] is None and rois[0]["init_called"] and rois[0]["values"] == values_hex(-1)
    assert rois[1]["result"] == "<dir>/ckpt-2" and not rois[1]["init_called"]
    assert rois[1]["values"] == values_hex(6, step=6) and rois[1]["save_counter"] == 2
    after = steps[steps.index(rois[1]) + 1:]
    assert [s["result"] is not None for s in after if s["line"] == "save"] == [False, False, True]


def test_CM01_message(results):
    steps = normalized(results[("CM01_bad_max_to_keep", "cpp_sync")])
    assert steps[1]["error"] == "Expected a positive integer or `None` for `max_to_keep`, got 0."
    assert steps[2]["error"] == "Expected a positive integer or `None` for `max_to_keep`, got -2."


def test_CM19_keep_hours_zero_never_preserves(results):
    end = last(results[("CM19_keep_hours_zero", "tf")])
    assert [f for f in end["files"] if f.endswith(".index")] == ["ckpt-3.index"]


# ----------------------------------------------------------------------------- adoption


@pytest.mark.parametrize("scenario", list(ADOPTION))
@pytest.mark.parametrize("mixed", ["cpp_then_tf", "tf_then_cpp"])
def test_adoption_same_as_single_implementation(results, scenario, mixed):
    """TF's manager continues a directory ours wrote, and the other way round (CM-22)."""
    assert_same(results[(scenario, mixed)], results[(scenario, "tf")])
    assert_same(results[(scenario, mixed)], results[(scenario, "cpp_sync")])


@pytest.mark.parametrize("scenario", list(ADOPTION))
@pytest.mark.parametrize("mixed", ["cpp_then_tf", "tf_then_cpp"])
def test_adoption_restore_bit_exact(results, scenario, mixed):
    steps = normalized(results[(scenario, mixed)])
    first_part = len(ADOPTION[scenario][0])
    restore = next(s for s in steps[first_part:] if s["line"] == "restore")
    assert restore["assert_consumed"] == "ok"
    seed = {"adopt_max_to_keep": 3, "adopt_keep_every_n_hours": 3, "adopt_unmanaged": 8}[scenario]
    step = {"adopt_max_to_keep": 30}.get(scenario, 0)
    assert restore["values"] == values_hex(seed, step)
    assert restore["save_counter"] == {"adopt_unmanaged": 2}.get(scenario, 3)


def test_tf_parses_every_state_file_we_wrote(results):
    for (name, impl), t in results.items():
        for s in t["steps"]:
            if s["state"] is not None:
                assert "error" not in s["state"], (name, impl, s["line"], s["state"])
