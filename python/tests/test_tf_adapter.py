"""TensorFlow / Keras objects through TF's trackable protocol (ckpt/_tf.py), side by
side with tf.train.Checkpoint: same keys, byte-identical object graph and values,
cross restores with assert_consumed() both ways, variables restored in place.

TensorFlow runs in a subprocess (tf_adapter_side.py), once for all scenarios.
"""

import json
from pathlib import Path

import pytest

from ckpt_test_util import run_python

SCENARIOS = ["tf_module", "keras_sequential", "keras_functional", "keras_subclassed"]
CHECKS = ["keys", "object_graph", "values", "save_object_graph", "ckpt_restores_tf", "ckpt_restores_tf_in_place",
          "tf_restores_ckpt", "tf_restores_ckpt_in_place"]

pytestmark = pytest.mark.tf


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    proc = run_python(Path(__file__).with_name("tf_adapter_side.py"), tmp_path_factory.mktemp("tf_adapter"))
    if "No module named 'tensorflow'" in proc.stderr or "No module named 'keras'" in proc.stderr:
        pytest.skip("TensorFlow is not installed (pip install tensorflow-cpu)")
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_side_by_side(results, scenario, check):
    got = results[scenario]
    assert "error" not in got, got.get("error")
    assert got[check] is True, got[check]


def test_unbuilt_keras_optimizer_fails_loudly(results):
    assert results["unbuilt_optimizer"]["loud"] is True, results["unbuilt_optimizer"]
