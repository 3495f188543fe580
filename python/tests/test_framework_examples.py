"""examples/torch_train_resume.py and examples/keras_train_resume.py: train, SIGKILL,
resume in fresh objects; the resumed losses equal the uninterrupted run's."""

import importlib.util

import pytest

from ckpt_test_util import REPO_ROOT, import_or_skip, run_python


def run_example(name, tmp_path):
    proc = run_python(REPO_ROOT / "examples" / name, "--dir", tmp_path, "--steps", "24", "--kill-at", "17",
                      "--save-every", "5", timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "identical to the uninterrupted run: True" in proc.stdout, proc.stdout[-3000:]
    assert "[killed] start 1" in proc.stdout  # the second run resumed from a checkpoint (step 10 or 15)


def test_torch_train_kill_resume(tmp_path):
    import_or_skip("torch")
    run_example("torch_train_resume.py", tmp_path)


@pytest.mark.tf
def test_keras_train_kill_resume(tmp_path):
    if importlib.util.find_spec("keras") is None:  # not imported here: TF stays out of this process
        pytest.skip("keras is not installed (pip install tensorflow-cpu)")
    run_example("keras_train_resume.py", tmp_path)
