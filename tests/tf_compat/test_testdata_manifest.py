"""`ckpt` against every checkpoint TensorFlow wrote in tests/data/tf (see its README.md and MANIFEST.md).

For every V2 bundle (29 prefixes in 25 case folders, of which 26 are V2): `ckpt ls --json` must list
exactly the keys, dtypes, shapes and stored byte counts, `ckpt dump --json` must give the values,
and `ckpt verify` must pass (index-only cases: it must fail, naming the missing data file).
Expectations are literal:

* DOCUMENTED - values stated by the generating script / consuming test / a sibling TF artifact
  (MANIFEST.md "Documented"); checked exactly (float32 equality, or bit patterns where the
  MANIFEST gives them).
* OBSERVED - per-tensor listing from each case's OBSERVED.txt (an independent hand decoder, not
  TF): key, dtype, shape, bytes, and the first <= 8 values rounded to 7 decimals (checked to
  within that rounding). STR(n) = a DT_STRING scalar of n bytes; None = no data shipped.

V1 checkpoints (single file, no .index) are read through CheckpointReader: ls/dump/verify work on them.
"""

from __future__ import annotations

import base64
import math
import struct
from pathlib import Path

import pytest


class STR:
    """Expected DT_STRING scalar of `n` bytes (a serialized proto; content not spelled out)."""

    def __init__(self, n: int):
        self.n = n

    def __repr__(self):
        return f"STR({self.n})"


def f32(x: float) -> float:
    """x rounded to float32 (what a float32 tensor holds for the literal x)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def f32_from_bits(bits: int) -> float:
    return struct.unpack("<f", struct.pack("<I", bits))[0]


# Documented values (MANIFEST.md), exact: prefix -> {key: flat list of values}.
DOCUMENTED = {
    "serving/v2_half_plus_two_2016/export": {"Variable": [0.5], "Variable_1": [2.0]},
    "serving/saved_model_half_plus_two_cpu/variables/variables": {
        "a": [0.5], "b": [2.0], "c": [3.0], "a2": [0.5], "c2": [3.0],
    },
    "serving/saved_model_half_plus_two_tf2_cpu/variables/variables": {
        "a/.ATTRIBUTES/VARIABLE_VALUE": [0.5],
        "b/.ATTRIBUTES/VARIABLE_VALUE": [2.0],
        "c/.ATTRIBUTES/VARIABLE_VALUE": [3.0],
    },
    "serving/saved_model_half_plus_two_mkl/variables/variables": {
        "a": [0.5], "b": [2.0], "c": [3.0],
        "conv2d/bias": [0.0], "conv2d_1/bias": [0.0], "conv2d_2/bias": [0.0],
    },
    "serving/saved_model_counter/variables/variables": {"counter": [0.0]},
    "serving/saved_model_half_plus_three/variables/variables": {"a": [0.5], "b": [3.0], "c": [3.0]},
    "tfx/estimator_tf2_9_format_serving/model.ckpt-0": {
        "global_step": [0],
        "training/Adagrad/learning_rate": [f32(0.001)],
        "training/Ftrl/learning_rate": [f32(0.005)],
        "training/Ftrl/learning_rate_power": [-0.5],
    },
    "tfx/estimator_tf2_9_format_serving/model.ckpt-999": {
        "global_step": [999],
        "training/Adagrad/learning_rate": [f32(0.001)],
        "training/Ftrl/learning_rate": [f32(0.005)],
        "training/Ftrl/learning_rate_power": [-0.5],
    },
    "tfx/estimator_tf2_9_format_serving/model.ckpt-1000": {
        "global_step": [1000],
        "training/Adagrad/learning_rate": [f32(0.001)],
        "training/Ftrl/learning_rate": [f32(0.005)],
        "training/Ftrl/learning_rate_power": [-0.5],
    },
    "tfx/estimator_tf1_12_two_shards/model.ckpt-10000": {"global_step": [10000]},
    "tfx/keras_tuner_trial_epoch0/checkpoint": {
        "optimizer/learning_rate/.ATTRIBUTES/VARIABLE_VALUE": [f32(0.01)],
        "optimizer/beta_1/.ATTRIBUTES/VARIABLE_VALUE": [f32(0.9)],
        "optimizer/beta_2/.ATTRIBUTES/VARIABLE_VALUE": [f32(0.999)],
        "optimizer/decay/.ATTRIBUTES/VARIABLE_VALUE": [0.0],
    },
    "rust/regression_savedmodel_tf2_5/variables/variables": {
        "b/.ATTRIBUTES/VARIABLE_VALUE": [0.0],
        "optimizer/learning_rate/.ATTRIBUTES/VARIABLE_VALUE": [0.5],
        "optimizer/momentum/.ATTRIBUTES/VARIABLE_VALUE": [0.0],
        "optimizer/decay/.ATTRIBUTES/VARIABLE_VALUE": [0.0],
        "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE": [0],
    },
    "rust/regression_model_tf1_2/variables/variables": {"b": [0.0]},
    # frozen.pb of the same model holds W = 0x3e5b18cc, b = 0x3f8656d9 (bit-identical).
    "tensorflow-onnx/regression_checkpoint/model": {
        "W": [f32_from_bits(0x3E5B18CC)], "b": [f32_from_bits(0x3F8656D9)],
    },
    "tensorflow-onnx/assign_saved_model/variables/variables": {"Variable": [0]},
    "ranking/bert_lite_tf2/bert_lite_tf2.ckpt": {
        "save_counter/.ATTRIBUTES/VARIABLE_VALUE": [1],
        "model/layer_with_weights-3/gamma/.ATTRIBUTES/VARIABLE_VALUE": [1.0, 1.0],
        "model/layer_with_weights-3/beta/.ATTRIBUTES/VARIABLE_VALUE": [0.0, 0.0],
        "model/layer_with_weights-4/_attention_layer_norm/gamma/.ATTRIBUTES/VARIABLE_VALUE": [1.0, 1.0],
        "model/layer_with_weights-4/_output_layer_norm/gamma/.ATTRIBUTES/VARIABLE_VALUE": [1.0, 1.0],
        "model/layer_with_weights-5/bias/.ATTRIBUTES/VARIABLE_VALUE": [0.0, 0.0],
    },
    "tfjs/int64_multiply/variables/variables": {
        "v1/.ATTRIBUTES/VARIABLE_VALUE": [3], "v2/.ATTRIBUTES/VARIABLE_VALUE": [2],
    },
    "tfjs/times_two_int/variables/variables": {"v/.ATTRIBUTES/VARIABLE_VALUE": [2]},
    "tfjs/model_multi_output/variables/variables": {"two/.ATTRIBUTES/VARIABLE_VALUE": [2]},
    "cloudml-samples/housing_regressor_two_shards/model.ckpt-0": {"global_step": [0]},
    "cloudml-samples/housing_regressor_two_shards/model.ckpt-1000": {"global_step": [1000]},
}

# Documented shapes (from configs / model code), prefix -> {key: shape}.
DOCUMENTED_SHAPES = {
    "tfx/keras_tuner_trial_epoch0/checkpoint": {
        "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE": [4, 8],
        "layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE": [8],
        "layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE": [8, 3],
        "layer_with_weights-1/bias/.ATTRIBUTES/VARIABLE_VALUE": [3],
    },
    "serving/saved_model_half_plus_two_mkl/variables/variables": {
        "conv2d/kernel": [1, 1, 1, 1], "conv2d_1/kernel": [1, 1, 1, 1], "conv2d_2/kernel": [1, 1, 1, 1],
    },
    "ranking/bert_lite_tf2/bert_lite_tf2.ckpt": {  # bert_lite_config.json
        "model/layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE": [10, 2],
        "model/layer_with_weights-1/embeddings/.ATTRIBUTES/VARIABLE_VALUE": [4, 2],
        "model/layer_with_weights-2/embeddings/.ATTRIBUTES/VARIABLE_VALUE": [2, 2],
        "model/layer_with_weights-4/_attention_layer/_query_dense/kernel/.ATTRIBUTES/VARIABLE_VALUE": [2, 1, 2],
        "model/layer_with_weights-4/_attention_layer/_query_dense/bias/.ATTRIBUTES/VARIABLE_VALUE": [1, 2],
        "model/layer_with_weights-4/_attention_output_dense/kernel/.ATTRIBUTES/VARIABLE_VALUE": [1, 2, 2],
        "model/layer_with_weights-4/_intermediate_dense/kernel/.ATTRIBUTES/VARIABLE_VALUE": [2, 2],
    },
}

# Values in [-1, 1) by construction (tf.random_uniform([1], -1.0, 1.0)), not otherwise documented.
UNIFORM_PM1 = {
    "rust/regression_savedmodel_tf2_5/variables/variables": "w/.ATTRIBUTES/VARIABLE_VALUE",
    "rust/regression_model_tf1_2/variables/variables": "w",
}

# Folders with a `checkpoint` state file -> the prefix (relative to the folder) it names.
STATE_FILES = {
    "cloudml-samples/housing_regressor_two_shards": "model.ckpt-1000",
    "tensorflow-onnx/regression_checkpoint": "model",
    "tfx/estimator_tf1_12_two_shards": "model.ckpt-10000",
    "tfx/estimator_tf2_9_format_serving": "model.ckpt-1000",
    "tfx/keras_tuner_trial_epoch0": "checkpoint",  # the prefix and the state file share a name
}

# V1 (TensorSliceWriter) checkpoints: one file, no .index.
V1_FILES = [
    "serving/v1_session_bundle_half_plus_two/export-00000-of-00001",
    "serving/v1_bad_half_plus_two/export",
    "nxt-tensorflow/v1_model_ckpt/model.ckpt",
]

# OBSERVED values are rounded to 7 decimals.
ROUNDING = 5e-8


def close_to_observed(got, want) -> bool:
    if isinstance(want, int) and not isinstance(want, bool):
        return got == want
    if isinstance(got, str):  # "nan"/"inf" never appear in OBSERVED
        return False
    return abs(got - want) <= ROUNDING * 1.01 + 1e-9 * abs(want)


def num_elements(shape) -> int:
    return math.prod(shape)


@pytest.fixture(scope="module")
def data(tf_testdata) -> Path:
    return tf_testdata


# Generated once from the OBSERVED.txt files: prefix -> (num_shards, data files shipped,
# [(key, dtype, shape, bytes stored, first <= 8 values)] in key order).
OBSERVED = {
    'cloudml-samples/housing_regressor_two_shards/model.ckpt-0': (2, True, [
        ('dnn/hiddenlayer_0/batchnorm_0/beta', 'float32', [32], 128, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_0/batchnorm_0/beta/Adam', 'float32', [32], 128, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_0/batchnorm_0/beta/Adam_1', 'float32', [32], 128, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_0/batchnorm_0/gamma', 'float32', [32], 128, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
        ('dnn/hiddenlayer_0/batchnorm_0/gamma/Adam', 'float32', [32], 128, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_0/batchnorm_0/gamma/Adam_1', 'float32', [32], 128, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_0/batchnorm_0/moving_mean', 'float32', [32], 128, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_0/batchnorm_0/moving_variance', 'float32', [32], 128, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
        ('dnn/hiddenlayer_0/bias', 'float32', [32], 128, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_0/bias/Adam', 'float32', [32], 128, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_0/bias/Adam_1', 'float32', [32], 128, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_0/kernel', 'float32', [15, 32], 1920, [-0.351971, 0.3421715, 0.1617059, -0.0956118, 0.185171, -0.3117835, -0.1646417, 0.1882076]),
        ('dnn/hiddenlayer_0/kernel/Adam', 'float32', [15, 32], 1920, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_0/kernel/Adam_1', 'float32', [15, 32], 1920, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_1/batchnorm_1/beta', 'float32', [22], 88, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_1/batchnorm_1/beta/Adam', 'float32', [22], 88, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_1/batchnorm_1/beta/Adam_1', 'float32', [22], 88, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_1/batchnorm_1/gamma', 'float32', [22], 88, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
        ('dnn/hiddenlayer_1/batchnorm_1/gamma/Adam', 'float32', [22], 88, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_1/batchnorm_1/gamma/Adam_1', 'float32', [22], 88, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_1/batchnorm_1/moving_mean', 'float32', [22], 88, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_1/batchnorm_1/moving_variance', 'float32', [22], 88, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
        ('dnn/hiddenlayer_1/bias', 'float32', [22], 88, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_1/bias/Adam', 'float32', [22], 88, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_1/bias/Adam_1', 'float32', [22], 88, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_1/kernel', 'float32', [32, 22], 2816, [-0.0174411, 0.3222567, 0.1255952, -0.0284874, 0.1998699, 0.1795646, 0.274079, 0.0488654]),
        ('dnn/hiddenlayer_1/kernel/Adam', 'float32', [32, 22], 2816, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_1/kernel/Adam_1', 'float32', [32, 22], 2816, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_2/batchnorm_2/beta', 'float32', [15], 60, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_2/batchnorm_2/beta/Adam', 'float32', [15], 60, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_2/batchnorm_2/beta/Adam_1', 'float32', [15], 60, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_2/batchnorm_2/gamma', 'float32', [15], 60, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
        ('dnn/hiddenlayer_2/batchnorm_2/gamma/Adam', 'float32', [15], 60, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_2/batchnorm_2/gamma/Adam_1', 'float32', [15], 60, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_2/batchnorm_2/moving_mean', 'float32', [15], 60, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_2/batchnorm_2/moving_variance', 'float32', [15], 60, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
        ('dnn/hiddenlayer_2/bias', 'float32', [15], 60, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_2/bias/Adam', 'float32', [15], 60, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_2/bias/Adam_1', 'float32', [15], 60, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_2/kernel', 'float32', [22, 15], 1320, [-0.2158955, -0.4019272, 0.0220185, -0.1763152, 0.0187086, -0.3843207, -0.2103957, 0.1964553]),
        ('dnn/hiddenlayer_2/kernel/Adam', 'float32', [22, 15], 1320, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/hiddenlayer_2/kernel/Adam_1', 'float32', [22, 15], 1320, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/input_from_feature_columns/input_layer/alcohol_use_embedding/embedding_weights', 'float32', [3, 2], 24, [-0.7370625, 0.7785522, -0.3259405, -0.8472998, 0.2390227, 0.6447671]),
        ('dnn/input_from_feature_columns/input_layer/alcohol_use_embedding/embedding_weights/Adam', 'float32', [3, 2], 24, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/input_from_feature_columns/input_layer/alcohol_use_embedding/embedding_weights/Adam_1', 'float32', [3, 2], 24, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/input_from_feature_columns/input_layer/cigarette_use_embedding/embedding_weights', 'float32', [3, 2], 24, [0.1046521, 0.7223632, 0.5397041, 0.4351307, 0.3194674, -0.0571574]),
        ('dnn/input_from_feature_columns/input_layer/cigarette_use_embedding/embedding_weights/Adam', 'float32', [3, 2], 24, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/input_from_feature_columns/input_layer/cigarette_use_embedding/embedding_weights/Adam_1', 'float32', [3, 2], 24, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/input_from_feature_columns/input_layer/is_male_embedding/embedding_weights', 'float32', [2, 2], 16, [-0.8397725, -0.4923191, 0.5732756, 0.6587745]),
        ('dnn/input_from_feature_columns/input_layer/is_male_embedding/embedding_weights/Adam', 'float32', [2, 2], 16, [0.0, 0.0, 0.0, 0.0]),
        ('dnn/input_from_feature_columns/input_layer/is_male_embedding/embedding_weights/Adam_1', 'float32', [2, 2], 16, [0.0, 0.0, 0.0, 0.0]),
        ('dnn/input_from_feature_columns/input_layer/mother_married_embedding/embedding_weights', 'float32', [2, 2], 16, [0.4471722, -0.1084118, -0.0974545, -0.2892628]),
        ('dnn/input_from_feature_columns/input_layer/mother_married_embedding/embedding_weights/Adam', 'float32', [2, 2], 16, [0.0, 0.0, 0.0, 0.0]),
        ('dnn/input_from_feature_columns/input_layer/mother_married_embedding/embedding_weights/Adam_1', 'float32', [2, 2], 16, [0.0, 0.0, 0.0, 0.0]),
        ('dnn/input_from_feature_columns/input_layer/mother_race_embedding/embedding_weights', 'float32', [12, 4], 192, [0.3801658, -0.3147831, 0.1229827, -0.4396829, -0.4245528, 0.1095992, -0.4617059, 0.5344598]),
        ('dnn/input_from_feature_columns/input_layer/mother_race_embedding/embedding_weights/Adam', 'float32', [12, 4], 192, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/input_from_feature_columns/input_layer/mother_race_embedding/embedding_weights/Adam_1', 'float32', [12, 4], 192, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/logits/bias', 'float32', [1], 4, [0.0]),
        ('dnn/logits/bias/Adam', 'float32', [1], 4, [0.0]),
        ('dnn/logits/bias/Adam_1', 'float32', [1], 4, [0.0]),
        ('dnn/logits/kernel', 'float32', [15, 1], 60, [0.1849812, -0.1362354, -0.0446658, 0.3691232, -0.2479082, 0.1781605, -0.3608998, 0.2036206]),
        ('dnn/logits/kernel/Adam', 'float32', [15, 1], 60, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('dnn/logits/kernel/Adam_1', 'float32', [15, 1], 60, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('global_step', 'int64', [], 8, [0]),
        ('head/beta1_power', 'float32', [], 4, [0.9]),
        ('head/beta2_power', 'float32', [], 4, [0.999]),
    ]),
    'cloudml-samples/housing_regressor_two_shards/model.ckpt-1000': (2, True, [
        ('dnn/hiddenlayer_0/batchnorm_0/beta', 'float32', [32], 128, [0.0779035, 0.0145207, -0.0199165, -0.0115952, -0.0103297, -0.0085125, -0.1303586, -0.0139491]),
        ('dnn/hiddenlayer_0/batchnorm_0/beta/Adam', 'float32', [32], 128, [-0.867, -1.3090293, 0.4383701, 0.180319, 0.0081407, 1.459986, -1.0497471, 0.0086549]),
        ('dnn/hiddenlayer_0/batchnorm_0/beta/Adam_1', 'float32', [32], 128, [30.1296444, 35.6429977, 39.8547478, 35.3589897, 22.7117672, 36.2167053, 33.8299217, 23.3067818]),
        ('dnn/hiddenlayer_0/batchnorm_0/gamma', 'float32', [32], 128, [1.0, 1.0231476, 1.0421661, 1.0119838, 1.0, 0.9560533, 1.0329286, 0.9279798]),
        ('dnn/hiddenlayer_0/batchnorm_0/gamma/Adam', 'float32', [32], 128, [0.0, 4.6915412, -0.1840376, -1.0615995, 0.0, -1.1708879, 0.1042425, -1.2532718]),
        ('dnn/hiddenlayer_0/batchnorm_0/gamma/Adam_1', 'float32', [32], 128, [0.0, 217.1184998, 62.7570305, 80.1893845, 0.0, 59.2015648, 50.9395828, 90.9337463]),
        ('dnn/hiddenlayer_0/batchnorm_0/moving_mean', 'float32', [32], 128, [0.0, 0.1441266, 3.9934039, 1.3501123, 0.0, 1.1114618, 0.9055575, 0.6062425]),
        ('dnn/hiddenlayer_0/batchnorm_0/moving_variance', 'float32', [32], 128, [0.3676954, 0.4841261, 0.4502136, 0.4212716, 0.3676954, 0.6175048, 0.6654502, 0.4269014]),
        ('dnn/hiddenlayer_0/bias', 'float32', [32], 128, [0.0, -0.0140379, -0.0118148, -0.0042578, 0.0, 0.0322807, 0.0274055, 0.0054199]),
        ('dnn/hiddenlayer_0/bias/Adam', 'float32', [32], 128, [0.0, -0.1625223, 2.1e-05, 1.27e-05, 0.0, -0.8791271, -0.0013121, -6.88e-05]),
        ('dnn/hiddenlayer_0/bias/Adam_1', 'float32', [32], 128, [0.0, 134.1789703, 0.0, 0.0, 0.0, 9.5199318, 8.4727249, 7.1428113]),
        ('dnn/hiddenlayer_0/kernel', 'float32', [15, 32], 1920, [-0.351971, 0.3539504, 0.2119561, -0.0469617, 0.185171, -0.2945912, -0.1373343, 0.1737107]),
        ('dnn/hiddenlayer_0/kernel/Adam', 'float32', [15, 32], 1920, [0.0, 0.0330879, -1.235827, -3.9967194, 0.0, -1.6916234, -0.8208135, 1.7334083]),
        ('dnn/hiddenlayer_0/kernel/Adam_1', 'float32', [15, 32], 1920, [0.0, 29.8096142, 59.0175819, 122.8725662, 0.0, 23.6963921, 17.9884739, 56.8989983]),
        ('dnn/hiddenlayer_1/batchnorm_1/beta', 'float32', [22], 88, [-0.0276709, -0.0339339, -0.0241035, -0.1018232, -0.0492676, -0.0260516, -0.0153242, -0.007597]),
        ('dnn/hiddenlayer_1/batchnorm_1/beta/Adam', 'float32', [22], 88, [0.747717, 3.6458375, -0.8223192, -1.0845141, -0.8292161, -0.7807195, 0.7241292, -0.3717957]),
        ('dnn/hiddenlayer_1/batchnorm_1/beta/Adam_1', 'float32', [22], 88, [19.6729546, 36.2133942, 30.9812145, 18.0329952, 44.1661415, 54.2338943, 13.6726589, 12.7897015]),
        ('dnn/hiddenlayer_1/batchnorm_1/gamma', 'float32', [22], 88, [1.1008556, 0.9412349, 0.9758896, 1.0671625, 1.0124972, 0.9924268, 0.9806505, 1.0349581]),
        ('dnn/hiddenlayer_1/batchnorm_1/gamma/Adam', 'float32', [22], 88, [1.0090203, 1.333585, -4.192801, -0.1848435, 4.2905025, 0.2992617, 1.0775367, 0.1123311]),
        ('dnn/hiddenlayer_1/batchnorm_1/gamma/Adam_1', 'float32', [22], 88, [35.3123169, 49.9014091, 159.5141296, 38.3920403, 223.8059845, 187.3241272, 29.6180973, 24.6039429]),
        ('dnn/hiddenlayer_1/batchnorm_1/moving_mean', 'float32', [22], 88, [0.2490564, 0.1674465, 0.1812722, 0.1613334, 0.2553368, 0.2120427, 0.1994113, 0.1063587]),
        ('dnn/hiddenlayer_1/batchnorm_1/moving_variance', 'float32', [22], 88, [0.5369263, 0.5090847, 0.4781508, 0.4469269, 0.5634395, 0.4956764, 0.4541518, 0.4675284]),
        ('dnn/hiddenlayer_1/bias', 'float32', [22], 88, [-0.0027276, -0.0120448, -0.0146725, -0.0106748, -0.0118374, -0.0163088, 0.021935, -0.0646157]),
        ('dnn/hiddenlayer_1/bias/Adam', 'float32', [22], 88, [-0.2790558, 1.6084683, -0.2047757, 1.5014765, -2.1749294, -0.8709581, 1.1350055, -1.5192826]),
        ('dnn/hiddenlayer_1/bias/Adam_1', 'float32', [22], 88, [25.3011703, 28.5667973, 32.0554657, 98.1492767, 44.5299377, 69.1352234, 22.1846085, 17.5108395]),
        ('dnn/hiddenlayer_1/kernel', 'float32', [32, 22], 2816, [-0.0263505, 0.3006732, 0.1180976, -0.0538612, 0.1643856, 0.1584056, 0.2982525, -0.0450469]),
        ('dnn/hiddenlayer_1/kernel/Adam', 'float32', [32, 22], 2816, [-0.0197385, 0.1245402, -0.0156369, 0.115744, -0.1669708, -0.0669132, 0.0874411, -0.1175897]),
        ('dnn/hiddenlayer_1/kernel/Adam_1', 'float32', [32, 22], 2816, [0.1039861, 0.1036802, 0.1362936, 0.3866879, 0.1598486, 0.2760554, 0.0762494, 0.0588923]),
        ('dnn/hiddenlayer_2/batchnorm_2/beta', 'float32', [15], 60, [0.5619481, -0.5699437, -0.6403833, 0.4944808, -0.5332534, 0.5664864, -0.4971661, 0.5392787]),
        ('dnn/hiddenlayer_2/batchnorm_2/beta/Adam', 'float32', [15], 60, [-10.5616093, 10.1940842, 9.2311544, -13.2672396, 11.2190895, -10.180954, 12.5539284, -11.0420818]),
        ('dnn/hiddenlayer_2/batchnorm_2/beta/Adam_1', 'float32', [15], 60, [51902.2265625, 45514.765625, 30318.6914062, 121744.65625, 66259.6328125, 45752.109375, 103360.515625, 63412.3632812]),
        ('dnn/hiddenlayer_2/batchnorm_2/gamma', 'float32', [15], 60, [0.9198512, 0.9613889, 1.058844, 0.9175649, 1.0096723, 0.894523, 0.9295415, 0.9479665]),
        ('dnn/hiddenlayer_2/batchnorm_2/gamma/Adam', 'float32', [15], 60, [8.0325356, 4.7344074, 4.7989726, -2.3012073, 3.4082458, -3.6283453, -4.9816322, -2.7185302]),
        ('dnn/hiddenlayer_2/batchnorm_2/gamma/Adam_1', 'float32', [15], 60, [279.8442688, 260.9081421, 211.0285492, 458.7427673, 341.289856, 263.4333801, 646.8189087, 319.1754761]),
        ('dnn/hiddenlayer_2/batchnorm_2/moving_mean', 'float32', [15], 60, [0.4681372, 0.3218498, 0.4347026, 0.4570602, 0.4103341, 0.3705034, 0.278925, 0.5280735]),
        ('dnn/hiddenlayer_2/batchnorm_2/moving_variance', 'float32', [15], 60, [0.9368185, 0.7947928, 1.1919546, 0.8299684, 0.9325691, 0.8902653, 0.8074294, 0.9041736]),
        ('dnn/hiddenlayer_2/bias', 'float32', [15], 60, [0.1051601, 0.0245195, 0.019036, 0.127255, 0.0114201, 0.1498439, -0.0177831, 0.115256]),
        ('dnn/hiddenlayer_2/bias/Adam', 'float32', [15], 60, [-0.9978354, -2.2358096, 1.2626903, -1.3808281, -0.9299129, 2.134711, -4.1799784, 0.3803257]),
        ('dnn/hiddenlayer_2/bias/Adam_1', 'float32', [15], 60, [9.7172737, 44.1135406, 17.6801109, 41.3135262, 24.6101475, 32.3786736, 73.6036987, 13.7273426]),
        ('dnn/hiddenlayer_2/kernel', 'float32', [22, 15], 1320, [-0.2993689, -0.3646856, 0.1092337, -0.1455881, 0.0864727, -0.452643, -0.2341707, 0.1472404]),
        ('dnn/hiddenlayer_2/kernel/Adam', 'float32', [22, 15], 1320, [0.6702524, 1.0658239, -1.8365505, -2.1691992, -2.0985308, -0.4004427, 1.3559923, 0.5370314]),
        ('dnn/hiddenlayer_2/kernel/Adam_1', 'float32', [22, 15], 1320, [6.3958802, 56.6041603, 107.4670639, 325.704834, 30.7151566, 43.2000084, 80.1636658, 156.1056976]),
        ('dnn/input_from_feature_columns/input_layer/alcohol_use_embedding/embedding_weights', 'float32', [3, 2], 24, [-0.7178193, 0.6987929, -0.3968771, -0.7673154, 0.2810837, 0.6077003]),
        ('dnn/input_from_feature_columns/input_layer/alcohol_use_embedding/embedding_weights/Adam', 'float32', [3, 2], 24, [0.1514533, 0.0852034, 0.1216291, -0.6142305, 0.9025725, 1.0569286]),
        ('dnn/input_from_feature_columns/input_layer/alcohol_use_embedding/embedding_weights/Adam_1', 'float32', [3, 2], 24, [7.2668605, 3.1377831, 55.7378693, 20.886797, 50.1320381, 25.5644989]),
        ('dnn/input_from_feature_columns/input_layer/cigarette_use_embedding/embedding_weights', 'float32', [3, 2], 24, [0.1596176, 0.6712041, 0.4914913, 0.3136087, 0.3325123, 0.0828835]),
        ('dnn/input_from_feature_columns/input_layer/cigarette_use_embedding/embedding_weights/Adam', 'float32', [3, 2], 24, [-0.0723877, -0.3428038, -0.1873777, -0.1521208, -0.0792624, -0.7200096]),
        ('dnn/input_from_feature_columns/input_layer/cigarette_use_embedding/embedding_weights/Adam_1', 'float32', [3, 2], 24, [5.4245543, 19.5642986, 39.8344307, 38.7829514, 46.0239563, 47.9549446]),
        ('dnn/input_from_feature_columns/input_layer/is_male_embedding/embedding_weights', 'float32', [2, 2], 16, [-1.0234156, -0.6302846, 0.7280837, 0.7890843]),
        ('dnn/input_from_feature_columns/input_layer/is_male_embedding/embedding_weights/Adam', 'float32', [2, 2], 16, [0.9305337, 0.83288, 0.1548579, -0.0027542]),
        ('dnn/input_from_feature_columns/input_layer/is_male_embedding/embedding_weights/Adam_1', 'float32', [2, 2], 16, [48.6114883, 61.7867546, 87.8684845, 71.308754]),
        ('dnn/input_from_feature_columns/input_layer/mother_married_embedding/embedding_weights', 'float32', [2, 2], 16, [0.3657382, -0.1395486, 0.0047827, -0.2501816]),
        ('dnn/input_from_feature_columns/input_layer/mother_married_embedding/embedding_weights/Adam', 'float32', [2, 2], 16, [0.0853643, 0.1850237, -0.464828, 1.0179515]),
        ('dnn/input_from_feature_columns/input_layer/mother_married_embedding/embedding_weights/Adam_1', 'float32', [2, 2], 16, [28.0267315, 100.847435, 25.6091957, 73.9581985]),
        ('dnn/input_from_feature_columns/input_layer/mother_race_embedding/embedding_weights', 'float32', [12, 4], 192, [0.3721662, -0.2949644, 0.1400289, -0.3924957, -0.3952487, 0.1365578, -0.3910515, 0.4830714]),
        ('dnn/input_from_feature_columns/input_layer/mother_race_embedding/embedding_weights/Adam', 'float32', [12, 4], 192, [1.5991476, 0.7182125, -1.4075533, -0.6832187, -0.7504213, -0.6315847, 0.055516, -0.1823245]),
        ('dnn/input_from_feature_columns/input_layer/mother_race_embedding/embedding_weights/Adam_1', 'float32', [12, 4], 192, [100.6596298, 37.4996681, 37.5300941, 17.9889297, 21.8846798, 11.4519691, 10.4261732, 7.1507668]),
        ('dnn/logits/bias', 'float32', [1], 4, [0.3845482]),
        ('dnn/logits/bias/Adam', 'float32', [1], 4, [-13.1800165]),
        ('dnn/logits/bias/Adam_1', 'float32', [1], 4, [351331.40625]),
        ('dnn/logits/kernel', 'float32', [15, 1], 60, [0.8012332, -0.7736566, -0.7006588, 1.0071573, -0.8515943, 0.7730444, -0.9527501, 0.8382381]),
        ('dnn/logits/kernel/Adam', 'float32', [15, 1], 60, [1.8564253, 1.6153829, 1.1730275, -8.601614, 2.9738817, -11.6459093, 11.403657, -10.1697655]),
        ('dnn/logits/kernel/Adam_1', 'float32', [15, 1], 60, [17893.6425781, 18148.703125, 23928.8183594, 14727.7451172, 16899.7109375, 17720.4003906, 14747.7626953, 16756.796875]),
        ('global_step', 'int64', [], 8, [1000]),
        ('head/beta1_power', 'float32', [], 4, [0.0]),
        ('head/beta2_power', 'float32', [], 4, [0.3673325]),
    ]),
    'ranking/bert_lite_tf2/bert_lite_tf2.ckpt': (1, True, [
        ('_CHECKPOINTABLE_OBJECT_GRAPH', 'string', [], 4660, STR(4654)),
        ('model/layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [10, 2], 80, [0.0170836, -0.0033717, 6.8e-05, -0.0237615, -0.0273776, -0.0083496, 0.0301282, 0.0007049]),
        ('model/layer_with_weights-1/embeddings/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [4, 2], 32, [0.0069373, -0.027456, 0.0354765, 0.007845, 0.0106335, -0.00677, 0.007388, 0.0015531]),
        ('model/layer_with_weights-2/embeddings/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [2, 2], 16, [0.0016164, 0.0297998, 0.0158361, 0.0172334]),
        ('model/layer_with_weights-3/beta/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [2], 8, [0.0, 0.0]),
        ('model/layer_with_weights-3/gamma/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [2], 8, [1.0, 1.0]),
        ('model/layer_with_weights-4/_attention_layer/_key_dense/bias/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [1, 2], 8, [0.0, 0.0]),
        ('model/layer_with_weights-4/_attention_layer/_key_dense/kernel/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [2, 1, 2], 16, [0.0160426, 0.0035987, -0.0047688, -0.0151639]),
        ('model/layer_with_weights-4/_attention_layer/_query_dense/bias/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [1, 2], 8, [0.0, 0.0]),
        ('model/layer_with_weights-4/_attention_layer/_query_dense/kernel/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [2, 1, 2], 16, [-0.0358083, 0.0137179, -0.0002893, 0.0136822]),
        ('model/layer_with_weights-4/_attention_layer/_value_dense/bias/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [1, 2], 8, [0.0, 0.0]),
        ('model/layer_with_weights-4/_attention_layer/_value_dense/kernel/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [2, 1, 2], 16, [0.0199868, 0.0074113, 0.0015566, 0.0128374]),
        ('model/layer_with_weights-4/_attention_layer_norm/beta/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [2], 8, [0.0, 0.0]),
        ('model/layer_with_weights-4/_attention_layer_norm/gamma/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [2], 8, [1.0, 1.0]),
        ('model/layer_with_weights-4/_attention_output_dense/bias/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [2], 8, [0.0, 0.0]),
        ('model/layer_with_weights-4/_attention_output_dense/kernel/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [1, 2, 2], 16, [0.0258714, 0.0065315, -0.0209721, -0.0197183]),
        ('model/layer_with_weights-4/_intermediate_dense/bias/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [2], 8, [0.0, 0.0]),
        ('model/layer_with_weights-4/_intermediate_dense/kernel/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [2, 2], 16, [-0.0203982, 0.0164242, 0.019981, 0.0023395]),
        ('model/layer_with_weights-4/_output_dense/bias/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [2], 8, [0.0, 0.0]),
        ('model/layer_with_weights-4/_output_dense/kernel/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [2, 2], 16, [-0.0074214, 0.0245656, -0.0167728, 0.002203]),
        ('model/layer_with_weights-4/_output_layer_norm/beta/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [2], 8, [0.0, 0.0]),
        ('model/layer_with_weights-4/_output_layer_norm/gamma/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [2], 8, [1.0, 1.0]),
        ('model/layer_with_weights-5/bias/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [2], 8, [0.0, 0.0]),
        ('model/layer_with_weights-5/kernel/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [2, 2], 16, [0.0105922, -0.0244692, 0.0187926, -0.0131752]),
        ('save_counter/.ATTRIBUTES/VARIABLE_VALUE', 'int64', [], 8, [1]),
    ]),
    'rossman/keras_two_shards/variables/variables': (2, True, [
        ('_CHECKPOINTABLE_OBJECT_GRAPH', 'string', [], 14447, STR(14441)),
        ('keras_api/metrics/0/count/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [203442.0]),
        ('keras_api/metrics/0/total/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [16566.8828125]),
        ('keras_api/metrics/1/count/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [203442.0]),
        ('keras_api/metrics/1/total/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [44932.0820312]),
        ('layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [-0.0184791, -1.4320745, -0.6480814, -1.4439669, -1.5431805, -2.031776, -1.9338671, -1.5351901]),
        ('layer_with_weights-0/bias/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [1.36e-05, -4.97e-05, 8.9e-06, 0.000303, -0.0006478, -0.0005299, -7.5e-06, -2.55e-05]),
        ('layer_with_weights-0/bias/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [2e-07, 0.0, 0.0, 1e-06, 3.86e-05, 3.35e-05, 3.59e-05, 3e-07]),
        ('layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [28, 256], 28672, [-0.0116033, -0.5163042, 0.3295485, -0.0519908, 0.0079079, -0.0365412, -0.080051, 0.3108129]),
        ('layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [28, 256], 28672, [-4.1e-06, 3.5e-05, -7.24e-05, -0.000135, 0.001001, 5.59e-05, -5.78e-05, 0.000148]),
        ('layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [28, 256], 28672, [2e-07, 1e-07, 0.0, 1.9e-06, 3.17e-05, 4.5e-05, 1.55e-05, 1.2e-06]),
        ('layer_with_weights-1/beta/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [1.0804001, 0.0619039, 0.2084862, 0.6617772, 0.4856751, 0.1190001, 1.0330665, 0.4930789]),
        ('layer_with_weights-1/beta/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [-0.0009299, 0.000161, -0.0003636, -0.0003308, 0.0001925, 5.57e-05, 0.0002083, -5.77e-05]),
        ('layer_with_weights-1/beta/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [7.7e-06, 2.6e-06, 4.6e-06, 5.2e-06, 2.31e-05, 1.24e-05, 1.83e-05, 3.3e-06]),
        ('layer_with_weights-1/gamma/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [0.9082432, 0.4098252, 0.508731, 1.2822828, 2.2590258, 1.5951285, 1.277909, 0.8766367]),
        ('layer_with_weights-1/gamma/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [0.0001574, -7.25e-05, 8e-07, -9.22e-05, 1.86e-05, -2.99e-05, -0.0001627, -0.0001821]),
        ('layer_with_weights-1/gamma/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [2.3e-06, 1.6e-06, 2.8e-06, 1.4e-06, 2.8e-06, 1.8e-06, 9e-07, 5.1e-06]),
        ('layer_with_weights-1/moving_mean/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [1.4091344, 0.5043172, 1.0880147, 0.2329061, 0.1818671, 0.139721, 0.4046517, 0.5064093]),
        ('layer_with_weights-1/moving_variance/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [8.8260231, 1.3308079, 6.4159503, 0.4282581, 0.3187751, 0.1678977, 1.1641903, 1.0495117]),
        ('layer_with_weights-2/bias/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [-0.9168195, -0.8869405, -0.9621615, -0.1276588, -0.9045261, -0.5788585, 1.3177855, 0.7304527]),
        ('layer_with_weights-2/bias/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [2.7e-06, 1.58e-05, -2e-06, 1e-07, -1.1e-06, 1.28e-05, -1.65e-05, -4.3e-06]),
        ('layer_with_weights-2/bias/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [1e-07, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('layer_with_weights-2/kernel/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256, 256], 262144, [-0.512657, -0.0579426, -0.103289, -0.2944344, -0.6491771, -0.1456699, 2.141443, 0.4985605]),
        ('layer_with_weights-2/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256, 256], 262144, [1.43e-05, 5.7e-06, 9.2e-06, 6e-07, 1.9e-06, 1.28e-05, -1.27e-05, -5e-06]),
        ('layer_with_weights-2/kernel/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256, 256], 262144, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('layer_with_weights-3/beta/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [0.1851044, 0.6281618, 0.1718361, 0.4594213, 0.4191633, 0.115529, 0.5598367, 0.2497177]),
        ('layer_with_weights-3/beta/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [0.0001221, -4.89e-05, -8.18e-05, -0.0009357, 0.000243, 0.0001474, -0.0007078, -0.0003481]),
        ('layer_with_weights-3/beta/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [2.2e-06, 2.05e-05, 2.7e-06, 0.0001806, 5.6e-06, 4.2e-06, 1.52e-05, 2.27e-05]),
        ('layer_with_weights-3/gamma/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [0.6118704, 1.3507119, 0.9378557, 1.4291945, 0.6395302, 0.6261399, 1.6470631, 1.632522]),
        ('layer_with_weights-3/gamma/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [0.0003808, 6.19e-05, -9.51e-05, 0.0003612, -0.0002158, 0.0001294, 0.0001849, 8.82e-05]),
        ('layer_with_weights-3/gamma/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [3.7e-06, 2.9e-06, 1.6e-06, 1.96e-05, 1.8e-06, 1.9e-06, 2e-06, 2e-06]),
        ('layer_with_weights-3/moving_mean/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [0.4614879, 3.379379, 2.2815297, 21.3927307, 2.2847264, 4.8854113, 33.3669701, 23.7804298]),
        ('layer_with_weights-3/moving_variance/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [3.1506236, 81.5961075, 45.5447044, 2923.817627, 22.3457069, 92.3527756, 5189.137207, 2946.5476074]),
        ('layer_with_weights-4/bias/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [-0.4522735, 0.1204587, -0.1303381, -0.463109, -0.494954, -0.0577001, -0.083185, 1.0250877]),
        ('layer_with_weights-4/bias/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [1.47e-05, -4e-06, 2.46e-05, -0.0, -0.0, -1.4e-06, 1.32e-05, 7.2e-06]),
        ('layer_with_weights-4/bias/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [1e-07, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('layer_with_weights-4/kernel/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256, 256], 262144, [0.0379031, -1.712868, 0.4230487, -0.239692, 0.2737136, 0.1981851, -0.2244979, -0.0740751]),
        ('layer_with_weights-4/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256, 256], 262144, [6.5e-06, -3e-06, 3.9e-06, 0.0, 1e-07, 4.7e-06, 2e-06, -6.4e-06]),
        ('layer_with_weights-4/kernel/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256, 256], 262144, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('layer_with_weights-5/beta/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [0.9328525, 0.3045605, -0.0687291, 0.0951202, -0.1267321, 0.1744958, 0.1382595, -0.0018936]),
        ('layer_with_weights-5/beta/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [-0.0001969, -0.0002135, -0.0004182, -0.0003277, -0.0004894, -0.0002717, -0.0002085, -0.0001078]),
        ('layer_with_weights-5/beta/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [8.5e-06, 2.5e-06, 3.1e-06, 1.9e-06, 3.3e-06, 3.7e-06, 9e-07, 1.3e-06]),
        ('layer_with_weights-5/gamma/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [1.4551098, 0.8153374, 0.6890801, 0.3172796, 0.6543957, 0.7275195, 0.2132148, 0.4041249]),
        ('layer_with_weights-5/gamma/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [8.2e-06, 0.0001189, 0.0001718, 0.0001889, 6.62e-05, -9.79e-05, 0.0002171, 9.35e-05]),
        ('layer_with_weights-5/gamma/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [1.4e-06, 2.1e-06, 4.5e-06, 2.3e-06, 1.9e-06, 6.2e-06, 5.1e-06, 1.9e-06]),
        ('layer_with_weights-5/moving_mean/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [5.8314862, 8.4798098, 9.9261875, 20.6907692, 17.1053181, 3.824827, 2.1846039, 12.4747534]),
        ('layer_with_weights-5/moving_variance/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256], 1024, [42.6062927, 355.146759, 566.5575562, 2751.2033691, 1932.8962402, 107.6614456, 17.7807159, 259.931427]),
        ('layer_with_weights-6/bias/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [128], 512, [0.5630206, 0.2096778, -0.1182733, 0.1088211, 0.4003911, 1.1097324, 0.2857336, 0.0130149]),
        ('layer_with_weights-6/bias/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [128], 512, [-3e-07, 5.3e-06, 1.46e-05, 6.2e-06, 1e-07, 8.5e-06, -3e-07, 7.2e-06]),
        ('layer_with_weights-6/bias/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [128], 512, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('layer_with_weights-6/kernel/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256, 128], 131072, [-0.2287973, -0.2007288, -0.304905, -0.028949, -0.5300233, -0.2128712, -0.4334719, 0.1117855]),
        ('layer_with_weights-6/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256, 128], 131072, [1e-07, 8.33e-05, 0.0001256, 4.66e-05, 2e-07, 6.03e-05, -0.0, 5.1e-05]),
        ('layer_with_weights-6/kernel/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [256, 128], 131072, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('layer_with_weights-7/beta/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [128], 512, [-0.1452497, 0.2305529, 0.0571329, 0.0571709, -0.1574894, 0.0671846, -0.1458325, 0.0688749]),
        ('layer_with_weights-7/beta/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [128], 512, [0.0066672, -0.0124066, -0.0036593, -0.0034652, 0.0070053, -0.0044555, 0.00661, -0.003899]),
        ('layer_with_weights-7/beta/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [128], 512, [0.0059855, 0.0233493, 0.0018341, 0.0019284, 0.0071149, 0.0028347, 0.0061967, 0.0022626]),
        ('layer_with_weights-7/gamma/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [128], 512, [0.5810756, 0.1328993, 0.4435967, 0.420804, 0.5624749, 0.3815818, 0.5806702, 0.4367533]),
        ('layer_with_weights-7/gamma/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [128], 512, [0.0027855, 0.0016112, 0.0004714, 0.0003256, -0.000621, 0.001589, 0.0016827, 1.98e-05]),
        ('layer_with_weights-7/gamma/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [128], 512, [0.0001617, 0.0003575, 2.94e-05, 3.12e-05, 0.0001958, 4.45e-05, 0.0001659, 4.06e-05]),
        ('layer_with_weights-7/moving_mean/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [128], 512, [19.8882332, 24.4473553, 17.4669037, 33.3875694, 23.199461, 36.8986473, 19.9699745, 30.4504566]),
        ('layer_with_weights-7/moving_variance/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [128], 512, [2478.217041, 480.6039734, 244.7643738, 972.8949585, 3450.9233398, 1052.4265137, 2630.2407227, 1036.0705566]),
        ('layer_with_weights-8/bias/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [1], 4, [0.8317982]),
        ('layer_with_weights-8/bias/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [1], 4, [-0.0707347]),
        ('layer_with_weights-8/bias/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [1], 4, [0.7097241]),
        ('layer_with_weights-8/kernel/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [128, 1], 512, [-0.0966194, 0.1779639, 0.0529549, 0.0512158, -0.1017438, 0.0654765, -0.0957099, 0.0578538]),
        ('layer_with_weights-8/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [128, 1], 512, [-0.0066345, -0.0149015, 7.74e-05, -0.0012731, 0.0144434, 0.0046115, -5.86e-05, -0.0046641]),
        ('layer_with_weights-8/kernel/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [128, 1], 512, [0.0164596, 0.0371535, 0.0032785, 0.0031495, 0.0189149, 0.003613, 0.0169873, 0.0044603]),
        ('optimizer/beta_1/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [0.9]),
        ('optimizer/beta_2/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [0.999]),
        ('optimizer/decay/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [0.0]),
        ('optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE', 'int64', [], 8, [324258]),
        ('optimizer/learning_rate/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [0.001]),
    ]),
    'rust/regression_model_tf1_2/variables/variables': (1, True, [
        ('b', 'float32', [1], 4, [0.0]),
        ('w', 'float32', [1], 4, [-0.8578622]),
    ]),
    'rust/regression_savedmodel_tf2_5/variables/variables': (1, True, [
        ('_CHECKPOINTABLE_OBJECT_GRAPH', 'string', [], 537, STR(531)),
        ('b/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [1], 4, [0.0]),
        ('optimizer/decay/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [0.0]),
        ('optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE', 'int64', [], 8, [0]),
        ('optimizer/learning_rate/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [0.5]),
        ('optimizer/momentum/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [0.0]),
        ('w/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [1], 4, [0.2042975]),
    ]),
    'serving/saved_model_counter/variables/variables': (1, True, [
        ('counter', 'float32', [], 4, [0.0]),
    ]),
    'serving/saved_model_half_plus_three/variables/variables': (1, True, [
        ('a', 'float32', [], 4, [0.5]),
        ('b', 'float32', [], 4, [3.0]),
        ('c', 'float32', [], 4, [3.0]),
    ]),
    'serving/saved_model_half_plus_two_cpu/variables/variables': (1, True, [
        ('a', 'float32', [], 4, [0.5]),
        ('a2', 'float32', [], 4, [0.5]),
        ('b', 'float32', [], 4, [2.0]),
        ('c', 'float32', [], 4, [3.0]),
        ('c2', 'float32', [], 4, [3.0]),
    ]),
    'serving/saved_model_half_plus_two_mkl/variables/variables': (1, True, [
        ('a', 'float32', [], 4, [0.5]),
        ('b', 'float32', [], 4, [2.0]),
        ('c', 'float32', [], 4, [3.0]),
        ('conv2d/bias', 'float32', [1], 4, [0.0]),
        ('conv2d/kernel', 'float32', [1, 1, 1, 1], 4, [-0.522396]),
        ('conv2d_1/bias', 'float32', [1], 4, [0.0]),
        ('conv2d_1/kernel', 'float32', [1, 1, 1, 1], 4, [-1.045112]),
        ('conv2d_2/bias', 'float32', [1], 4, [0.0]),
        ('conv2d_2/kernel', 'float32', [1, 1, 1, 1], 4, [1.5779432]),
    ]),
    'serving/saved_model_half_plus_two_tf2_cpu/variables/variables': (1, True, [
        ('_CHECKPOINTABLE_OBJECT_GRAPH', 'string', [], 619, STR(613)),
        ('a/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [0.5]),
        ('b/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [2.0]),
        ('c/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [3.0]),
    ]),
    'serving/tf_text_regression/variables/variables': (1, True, [
        ('_CHECKPOINTABLE_OBJECT_GRAPH', 'string', [], 927, STR(921)),
    ]),
    'serving/v2_half_plus_two_2016/export': (1, True, [
        ('Variable', 'float32', [], 4, [0.5]),
        ('Variable_1', 'float32', [], 4, [2.0]),
    ]),
    'swift-models/index_only/minigo': (1, False, [
        ('batch_normalization/beta', 'float32', [256], 1024, None),
        ('batch_normalization/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization/gamma', 'float32', [256], 1024, None),
        ('batch_normalization/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_1/beta', 'float32', [256], 1024, None),
        ('batch_normalization_1/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_1/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_1/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_1/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_1/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_10/beta', 'float32', [256], 1024, None),
        ('batch_normalization_10/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_10/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_10/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_10/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_10/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_11/beta', 'float32', [256], 1024, None),
        ('batch_normalization_11/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_11/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_11/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_11/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_11/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_12/beta', 'float32', [256], 1024, None),
        ('batch_normalization_12/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_12/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_12/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_12/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_12/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_13/beta', 'float32', [256], 1024, None),
        ('batch_normalization_13/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_13/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_13/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_13/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_13/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_14/beta', 'float32', [256], 1024, None),
        ('batch_normalization_14/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_14/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_14/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_14/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_14/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_15/beta', 'float32', [256], 1024, None),
        ('batch_normalization_15/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_15/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_15/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_15/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_15/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_16/beta', 'float32', [256], 1024, None),
        ('batch_normalization_16/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_16/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_16/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_16/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_16/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_17/beta', 'float32', [256], 1024, None),
        ('batch_normalization_17/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_17/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_17/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_17/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_17/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_18/beta', 'float32', [256], 1024, None),
        ('batch_normalization_18/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_18/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_18/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_18/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_18/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_19/beta', 'float32', [256], 1024, None),
        ('batch_normalization_19/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_19/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_19/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_19/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_19/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_2/beta', 'float32', [256], 1024, None),
        ('batch_normalization_2/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_2/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_2/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_2/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_2/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_20/beta', 'float32', [256], 1024, None),
        ('batch_normalization_20/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_20/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_20/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_20/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_20/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_21/beta', 'float32', [256], 1024, None),
        ('batch_normalization_21/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_21/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_21/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_21/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_21/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_22/beta', 'float32', [256], 1024, None),
        ('batch_normalization_22/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_22/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_22/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_22/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_22/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_23/beta', 'float32', [256], 1024, None),
        ('batch_normalization_23/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_23/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_23/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_23/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_23/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_24/beta', 'float32', [256], 1024, None),
        ('batch_normalization_24/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_24/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_24/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_24/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_24/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_25/beta', 'float32', [256], 1024, None),
        ('batch_normalization_25/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_25/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_25/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_25/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_25/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_26/beta', 'float32', [256], 1024, None),
        ('batch_normalization_26/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_26/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_26/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_26/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_26/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_27/beta', 'float32', [256], 1024, None),
        ('batch_normalization_27/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_27/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_27/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_27/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_27/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_28/beta', 'float32', [256], 1024, None),
        ('batch_normalization_28/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_28/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_28/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_28/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_28/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_29/beta', 'float32', [256], 1024, None),
        ('batch_normalization_29/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_29/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_29/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_29/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_29/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_3/beta', 'float32', [256], 1024, None),
        ('batch_normalization_3/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_3/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_3/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_3/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_3/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_30/beta', 'float32', [256], 1024, None),
        ('batch_normalization_30/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_30/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_30/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_30/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_30/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_31/beta', 'float32', [256], 1024, None),
        ('batch_normalization_31/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_31/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_31/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_31/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_31/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_32/beta', 'float32', [256], 1024, None),
        ('batch_normalization_32/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_32/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_32/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_32/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_32/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_33/beta', 'float32', [256], 1024, None),
        ('batch_normalization_33/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_33/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_33/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_33/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_33/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_34/beta', 'float32', [256], 1024, None),
        ('batch_normalization_34/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_34/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_34/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_34/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_34/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_35/beta', 'float32', [256], 1024, None),
        ('batch_normalization_35/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_35/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_35/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_35/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_35/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_36/beta', 'float32', [256], 1024, None),
        ('batch_normalization_36/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_36/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_36/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_36/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_36/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_37/beta', 'float32', [256], 1024, None),
        ('batch_normalization_37/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_37/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_37/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_37/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_37/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_38/beta', 'float32', [256], 1024, None),
        ('batch_normalization_38/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_38/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_38/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_38/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_38/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_39/moving_mean', 'float32', [2], 8, None),
        ('batch_normalization_39/moving_variance', 'float32', [2], 8, None),
        ('batch_normalization_4/beta', 'float32', [256], 1024, None),
        ('batch_normalization_4/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_4/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_4/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_4/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_4/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_40/moving_mean', 'float32', [1], 4, None),
        ('batch_normalization_40/moving_variance', 'float32', [1], 4, None),
        ('batch_normalization_5/beta', 'float32', [256], 1024, None),
        ('batch_normalization_5/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_5/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_5/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_5/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_5/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_6/beta', 'float32', [256], 1024, None),
        ('batch_normalization_6/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_6/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_6/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_6/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_6/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_7/beta', 'float32', [256], 1024, None),
        ('batch_normalization_7/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_7/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_7/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_7/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_7/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_8/beta', 'float32', [256], 1024, None),
        ('batch_normalization_8/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_8/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_8/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_8/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_8/moving_variance', 'float32', [256], 1024, None),
        ('batch_normalization_9/beta', 'float32', [256], 1024, None),
        ('batch_normalization_9/beta/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_9/gamma', 'float32', [256], 1024, None),
        ('batch_normalization_9/gamma/Momentum', 'float32', [256], 1024, None),
        ('batch_normalization_9/moving_mean', 'float32', [256], 1024, None),
        ('batch_normalization_9/moving_variance', 'float32', [256], 1024, None),
        ('conv2d/kernel', 'float32', [3, 3, 17, 256], 156672, None),
        ('conv2d/kernel/Momentum', 'float32', [3, 3, 17, 256], 156672, None),
        ('conv2d_1/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_1/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_10/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_10/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_11/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_11/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_12/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_12/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_13/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_13/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_14/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_14/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_15/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_15/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_16/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_16/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_17/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_17/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_18/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_18/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_19/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_19/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_2/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_2/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_20/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_20/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_21/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_21/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_22/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_22/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_23/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_23/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_24/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_24/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_25/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_25/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_26/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_26/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_27/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_27/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_28/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_28/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_29/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_29/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_3/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_3/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_30/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_30/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_31/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_31/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_32/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_32/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_33/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_33/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_34/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_34/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_35/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_35/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_36/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_36/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_37/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_37/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_38/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_38/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_39/kernel', 'float32', [1, 1, 256, 2], 2048, None),
        ('conv2d_39/kernel/Momentum', 'float32', [1, 1, 256, 2], 2048, None),
        ('conv2d_4/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_4/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_40/kernel', 'float32', [1, 1, 256, 1], 1024, None),
        ('conv2d_40/kernel/Momentum', 'float32', [1, 1, 256, 1], 1024, None),
        ('conv2d_5/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_5/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_6/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_6/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_7/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_7/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_8/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_8/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_9/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('conv2d_9/kernel/Momentum', 'float32', [3, 3, 256, 256], 2359296, None),
        ('dense/bias', 'float32', [362], 1448, None),
        ('dense/bias/Momentum', 'float32', [362], 1448, None),
        ('dense/kernel', 'float32', [722, 362], 1045456, None),
        ('dense/kernel/Momentum', 'float32', [722, 362], 1045456, None),
        ('dense_1/bias', 'float32', [256], 1024, None),
        ('dense_1/bias/Momentum', 'float32', [256], 1024, None),
        ('dense_1/kernel', 'float32', [361, 256], 369664, None),
        ('dense_1/kernel/Momentum', 'float32', [361, 256], 369664, None),
        ('dense_2/bias', 'float32', [1], 4, None),
        ('dense_2/bias/Momentum', 'float32', [1], 4, None),
        ('dense_2/kernel', 'float32', [256, 1], 1024, None),
        ('dense_2/kernel/Momentum', 'float32', [256, 1], 1024, None),
        ('global_step', 'int64', [], 8, None),
    ]),
    'swift-models/index_only/resnet_saved_model_variables/variables': (1, False, [
        ('global_step', 'int64', [], 8, None),
        ('resnet_model/batch_normalization/beta', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization/gamma', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization/moving_mean', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization/moving_variance', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_1/beta', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_1/gamma', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_1/moving_mean', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_1/moving_variance', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_10/beta', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_10/gamma', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_10/moving_mean', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_10/moving_variance', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_11/beta', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_11/gamma', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_11/moving_mean', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_11/moving_variance', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_12/beta', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_12/gamma', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_12/moving_mean', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_12/moving_variance', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_13/beta', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_13/gamma', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_13/moving_mean', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_13/moving_variance', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_14/beta', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_14/gamma', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_14/moving_mean', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_14/moving_variance', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_15/beta', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_15/gamma', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_15/moving_mean', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_15/moving_variance', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_16/beta', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_16/gamma', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_16/moving_mean', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_16/moving_variance', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_17/beta', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_17/gamma', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_17/moving_mean', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_17/moving_variance', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_18/beta', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_18/gamma', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_18/moving_mean', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_18/moving_variance', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_19/beta', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_19/gamma', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_19/moving_mean', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_19/moving_variance', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_2/beta', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_2/gamma', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_2/moving_mean', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_2/moving_variance', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_20/beta', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_20/gamma', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_20/moving_mean', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_20/moving_variance', 'float32', [128], 512, None),
        ('resnet_model/batch_normalization_21/beta', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_21/gamma', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_21/moving_mean', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_21/moving_variance', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_22/beta', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_22/gamma', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_22/moving_mean', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_22/moving_variance', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_23/beta', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_23/gamma', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_23/moving_mean', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_23/moving_variance', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_24/beta', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_24/gamma', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_24/moving_mean', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_24/moving_variance', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_25/beta', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_25/gamma', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_25/moving_mean', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_25/moving_variance', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_26/beta', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_26/gamma', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_26/moving_mean', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_26/moving_variance', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_27/beta', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_27/gamma', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_27/moving_mean', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_27/moving_variance', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_28/beta', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_28/gamma', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_28/moving_mean', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_28/moving_variance', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_29/beta', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_29/gamma', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_29/moving_mean', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_29/moving_variance', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_3/beta', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_3/gamma', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_3/moving_mean', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_3/moving_variance', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_30/beta', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_30/gamma', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_30/moving_mean', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_30/moving_variance', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_31/beta', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_31/gamma', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_31/moving_mean', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_31/moving_variance', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_32/beta', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_32/gamma', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_32/moving_mean', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_32/moving_variance', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_33/beta', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_33/gamma', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_33/moving_mean', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_33/moving_variance', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_34/beta', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_34/gamma', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_34/moving_mean', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_34/moving_variance', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_35/beta', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_35/gamma', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_35/moving_mean', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_35/moving_variance', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_36/beta', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_36/gamma', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_36/moving_mean', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_36/moving_variance', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_37/beta', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_37/gamma', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_37/moving_mean', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_37/moving_variance', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_38/beta', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_38/gamma', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_38/moving_mean', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_38/moving_variance', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_39/beta', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_39/gamma', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_39/moving_mean', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_39/moving_variance', 'float32', [1024], 4096, None),
        ('resnet_model/batch_normalization_4/beta', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_4/gamma', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_4/moving_mean', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_4/moving_variance', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_40/beta', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_40/gamma', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_40/moving_mean', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_40/moving_variance', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_41/beta', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_41/gamma', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_41/moving_mean', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_41/moving_variance', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_42/beta', 'float32', [2048], 8192, None),
        ('resnet_model/batch_normalization_42/gamma', 'float32', [2048], 8192, None),
        ('resnet_model/batch_normalization_42/moving_mean', 'float32', [2048], 8192, None),
        ('resnet_model/batch_normalization_42/moving_variance', 'float32', [2048], 8192, None),
        ('resnet_model/batch_normalization_43/beta', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_43/gamma', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_43/moving_mean', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_43/moving_variance', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_44/beta', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_44/gamma', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_44/moving_mean', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_44/moving_variance', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_45/beta', 'float32', [2048], 8192, None),
        ('resnet_model/batch_normalization_45/gamma', 'float32', [2048], 8192, None),
        ('resnet_model/batch_normalization_45/moving_mean', 'float32', [2048], 8192, None),
        ('resnet_model/batch_normalization_45/moving_variance', 'float32', [2048], 8192, None),
        ('resnet_model/batch_normalization_46/beta', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_46/gamma', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_46/moving_mean', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_46/moving_variance', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_47/beta', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_47/gamma', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_47/moving_mean', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_47/moving_variance', 'float32', [512], 2048, None),
        ('resnet_model/batch_normalization_48/beta', 'float32', [2048], 8192, None),
        ('resnet_model/batch_normalization_48/gamma', 'float32', [2048], 8192, None),
        ('resnet_model/batch_normalization_48/moving_mean', 'float32', [2048], 8192, None),
        ('resnet_model/batch_normalization_48/moving_variance', 'float32', [2048], 8192, None),
        ('resnet_model/batch_normalization_5/beta', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_5/gamma', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_5/moving_mean', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_5/moving_variance', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_6/beta', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_6/gamma', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_6/moving_mean', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_6/moving_variance', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_7/beta', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_7/gamma', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_7/moving_mean', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_7/moving_variance', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_8/beta', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_8/gamma', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_8/moving_mean', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_8/moving_variance', 'float32', [64], 256, None),
        ('resnet_model/batch_normalization_9/beta', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_9/gamma', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_9/moving_mean', 'float32', [256], 1024, None),
        ('resnet_model/batch_normalization_9/moving_variance', 'float32', [256], 1024, None),
        ('resnet_model/conv2d/kernel', 'float32', [7, 7, 3, 64], 37632, None),
        ('resnet_model/conv2d_1/kernel', 'float32', [1, 1, 64, 256], 65536, None),
        ('resnet_model/conv2d_10/kernel', 'float32', [1, 1, 64, 256], 65536, None),
        ('resnet_model/conv2d_11/kernel', 'float32', [1, 1, 256, 512], 524288, None),
        ('resnet_model/conv2d_12/kernel', 'float32', [1, 1, 256, 128], 131072, None),
        ('resnet_model/conv2d_13/kernel', 'float32', [3, 3, 128, 128], 589824, None),
        ('resnet_model/conv2d_14/kernel', 'float32', [1, 1, 128, 512], 262144, None),
        ('resnet_model/conv2d_15/kernel', 'float32', [1, 1, 512, 128], 262144, None),
        ('resnet_model/conv2d_16/kernel', 'float32', [3, 3, 128, 128], 589824, None),
        ('resnet_model/conv2d_17/kernel', 'float32', [1, 1, 128, 512], 262144, None),
        ('resnet_model/conv2d_18/kernel', 'float32', [1, 1, 512, 128], 262144, None),
        ('resnet_model/conv2d_19/kernel', 'float32', [3, 3, 128, 128], 589824, None),
        ('resnet_model/conv2d_2/kernel', 'float32', [1, 1, 64, 64], 16384, None),
        ('resnet_model/conv2d_20/kernel', 'float32', [1, 1, 128, 512], 262144, None),
        ('resnet_model/conv2d_21/kernel', 'float32', [1, 1, 512, 128], 262144, None),
        ('resnet_model/conv2d_22/kernel', 'float32', [3, 3, 128, 128], 589824, None),
        ('resnet_model/conv2d_23/kernel', 'float32', [1, 1, 128, 512], 262144, None),
        ('resnet_model/conv2d_24/kernel', 'float32', [1, 1, 512, 1024], 2097152, None),
        ('resnet_model/conv2d_25/kernel', 'float32', [1, 1, 512, 256], 524288, None),
        ('resnet_model/conv2d_26/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('resnet_model/conv2d_27/kernel', 'float32', [1, 1, 256, 1024], 1048576, None),
        ('resnet_model/conv2d_28/kernel', 'float32', [1, 1, 1024, 256], 1048576, None),
        ('resnet_model/conv2d_29/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('resnet_model/conv2d_3/kernel', 'float32', [3, 3, 64, 64], 147456, None),
        ('resnet_model/conv2d_30/kernel', 'float32', [1, 1, 256, 1024], 1048576, None),
        ('resnet_model/conv2d_31/kernel', 'float32', [1, 1, 1024, 256], 1048576, None),
        ('resnet_model/conv2d_32/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('resnet_model/conv2d_33/kernel', 'float32', [1, 1, 256, 1024], 1048576, None),
        ('resnet_model/conv2d_34/kernel', 'float32', [1, 1, 1024, 256], 1048576, None),
        ('resnet_model/conv2d_35/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('resnet_model/conv2d_36/kernel', 'float32', [1, 1, 256, 1024], 1048576, None),
        ('resnet_model/conv2d_37/kernel', 'float32', [1, 1, 1024, 256], 1048576, None),
        ('resnet_model/conv2d_38/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('resnet_model/conv2d_39/kernel', 'float32', [1, 1, 256, 1024], 1048576, None),
        ('resnet_model/conv2d_4/kernel', 'float32', [1, 1, 64, 256], 65536, None),
        ('resnet_model/conv2d_40/kernel', 'float32', [1, 1, 1024, 256], 1048576, None),
        ('resnet_model/conv2d_41/kernel', 'float32', [3, 3, 256, 256], 2359296, None),
        ('resnet_model/conv2d_42/kernel', 'float32', [1, 1, 256, 1024], 1048576, None),
        ('resnet_model/conv2d_43/kernel', 'float32', [1, 1, 1024, 2048], 8388608, None),
        ('resnet_model/conv2d_44/kernel', 'float32', [1, 1, 1024, 512], 2097152, None),
        ('resnet_model/conv2d_45/kernel', 'float32', [3, 3, 512, 512], 9437184, None),
        ('resnet_model/conv2d_46/kernel', 'float32', [1, 1, 512, 2048], 4194304, None),
        ('resnet_model/conv2d_47/kernel', 'float32', [1, 1, 2048, 512], 4194304, None),
        ('resnet_model/conv2d_48/kernel', 'float32', [3, 3, 512, 512], 9437184, None),
        ('resnet_model/conv2d_49/kernel', 'float32', [1, 1, 512, 2048], 4194304, None),
        ('resnet_model/conv2d_5/kernel', 'float32', [1, 1, 256, 64], 65536, None),
        ('resnet_model/conv2d_50/kernel', 'float32', [1, 1, 2048, 512], 4194304, None),
        ('resnet_model/conv2d_51/kernel', 'float32', [3, 3, 512, 512], 9437184, None),
        ('resnet_model/conv2d_52/kernel', 'float32', [1, 1, 512, 2048], 4194304, None),
        ('resnet_model/conv2d_6/kernel', 'float32', [3, 3, 64, 64], 147456, None),
        ('resnet_model/conv2d_7/kernel', 'float32', [1, 1, 64, 256], 65536, None),
        ('resnet_model/conv2d_8/kernel', 'float32', [1, 1, 256, 64], 65536, None),
        ('resnet_model/conv2d_9/kernel', 'float32', [3, 3, 64, 64], 147456, None),
        ('resnet_model/dense/bias', 'float32', [1001], 4004, None),
        ('resnet_model/dense/kernel', 'float32', [2048, 1001], 8200192, None),
    ]),
    'swift-models/index_only/transformer': (1, False, [
        ('model/h0/attn/c_attn/b', 'float32', [2304], 9216, None),
        ('model/h0/attn/c_attn/w', 'float32', [1, 768, 2304], 7077888, None),
        ('model/h0/attn/c_proj/b', 'float32', [768], 3072, None),
        ('model/h0/attn/c_proj/w', 'float32', [1, 768, 768], 2359296, None),
        ('model/h0/ln_1/b', 'float32', [768], 3072, None),
        ('model/h0/ln_1/g', 'float32', [768], 3072, None),
        ('model/h0/ln_2/b', 'float32', [768], 3072, None),
        ('model/h0/ln_2/g', 'float32', [768], 3072, None),
        ('model/h0/mlp/c_fc/b', 'float32', [3072], 12288, None),
        ('model/h0/mlp/c_fc/w', 'float32', [1, 768, 3072], 9437184, None),
        ('model/h0/mlp/c_proj/b', 'float32', [768], 3072, None),
        ('model/h0/mlp/c_proj/w', 'float32', [1, 3072, 768], 9437184, None),
        ('model/h1/attn/c_attn/b', 'float32', [2304], 9216, None),
        ('model/h1/attn/c_attn/w', 'float32', [1, 768, 2304], 7077888, None),
        ('model/h1/attn/c_proj/b', 'float32', [768], 3072, None),
        ('model/h1/attn/c_proj/w', 'float32', [1, 768, 768], 2359296, None),
        ('model/h1/ln_1/b', 'float32', [768], 3072, None),
        ('model/h1/ln_1/g', 'float32', [768], 3072, None),
        ('model/h1/ln_2/b', 'float32', [768], 3072, None),
        ('model/h1/ln_2/g', 'float32', [768], 3072, None),
        ('model/h1/mlp/c_fc/b', 'float32', [3072], 12288, None),
        ('model/h1/mlp/c_fc/w', 'float32', [1, 768, 3072], 9437184, None),
        ('model/h1/mlp/c_proj/b', 'float32', [768], 3072, None),
        ('model/h1/mlp/c_proj/w', 'float32', [1, 3072, 768], 9437184, None),
        ('model/h10/attn/c_attn/b', 'float32', [2304], 9216, None),
        ('model/h10/attn/c_attn/w', 'float32', [1, 768, 2304], 7077888, None),
        ('model/h10/attn/c_proj/b', 'float32', [768], 3072, None),
        ('model/h10/attn/c_proj/w', 'float32', [1, 768, 768], 2359296, None),
        ('model/h10/ln_1/b', 'float32', [768], 3072, None),
        ('model/h10/ln_1/g', 'float32', [768], 3072, None),
        ('model/h10/ln_2/b', 'float32', [768], 3072, None),
        ('model/h10/ln_2/g', 'float32', [768], 3072, None),
        ('model/h10/mlp/c_fc/b', 'float32', [3072], 12288, None),
        ('model/h10/mlp/c_fc/w', 'float32', [1, 768, 3072], 9437184, None),
        ('model/h10/mlp/c_proj/b', 'float32', [768], 3072, None),
        ('model/h10/mlp/c_proj/w', 'float32', [1, 3072, 768], 9437184, None),
        ('model/h11/attn/c_attn/b', 'float32', [2304], 9216, None),
        ('model/h11/attn/c_attn/w', 'float32', [1, 768, 2304], 7077888, None),
        ('model/h11/attn/c_proj/b', 'float32', [768], 3072, None),
        ('model/h11/attn/c_proj/w', 'float32', [1, 768, 768], 2359296, None),
        ('model/h11/ln_1/b', 'float32', [768], 3072, None),
        ('model/h11/ln_1/g', 'float32', [768], 3072, None),
        ('model/h11/ln_2/b', 'float32', [768], 3072, None),
        ('model/h11/ln_2/g', 'float32', [768], 3072, None),
        ('model/h11/mlp/c_fc/b', 'float32', [3072], 12288, None),
        ('model/h11/mlp/c_fc/w', 'float32', [1, 768, 3072], 9437184, None),
        ('model/h11/mlp/c_proj/b', 'float32', [768], 3072, None),
        ('model/h11/mlp/c_proj/w', 'float32', [1, 3072, 768], 9437184, None),
        ('model/h2/attn/c_attn/b', 'float32', [2304], 9216, None),
        ('model/h2/attn/c_attn/w', 'float32', [1, 768, 2304], 7077888, None),
        ('model/h2/attn/c_proj/b', 'float32', [768], 3072, None),
        ('model/h2/attn/c_proj/w', 'float32', [1, 768, 768], 2359296, None),
        ('model/h2/ln_1/b', 'float32', [768], 3072, None),
        ('model/h2/ln_1/g', 'float32', [768], 3072, None),
        ('model/h2/ln_2/b', 'float32', [768], 3072, None),
        ('model/h2/ln_2/g', 'float32', [768], 3072, None),
        ('model/h2/mlp/c_fc/b', 'float32', [3072], 12288, None),
        ('model/h2/mlp/c_fc/w', 'float32', [1, 768, 3072], 9437184, None),
        ('model/h2/mlp/c_proj/b', 'float32', [768], 3072, None),
        ('model/h2/mlp/c_proj/w', 'float32', [1, 3072, 768], 9437184, None),
        ('model/h3/attn/c_attn/b', 'float32', [2304], 9216, None),
        ('model/h3/attn/c_attn/w', 'float32', [1, 768, 2304], 7077888, None),
        ('model/h3/attn/c_proj/b', 'float32', [768], 3072, None),
        ('model/h3/attn/c_proj/w', 'float32', [1, 768, 768], 2359296, None),
        ('model/h3/ln_1/b', 'float32', [768], 3072, None),
        ('model/h3/ln_1/g', 'float32', [768], 3072, None),
        ('model/h3/ln_2/b', 'float32', [768], 3072, None),
        ('model/h3/ln_2/g', 'float32', [768], 3072, None),
        ('model/h3/mlp/c_fc/b', 'float32', [3072], 12288, None),
        ('model/h3/mlp/c_fc/w', 'float32', [1, 768, 3072], 9437184, None),
        ('model/h3/mlp/c_proj/b', 'float32', [768], 3072, None),
        ('model/h3/mlp/c_proj/w', 'float32', [1, 3072, 768], 9437184, None),
        ('model/h4/attn/c_attn/b', 'float32', [2304], 9216, None),
        ('model/h4/attn/c_attn/w', 'float32', [1, 768, 2304], 7077888, None),
        ('model/h4/attn/c_proj/b', 'float32', [768], 3072, None),
        ('model/h4/attn/c_proj/w', 'float32', [1, 768, 768], 2359296, None),
        ('model/h4/ln_1/b', 'float32', [768], 3072, None),
        ('model/h4/ln_1/g', 'float32', [768], 3072, None),
        ('model/h4/ln_2/b', 'float32', [768], 3072, None),
        ('model/h4/ln_2/g', 'float32', [768], 3072, None),
        ('model/h4/mlp/c_fc/b', 'float32', [3072], 12288, None),
        ('model/h4/mlp/c_fc/w', 'float32', [1, 768, 3072], 9437184, None),
        ('model/h4/mlp/c_proj/b', 'float32', [768], 3072, None),
        ('model/h4/mlp/c_proj/w', 'float32', [1, 3072, 768], 9437184, None),
        ('model/h5/attn/c_attn/b', 'float32', [2304], 9216, None),
        ('model/h5/attn/c_attn/w', 'float32', [1, 768, 2304], 7077888, None),
        ('model/h5/attn/c_proj/b', 'float32', [768], 3072, None),
        ('model/h5/attn/c_proj/w', 'float32', [1, 768, 768], 2359296, None),
        ('model/h5/ln_1/b', 'float32', [768], 3072, None),
        ('model/h5/ln_1/g', 'float32', [768], 3072, None),
        ('model/h5/ln_2/b', 'float32', [768], 3072, None),
        ('model/h5/ln_2/g', 'float32', [768], 3072, None),
        ('model/h5/mlp/c_fc/b', 'float32', [3072], 12288, None),
        ('model/h5/mlp/c_fc/w', 'float32', [1, 768, 3072], 9437184, None),
        ('model/h5/mlp/c_proj/b', 'float32', [768], 3072, None),
        ('model/h5/mlp/c_proj/w', 'float32', [1, 3072, 768], 9437184, None),
        ('model/h6/attn/c_attn/b', 'float32', [2304], 9216, None),
        ('model/h6/attn/c_attn/w', 'float32', [1, 768, 2304], 7077888, None),
        ('model/h6/attn/c_proj/b', 'float32', [768], 3072, None),
        ('model/h6/attn/c_proj/w', 'float32', [1, 768, 768], 2359296, None),
        ('model/h6/ln_1/b', 'float32', [768], 3072, None),
        ('model/h6/ln_1/g', 'float32', [768], 3072, None),
        ('model/h6/ln_2/b', 'float32', [768], 3072, None),
        ('model/h6/ln_2/g', 'float32', [768], 3072, None),
        ('model/h6/mlp/c_fc/b', 'float32', [3072], 12288, None),
        ('model/h6/mlp/c_fc/w', 'float32', [1, 768, 3072], 9437184, None),
        ('model/h6/mlp/c_proj/b', 'float32', [768], 3072, None),
        ('model/h6/mlp/c_proj/w', 'float32', [1, 3072, 768], 9437184, None),
        ('model/h7/attn/c_attn/b', 'float32', [2304], 9216, None),
        ('model/h7/attn/c_attn/w', 'float32', [1, 768, 2304], 7077888, None),
        ('model/h7/attn/c_proj/b', 'float32', [768], 3072, None),
        ('model/h7/attn/c_proj/w', 'float32', [1, 768, 768], 2359296, None),
        ('model/h7/ln_1/b', 'float32', [768], 3072, None),
        ('model/h7/ln_1/g', 'float32', [768], 3072, None),
        ('model/h7/ln_2/b', 'float32', [768], 3072, None),
        ('model/h7/ln_2/g', 'float32', [768], 3072, None),
        ('model/h7/mlp/c_fc/b', 'float32', [3072], 12288, None),
        ('model/h7/mlp/c_fc/w', 'float32', [1, 768, 3072], 9437184, None),
        ('model/h7/mlp/c_proj/b', 'float32', [768], 3072, None),
        ('model/h7/mlp/c_proj/w', 'float32', [1, 3072, 768], 9437184, None),
        ('model/h8/attn/c_attn/b', 'float32', [2304], 9216, None),
        ('model/h8/attn/c_attn/w', 'float32', [1, 768, 2304], 7077888, None),
        ('model/h8/attn/c_proj/b', 'float32', [768], 3072, None),
        ('model/h8/attn/c_proj/w', 'float32', [1, 768, 768], 2359296, None),
        ('model/h8/ln_1/b', 'float32', [768], 3072, None),
        ('model/h8/ln_1/g', 'float32', [768], 3072, None),
        ('model/h8/ln_2/b', 'float32', [768], 3072, None),
        ('model/h8/ln_2/g', 'float32', [768], 3072, None),
        ('model/h8/mlp/c_fc/b', 'float32', [3072], 12288, None),
        ('model/h8/mlp/c_fc/w', 'float32', [1, 768, 3072], 9437184, None),
        ('model/h8/mlp/c_proj/b', 'float32', [768], 3072, None),
        ('model/h8/mlp/c_proj/w', 'float32', [1, 3072, 768], 9437184, None),
        ('model/h9/attn/c_attn/b', 'float32', [2304], 9216, None),
        ('model/h9/attn/c_attn/w', 'float32', [1, 768, 2304], 7077888, None),
        ('model/h9/attn/c_proj/b', 'float32', [768], 3072, None),
        ('model/h9/attn/c_proj/w', 'float32', [1, 768, 768], 2359296, None),
        ('model/h9/ln_1/b', 'float32', [768], 3072, None),
        ('model/h9/ln_1/g', 'float32', [768], 3072, None),
        ('model/h9/ln_2/b', 'float32', [768], 3072, None),
        ('model/h9/ln_2/g', 'float32', [768], 3072, None),
        ('model/h9/mlp/c_fc/b', 'float32', [3072], 12288, None),
        ('model/h9/mlp/c_fc/w', 'float32', [1, 768, 3072], 9437184, None),
        ('model/h9/mlp/c_proj/b', 'float32', [768], 3072, None),
        ('model/h9/mlp/c_proj/w', 'float32', [1, 3072, 768], 9437184, None),
        ('model/ln_f/b', 'float32', [768], 3072, None),
        ('model/ln_f/g', 'float32', [768], 3072, None),
        ('model/wpe', 'float32', [1024, 768], 3145728, None),
        ('model/wte', 'float32', [50257, 768], 154389504, None),
    ]),
    'tensorflow-onnx/assign_saved_model/variables/variables': (1, True, [
        ('Variable', 'int32', [], 4, [0]),
    ]),
    'tensorflow-onnx/regression_checkpoint/model': (1, True, [
        ('W', 'float32', [], 4, [0.2139618]),
        ('b', 'float32', [], 4, [1.0495254]),
    ]),
    'tfjs/int64_multiply/variables/variables': (1, True, [
        ('_CHECKPOINTABLE_OBJECT_GRAPH', 'string', [], 164, STR(158)),
        ('v1/.ATTRIBUTES/VARIABLE_VALUE', 'int64', [], 8, [3]),
        ('v2/.ATTRIBUTES/VARIABLE_VALUE', 'int64', [], 8, [2]),
    ]),
    'tfjs/model_multi_output/variables/variables': (1, True, [
        ('_CHECKPOINTABLE_OBJECT_GRAPH', 'string', [], 164, STR(158)),
        ('two/.ATTRIBUTES/VARIABLE_VALUE', 'int32', [], 4, [2]),
        ('v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [3.0]),
    ]),
    'tfjs/times_two_int/variables/variables': (1, True, [
        ('_CHECKPOINTABLE_OBJECT_GRAPH', 'string', [], 92, STR(87)),
        ('v/.ATTRIBUTES/VARIABLE_VALUE', 'int32', [], 4, [2]),
    ]),
    'tfx/estimator_tf1_12_two_shards/model.ckpt-10000': (2, True, [
        ('dnn/hiddenlayer_0/bias', 'float32', [100], 400, [0.0280055, 0.0056307, 0.0161318, 0.0176547, 0.0039177, 0.0260502, -0.0018313, 0.0249178]),
        ('dnn/hiddenlayer_0/bias/Adagrad', 'float32', [100], 400, [82.7470322, 165.1882782, 148.1719818, 724.2261963, 196.0747528, 595.6998901, 235.6154175, 115.2875748]),
        ('dnn/hiddenlayer_0/kernel', 'float32', [3, 100], 1200, [0.0206586, 0.216634, -0.2230012, -0.0509164, 0.0189736, -0.1077392, 0.1006261, 0.0759581]),
        ('dnn/hiddenlayer_0/kernel/Adagrad', 'float32', [3, 100], 1200, [113.9655914, 980.6714478, 90.1094284, 300.5339355, 661.0338745, 104.0315094, 835.7383423, 494.6431274]),
        ('dnn/hiddenlayer_1/bias', 'float32', [70], 280, [0.0, -0.0180913, 0.0386617, 0.0, 0.0195022, 0.0277237, 0.0200648, 0.0283661]),
        ('dnn/hiddenlayer_1/bias/Adagrad', 'float32', [70], 280, [0.1, 120.3948364, 3198.5932617, 0.1, 215.248764, 41.1426964, 1266.6292725, 352.7727661]),
        ('dnn/hiddenlayer_1/kernel', 'float32', [100, 70], 28000, [0.1457468, -0.0448931, 0.1477915, -0.052274, -0.0681377, -0.014506, 0.0363706, -0.0764876]),
        ('dnn/hiddenlayer_1/kernel/Adagrad', 'float32', [100, 70], 28000, [0.1, 0.2635047, 20.2145023, 0.1, 1.0514898, 0.1843829, 8.2401438, 0.3678765]),
        ('dnn/hiddenlayer_2/bias', 'float32', [48], 192, [0.0254813, -0.0166727, 0.0281473, 0.0168986, 0.0, 0.0345595, 0.02969, -0.0004116]),
        ('dnn/hiddenlayer_2/bias/Adagrad', 'float32', [48], 192, [121.1045761, 152.6863708, 3053.8701172, 222.7475891, 0.1, 275.7685547, 1204.708252, 0.138542]),
        ('dnn/hiddenlayer_2/kernel', 'float32', [70, 48], 13440, [-0.2101766, 0.178521, -0.1365376, 0.1920345, -0.1295918, -0.0830138, -0.1614432, -0.1944475]),
        ('dnn/hiddenlayer_2/kernel/Adagrad', 'float32', [70, 48], 13440, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('dnn/hiddenlayer_3/bias', 'float32', [34], 136, [0.0047034, -0.0162845, 0.0003097, -0.0067165, -0.0189269, -0.0067995, -0.0016664, -0.0122788]),
        ('dnn/hiddenlayer_3/bias/Adagrad', 'float32', [34], 136, [1815.4960938, 27.6955204, 0.1018707, 1.0787122, 293.4654236, 1093.704834, 14.1011162, 75.7204742]),
        ('dnn/hiddenlayer_3/kernel', 'float32', [48, 34], 6528, [0.0199333, -0.1464385, -0.1228695, 0.2447234, -0.0369495, -0.0737379, -0.0274193, -0.0608663]),
        ('dnn/hiddenlayer_3/kernel/Adagrad', 'float32', [48, 34], 6528, [0.1032182, 0.1024404, 0.1, 0.1000016, 0.4654922, 0.1000035, 0.1002217, 0.1128641]),
        ('dnn/logits/bias', 'float32', [1], 4, [-0.0270028]),
        ('dnn/logits/bias/Adagrad', 'float32', [1], 4, [52559.484375]),
        ('dnn/logits/kernel', 'float32', [34, 1], 136, [0.4039444, 0.1643301, -0.010224, -0.0193996, 0.3052999, 0.3069676, 0.3309262, 0.2374983]),
        ('dnn/logits/kernel/Adagrad', 'float32', [34, 1], 136, [1595.427002, 0.3538146, 0.1001541, 26.7174644, 0.2325796, 2801.8225098, 0.1027955, 0.8741759]),
        ('global_step', 'int64', [], 8, [10000]),
        ('linear/linear_model/bias_weights', 'float32', [1], 4, [-0.1350134]),
        ('linear/linear_model/bias_weights/Ftrl', 'float32', [1], 4, [52559.484375]),
        ('linear/linear_model/bias_weights/Ftrl_1', 'float32', [1], 4, [6190.5976562]),
        ('linear/linear_model/company_xf/weights', 'float32', [1010, 1], 4040, [-0.0737241, -0.2131517, -0.0485054, -0.0503101, -0.0637358, -0.0612841, -0.0211373, -0.1746944]),
        ('linear/linear_model/company_xf/weights/Ftrl', 'float32', [1010, 1], 4040, [17232.53125, 5123.0556641, 3438.9123535, 3042.6491699, 1724.6466064, 850.5558472, 421.3085022, 14.4303837]),
        ('linear/linear_model/company_xf/weights/Ftrl_1', 'float32', [1010, 1], 4040, [1935.5922852, 3051.2893066, 568.8933105, 555.0228271, 529.3753662, 357.4616394, 86.771843, 132.7235565]),
        ('linear/linear_model/dropoff_latitude_xf/weights', 'float32', [10, 1], 40, [-0.1880906, -0.0862542, -0.1210608, -0.0765374, -0.0647919, 0.065734, -0.0867497, -0.0507191]),
        ('linear/linear_model/dropoff_latitude_xf/weights/Ftrl', 'float32', [10, 1], 40, [3898.7019043, 1939.96521, 3925.703125, 5813.3061523, 6049.0869141, 6389.3046875, 4910.7597656, 5257.9672852]),
        ('linear/linear_model/dropoff_latitude_xf/weights/Ftrl_1', 'float32', [10, 1], 40, [2348.8598633, 759.8139038, 1517.0234375, 1167.1191406, 1007.8496094, -1050.8651123, 1215.8278809, 735.5474243]),
        ('linear/linear_model/dropoff_longitude_xf/weights', 'float32', [10, 1], 40, [-0.0910132, -0.2206819, -0.0430539, -0.1542129, -0.0501657, -0.0892686, -0.112932, -0.1019113]),
        ('linear/linear_model/dropoff_longitude_xf/weights/Ftrl', 'float32', [10, 1], 40, [18769.8984375, 1153.2260742, 1019.9568481, 1766.9263916, 1397.1778564, 2996.543457, 5284.2412109, 4134.6748047]),
        ('linear/linear_model/dropoff_longitude_xf/weights/Ftrl_1', 'float32', [10, 1], 40, [2493.8210449, 1498.8353271, 275.0003662, 1296.4627686, 375.0271606, 977.3255005, 1641.8687744, 1310.6082764]),
        ('linear/linear_model/payment_type_xf/weights', 'float32', [1010, 1], 4040, [-0.7973141, 0.8613102, -0.3609157, -0.0929776, -0.1043895, -0.0691035, -0.0507509, 0.0]),
        ('linear/linear_model/payment_type_xf/weights/Ftrl', 'float32', [1010, 1], 4040, [176769.65625, 195983.671875, 99.4580383, 81.5340424, 9.7444229, 3.4168491, 2.7003982, 0.1]),
        ('linear/linear_model/payment_type_xf/weights/Ftrl_1', 'float32', [1010, 1], 4040, [67044.5234375, -76260.484375, 719.8728027, 167.9104156, 65.1725769, 25.5471764, 16.6796722, 0.0]),
        ('linear/linear_model/pickup_latitude_xf/weights', 'float32', [10, 1], 40, [0.0338795, -0.1156554, -0.152215, -0.0553572, -0.0186413, -0.000872, -0.1529664, -0.1097522]),
        ('linear/linear_model/pickup_latitude_xf/weights/Ftrl', 'float32', [10, 1], 40, [1473.7789307, 3753.9494629, 2714.5424805, 9655.4082031, 5102.6826172, 6901.7749023, 6901.5405273, 4007.2963867]),
        ('linear/linear_model/pickup_latitude_xf/weights/Ftrl_1', 'float32', [10, 1], 40, [-260.1255188, 1417.2294922, 1586.1186523, 1087.9016113, 266.3204041, 14.4893236, 2541.5522461, 1389.5336914]),
        ('linear/linear_model/pickup_longitude_xf/weights', 'float32', [10, 1], 40, [-0.0131219, -0.2895303, -0.185589, -0.1458758, -0.2246885, -0.1134047, -0.0948839, -0.1065706]),
        ('linear/linear_model/pickup_longitude_xf/weights/Ftrl', 'float32', [10, 1], 40, [20406.8730469, 592.6744385, 1472.777832, 542.508728, 1286.1109619, 3805.2666016, 2982.0168457, 4573.5219727]),
        ('linear/linear_model/pickup_longitude_xf/weights/Ftrl_1', 'float32', [10, 1], 40, [374.8998108, 1409.7178955, 1424.4621582, 679.5425415, 1611.572998, 1399.1160889, 1036.2816162, 1441.4273682]),
        ('linear/linear_model/trip_start_day_xf/weights', 'float32', [31, 1], 124, [0.0, -0.086893, -0.0986861, -0.0414564, -0.065652, -0.0519394, -0.1218502, -0.1746416]),
        ('linear/linear_model/trip_start_day_xf/weights/Ftrl', 'float32', [31, 1], 124, [0.1, 6302.9008789, 6305.0200195, 6621.0375977, 6648.8457031, 7275.0483398, 7844.3242188, 7508.8295898]),
        ('linear/linear_model/trip_start_day_xf/weights/Ftrl_1', 'float32', [31, 1], 124, [0.0, 1379.7008057, 1567.2171631, 674.65979, 1070.6582031, 886.0231934, 2158.4099121, 3026.6616211]),
        ('linear/linear_model/trip_start_hour_xf/weights', 'float32', [24, 1], 96, [-0.0200464, 0.0087883, -0.0391776, -0.0193099, -0.0871133, -0.0162609, -0.0385321, -0.1200132]),
        ('linear/linear_model/trip_start_hour_xf/weights/Ftrl', 'float32', [24, 1], 96, [1943.4924316, 1928.5705566, 1305.4040527, 924.8358154, 487.3876343, 542.7782593, 564.0964966, 896.6380615]),
        ('linear/linear_model/trip_start_hour_xf/weights/Ftrl_1', 'float32', [24, 1], 96, [176.7494202, -77.1885681, 283.1004639, 117.4468536, 384.6375732, 75.7678833, 183.0328522, 718.7328491]),
        ('linear/linear_model/trip_start_month_xf/weights', 'float32', [12, 1], 48, [-0.0701792, -0.1536791, -0.1441943, -0.1062415, 0.0003483, -0.1145671, -0.089263, -0.0926464]),
        ('linear/linear_model/trip_start_month_xf/weights/Ftrl', 'float32', [12, 1], 48, [3950.0175781, 3218.1477051, 3295.6037598, 3930.4675293, 4541.2314453, 4150.144043, 4194.9873047, 3878.5559082]),
        ('linear/linear_model/trip_start_month_xf/weights/Ftrl_1', 'float32', [12, 1], 48, [882.1414795, 1743.604248, 1655.5627441, 1332.1295166, -4.6945715, 1476.119873, 1156.2896729, 1153.9669189]),
    ]),
    'tfx/estimator_tf2_9_format_serving/model.ckpt-0': (1, True, [
        ('dnn/hiddenlayer_0/bias', 'float32', [100], 400, [-0.0134921, -0.0084741, 0.0041212, -0.0025963, 0.005362, -0.0029552, -0.007208, -0.0136328]),
        ('dnn/hiddenlayer_0/kernel', 'float32', [3, 100], 1200, [-0.0493753, 0.0324134, 0.1054003, 0.1662585, -0.1307188, 0.0899487, 0.0090222, 0.1961907]),
        ('dnn/hiddenlayer_1/bias', 'float32', [70], 280, [-0.0233754, -0.0116796, -0.0141725, -0.0099286, -0.010365, 0.0010265, -0.0098809, -0.008644]),
        ('dnn/hiddenlayer_1/kernel', 'float32', [100, 70], 28000, [9.79e-05, 0.1172754, -0.1533892, 0.0970078, 0.1587931, -0.1231076, 0.1412235, 0.1032607]),
        ('dnn/hiddenlayer_2/bias', 'float32', [48], 192, [-0.0152528, -0.0308999, 0.025604, 0.0047677, -0.0041459, -0.0229203, -0.0156976, -0.0002527]),
        ('dnn/hiddenlayer_2/kernel', 'float32', [70, 48], 13440, [-0.1659088, 0.0988197, 0.0953207, -0.1930939, -0.1164136, 0.1397581, -0.210541, -0.0296979]),
        ('dnn/hiddenlayer_3/bias', 'float32', [34], 136, [0.0227233, -0.00503, -0.0057253, 0.043832, -0.0118988, 0.0327826, -0.0111927, -0.0130342]),
        ('dnn/hiddenlayer_3/kernel', 'float32', [48, 34], 6528, [-0.1694811, -0.1261325, -0.2124395, -0.1595572, -0.0385091, 0.0141472, 0.0892662, 0.0613153]),
        ('dnn/logits/bias', 'float32', [1], 4, [-0.0402953]),
        ('dnn/logits/kernel', 'float32', [34, 1], 136, [-0.0888398, -0.2913408, 0.0589778, -0.3667524, 0.1436877, -0.404447, 0.0747502, 0.2612017]),
        ('global_step', 'int64', [], 8, [0]),
        ('linear/linear_model/bias_weights', 'float32', [1], 4, [-0.2014764]),
        ('linear/linear_model/company_xf/weights', 'float32', [1010, 1], 4040, [-0.1151556, -0.1558241, -0.1195965, -0.0435967, -0.0467202, -0.0410085, 0.0014956, -0.0492978]),
        ('linear/linear_model/dropoff_latitude_xf/weights', 'float32', [10, 1], 40, [-0.1286303, -0.1271647, -0.0785222, -0.0814718, -0.0316197, -0.0602448, -0.0305353, -0.1127042]),
        ('linear/linear_model/dropoff_longitude_xf/weights', 'float32', [10, 1], 40, [-0.1344853, -0.1609917, -0.0708261, -0.1600022, -0.0187728, -0.1324651, -0.0933881, -0.070241]),
        ('linear/linear_model/payment_type_xf/weights', 'float32', [1010, 1], 4040, [-0.7548722, 0.8624356, -0.1677053, 0.0032209, -0.0069058, -0.0083587, 0.0, 0.0]),
        ('linear/linear_model/pickup_latitude_xf/weights', 'float32', [10, 1], 40, [0.0228044, -0.0574408, -0.126359, -0.0670387, -0.0651506, -0.0288106, -0.1913722, -0.1337123]),
        ('linear/linear_model/pickup_longitude_xf/weights', 'float32', [10, 1], 40, [-0.0273143, -0.1834781, -0.2265623, -0.0653913, -0.1584246, -0.1144035, -0.1034973, -0.1386087]),
        ('linear/linear_model/trip_start_day_xf/weights', 'float32', [31, 1], 124, [0.0, -0.1260605, -0.1510563, -0.0596931, -0.086728, -0.0702357, -0.0781027, -0.1958253]),
        ('linear/linear_model/trip_start_hour_xf/weights', 'float32', [24, 1], 96, [-0.0452677, -0.0080476, 0.0100556, -0.0165102, -0.0347382, -0.0268584, 0.0001547, -0.1170429]),
        ('linear/linear_model/trip_start_month_xf/weights', 'float32', [12, 1], 48, [-0.0504596, -0.1253755, -0.0930912, -0.0724033, -0.0257792, -0.1067914, -0.0824996, -0.1104137]),
        ('training/Adagrad/decay', 'float32', [], 4, [0.0]),
        ('training/Adagrad/dnn/hiddenlayer_0/bias/accumulator', 'float32', [100], 400, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('training/Adagrad/dnn/hiddenlayer_0/kernel/accumulator', 'float32', [3, 100], 1200, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('training/Adagrad/dnn/hiddenlayer_1/bias/accumulator', 'float32', [70], 280, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('training/Adagrad/dnn/hiddenlayer_1/kernel/accumulator', 'float32', [100, 70], 28000, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('training/Adagrad/dnn/hiddenlayer_2/bias/accumulator', 'float32', [48], 192, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('training/Adagrad/dnn/hiddenlayer_2/kernel/accumulator', 'float32', [70, 48], 13440, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('training/Adagrad/dnn/hiddenlayer_3/bias/accumulator', 'float32', [34], 136, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('training/Adagrad/dnn/hiddenlayer_3/kernel/accumulator', 'float32', [48, 34], 6528, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('training/Adagrad/dnn/logits/bias/accumulator', 'float32', [1], 4, [0.1]),
        ('training/Adagrad/dnn/logits/kernel/accumulator', 'float32', [34, 1], 136, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('training/Adagrad/learning_rate', 'float32', [], 4, [0.001]),
        ('training/Ftrl/beta', 'float32', [], 4, [0.0]),
        ('training/Ftrl/decay', 'float32', [], 4, [0.0]),
        ('training/Ftrl/iter', 'int64', [], 8, [0]),
        ('training/Ftrl/l1_regularization_strength', 'float32', [], 4, [0.0]),
        ('training/Ftrl/l2_regularization_strength', 'float32', [], 4, [0.0]),
        ('training/Ftrl/learning_rate', 'float32', [], 4, [0.005]),
        ('training/Ftrl/learning_rate_power', 'float32', [], 4, [-0.5]),
        ('training/Ftrl/linear/linear_model/bias_weights/accumulator', 'float32', [1], 4, [0.1]),
        ('training/Ftrl/linear/linear_model/bias_weights/linear', 'float32', [1], 4, [0.0]),
        ('training/Ftrl/linear/linear_model/company_xf/weights/accumulator', 'float32', [1010, 1], 4040, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('training/Ftrl/linear/linear_model/company_xf/weights/linear', 'float32', [1010, 1], 4040, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('training/Ftrl/linear/linear_model/dropoff_latitude_xf/weights/accumulator', 'float32', [10, 1], 40, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('training/Ftrl/linear/linear_model/dropoff_latitude_xf/weights/linear', 'float32', [10, 1], 40, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('training/Ftrl/linear/linear_model/dropoff_longitude_xf/weights/accumulator', 'float32', [10, 1], 40, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('training/Ftrl/linear/linear_model/dropoff_longitude_xf/weights/linear', 'float32', [10, 1], 40, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('training/Ftrl/linear/linear_model/payment_type_xf/weights/accumulator', 'float32', [1010, 1], 4040, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('training/Ftrl/linear/linear_model/payment_type_xf/weights/linear', 'float32', [1010, 1], 4040, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('training/Ftrl/linear/linear_model/pickup_latitude_xf/weights/accumulator', 'float32', [10, 1], 40, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('training/Ftrl/linear/linear_model/pickup_latitude_xf/weights/linear', 'float32', [10, 1], 40, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('training/Ftrl/linear/linear_model/pickup_longitude_xf/weights/accumulator', 'float32', [10, 1], 40, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('training/Ftrl/linear/linear_model/pickup_longitude_xf/weights/linear', 'float32', [10, 1], 40, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('training/Ftrl/linear/linear_model/trip_start_day_xf/weights/accumulator', 'float32', [31, 1], 124, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('training/Ftrl/linear/linear_model/trip_start_day_xf/weights/linear', 'float32', [31, 1], 124, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('training/Ftrl/linear/linear_model/trip_start_hour_xf/weights/accumulator', 'float32', [24, 1], 96, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('training/Ftrl/linear/linear_model/trip_start_hour_xf/weights/linear', 'float32', [24, 1], 96, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ('training/Ftrl/linear/linear_model/trip_start_month_xf/weights/accumulator', 'float32', [12, 1], 48, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ('training/Ftrl/linear/linear_model/trip_start_month_xf/weights/linear', 'float32', [12, 1], 48, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
    ]),
    'tfx/estimator_tf2_9_format_serving/model.ckpt-1000': (1, True, [
        ('dnn/hiddenlayer_0/bias', 'float32', [100], 400, [-0.0191799, -0.0113077, 0.0048054, 0.0031569, 0.0092711, -0.0077663, -0.0087206, -0.0161814]),
        ('dnn/hiddenlayer_0/kernel', 'float32', [3, 100], 1200, [-0.0473091, 0.0325892, 0.1061868, 0.1617811, -0.1314775, 0.0921815, 0.0100124, 0.1959079]),
        ('dnn/hiddenlayer_1/bias', 'float32', [70], 280, [-0.0309701, -0.0137543, -0.0279185, -0.0162383, -0.0116259, 0.0004901, -0.0111092, -0.0155717]),
        ('dnn/hiddenlayer_1/kernel', 'float32', [100, 70], 28000, [-0.0008729, 0.1172475, -0.1543852, 0.0967998, 0.158698, -0.123102, 0.1412136, 0.1025616]),
        ('dnn/hiddenlayer_2/bias', 'float32', [48], 192, [-0.017199, -0.0371684, 0.0458114, 0.0059893, -0.0037611, -0.023789, -0.0183218, -0.0005127]),
        ('dnn/hiddenlayer_2/kernel', 'float32', [70, 48], 13440, [-0.1660257, 0.0981736, 0.096008, -0.1930227, -0.1164343, 0.1395753, -0.2105829, -0.0296835]),
        ('dnn/hiddenlayer_3/bias', 'float32', [34], 136, [0.0346352, -0.0049409, -0.0088409, 0.0682968, -0.0119582, 0.0534745, -0.0114902, -0.0139033]),
        ('dnn/hiddenlayer_3/kernel', 'float32', [48, 34], 6528, [-0.1694495, -0.1261323, -0.2124396, -0.1594129, -0.0385091, 0.0142637, 0.0892413, 0.0613153]),
        ('dnn/logits/bias', 'float32', [1], 4, [-0.0688979]),
        ('dnn/logits/kernel', 'float32', [34, 1], 136, [-0.0989538, -0.291342, 0.0581381, -0.3857485, 0.1436854, -0.4090108, 0.0745139, 0.2611742]),
        ('global_step', 'int64', [], 8, [1000]),
        ('linear/linear_model/bias_weights', 'float32', [1], 4, [-0.1486201]),
        ('linear/linear_model/company_xf/weights', 'float32', [1010, 1], 4040, [-0.0909511, -0.068427, -0.050299, -0.0233263, -0.0205024, -0.0138759, -0.00291, -0.0071591]),
        ('linear/linear_model/dropoff_latitude_xf/weights', 'float32', [10, 1], 40, [-0.0567495, -0.055498, -0.0387029, -0.0292477, -0.0383898, -0.0438549, -0.0626588, -0.063554]),
        ('linear/linear_model/dropoff_longitude_xf/weights', 'float32', [10, 1], 40, [-0.0694413, -0.0764378, -0.061871, -0.0403317, -0.0396558, -0.0316146, -0.0400037, -0.0404595]),
        ('linear/linear_model/payment_type_xf/weights', 'float32', [1010, 1], 4040, [-0.2733901, 0.3580931, -0.0237706, -0.0003827, -0.0008147, -0.0009145, 0.0, 0.0]),
        ('linear/linear_model/pickup_latitude_xf/weights', 'float32', [10, 1], 40, [-0.0394803, -0.0499939, -0.0282364, -0.0510441, -0.0321138, -0.0224835, -0.0883418, -0.0686838]),
        ('linear/linear_model/pickup_longitude_xf/weights', 'float32', [10, 1], 40, [0.0003451, -0.1117599, -0.0674319, -0.0778518, -0.0166594, -0.046265, -0.0519318, -0.0312288]),
        ('linear/linear_model/trip_start_day_xf/weights', 'float32', [31, 1], 124, [0.0, -0.069391, -0.0751186, -0.0438951, -0.0523677, -0.050407, -0.0586838, -0.1013444]),
        ('linear/linear_model/trip_start_hour_xf/weights', 'float32', [24, 1], 96, [-0.0255062, -0.0166653, -0.0117948, -0.0124898, -0.0116734, -0.0087227, -0.0075827, -0.0290065]),
        ('linear/linear_model/trip_start_month_xf/weights', 'float32', [12, 1], 48, [-0.0370936, -0.0536415, -0.0473024, -0.0454043, -0.0288379, -0.054739, -0.0455614, -0.0533662]),
        ('training/Adagrad/decay', 'float32', [], 4, [0.0]),
        ('training/Adagrad/dnn/hiddenlayer_0/bias/accumulator', 'float32', [100], 400, [0.1185341, 0.1081878, 0.1065987, 0.1275317, 0.112102, 0.1195097, 0.1117894, 0.1133607]),
        ('training/Adagrad/dnn/hiddenlayer_0/kernel/accumulator', 'float32', [3, 100], 1200, [0.1079668, 0.1091556, 0.1080485, 0.1140718, 0.1057684, 0.1166236, 0.1268709, 0.1352166]),
        ('training/Adagrad/dnn/hiddenlayer_1/bias/accumulator', 'float32', [70], 280, [0.1328992, 0.1029266, 0.2648475, 0.1384448, 0.1208769, 0.1045149, 0.102922, 0.1369006]),
        ('training/Adagrad/dnn/hiddenlayer_1/kernel/accumulator', 'float32', [100, 70], 28000, [0.1004761, 0.1000102, 0.1007896, 0.100182, 0.100641, 0.1000003, 0.1000003, 0.1002113]),
        ('training/Adagrad/dnn/hiddenlayer_2/bias/accumulator', 'float32', [48], 192, [0.1030074, 0.2300182, 0.3588917, 0.1025188, 0.1068699, 0.1020167, 0.105394, 0.1003501]),
        ('training/Adagrad/dnn/hiddenlayer_2/kernel/accumulator', 'float32', [70, 48], 13440, [0.1000114, 0.1340867, 0.1003181, 0.1000945, 0.1000034, 0.100532, 0.1000345, 0.1000696]),
        ('training/Adagrad/dnn/hiddenlayer_3/bias/accumulator', 'float32', [34], 136, [0.160813, 0.1000873, 0.1053928, 1.1284715, 0.1000248, 0.8250765, 0.100483, 0.10163]),
        ('training/Adagrad/dnn/hiddenlayer_3/kernel/accumulator', 'float32', [48, 34], 6528, [0.1000008, 0.1, 0.1, 0.1000189, 0.1, 0.1000176, 0.1000031, 0.1]),
        ('training/Adagrad/dnn/logits/bias/accumulator', 'float32', [1], 4, [7.8989682]),
        ('training/Adagrad/dnn/logits/kernel/accumulator', 'float32', [34, 1], 136, [0.1484111, 0.1, 0.1005479, 0.340853, 0.1000001, 0.1105863, 0.1007778, 0.1000031]),
        ('training/Adagrad/learning_rate', 'float32', [], 4, [0.001]),
        ('training/Ftrl/beta', 'float32', [], 4, [0.0]),
        ('training/Ftrl/decay', 'float32', [], 4, [0.0]),
        ('training/Ftrl/iter', 'int64', [], 8, [1000]),
        ('training/Ftrl/l1_regularization_strength', 'float32', [], 4, [0.0]),
        ('training/Ftrl/l2_regularization_strength', 'float32', [], 4, [0.0]),
        ('training/Ftrl/learning_rate', 'float32', [], 4, [0.005]),
        ('training/Ftrl/learning_rate_power', 'float32', [], 4, [-0.5]),
        ('training/Ftrl/linear/linear_model/bias_weights/accumulator', 'float32', [1], 4, [7.8989682]),
        ('training/Ftrl/linear/linear_model/bias_weights/linear', 'float32', [1], 4, [83.5396423]),
        ('training/Ftrl/linear/linear_model/company_xf/weights/accumulator', 'float32', [1010, 1], 4040, [1.7309828, 0.5885635, 0.3949194, 0.3626344, 0.2539393, 0.1718491, 0.1349139, 0.1032866]),
        ('training/Ftrl/linear/linear_model/company_xf/weights/linear', 'float32', [1010, 1], 4040, [23.9322948, 10.4991589, 6.3218412, 2.809375, 2.0663259, 1.1504394, 0.2137721, 0.4601631]),
        ('training/Ftrl/linear/linear_model/dropoff_latitude_xf/weights/accumulator', 'float32', [10, 1], 40, [0.5292035, 0.4267384, 0.580011, 0.4471242, 0.4458843, 0.6710993, 0.5046744, 0.5587776]),
        ('training/Ftrl/linear/linear_model/dropoff_latitude_xf/weights/linear', 'float32', [10, 1], 40, [8.2566366, 7.2508364, 5.8950992, 3.911433, 5.1269193, 7.1852431, 8.9026165, 9.5015059]),
        ('training/Ftrl/linear/linear_model/dropoff_longitude_xf/weights/accumulator', 'float32', [10, 1], 40, [0.5312225, 0.5181117, 0.4942306, 0.5252253, 0.4667284, 0.2196234, 0.8612292, 0.4857555]),
        ('training/Ftrl/linear/linear_model/dropoff_longitude_xf/weights/linear', 'float32', [10, 1], 40, [10.1224575, 11.0039768, 8.699255, 5.8458695, 5.4183774, 2.9631722, 7.4248753, 5.6397376]),
        ('training/Ftrl/linear/linear_model/payment_type_xf/weights/accumulator', 'float32', [1010, 1], 4040, [26.137228, 15.2217159, 0.1138504, 0.1074072, 0.1003422, 0.1004262, 0.1, 0.1]),
        ('training/Ftrl/linear/linear_model/payment_type_xf/weights/linear', 'float32', [1010, 1], 4040, [279.539032, -279.420166, 1.6041237, 0.0250843, 0.0516152, 0.0579632, 0.0, 0.0]),
        ('training/Ftrl/linear/linear_model/pickup_latitude_xf/weights/accumulator', 'float32', [10, 1], 40, [0.4316889, 0.4359619, 0.5461096, 0.6344051, 0.3776694, 0.5794278, 0.6152178, 0.5229088]),
        ('training/Ftrl/linear/linear_model/pickup_latitude_xf/weights/linear', 'float32', [10, 1], 40, [5.1879539, 6.6019421, 4.1732931, 8.1312819, 3.9470942, 3.4228909, 13.858326, 9.9333811]),
        ('training/Ftrl/linear/linear_model/pickup_longitude_xf/weights/accumulator', 'float32', [10, 1], 40, [0.5471601, 0.5770696, 0.5208806, 0.5148856, 0.3318163, 0.3028304, 0.9878696, 0.391322]),
        ('training/Ftrl/linear/linear_model/pickup_longitude_xf/weights/linear', 'float32', [10, 1], 40, [-0.0510495, 16.9797058, 9.7333984, 11.1725912, 1.9192806, 5.0919337, 10.3231668, 3.9070764]),
        ('training/Ftrl/linear/linear_model/trip_start_day_xf/weights/accumulator', 'float32', [31, 1], 124, [0.1, 0.6711786, 0.6345851, 0.6090912, 0.7177381, 0.8025969, 0.8403584, 0.832169]),
        ('training/Ftrl/linear/linear_model/trip_start_day_xf/weights/linear', 'float32', [31, 1], 124, [0.0, 11.3697767, 11.9680281, 6.8515167, 8.8731289, 9.0316963, 10.7592201, 18.4899349]),
        ('training/Ftrl/linear/linear_model/trip_start_hour_xf/weights/accumulator', 'float32', [24, 1], 96, [0.2732982, 0.2511213, 0.2182903, 0.1760792, 0.1430604, 0.1361404, 0.1551697, 0.1684514]),
        ('training/Ftrl/linear/linear_model/trip_start_hour_xf/weights/linear', 'float32', [24, 1], 96, [2.6668217, 1.6702614, 1.1021422, 1.0481861, 0.8830531, 0.6436868, 0.5973903, 2.3810165]),
        ('training/Ftrl/linear/linear_model/trip_start_month_xf/weights/accumulator', 'float32', [12, 1], 48, [0.4485025, 0.3884148, 0.4301012, 0.4680654, 0.4390436, 0.4159294, 0.4749215, 0.4498883]),
        ('training/Ftrl/linear/linear_model/trip_start_month_xf/weights/linear', 'float32', [12, 1], 48, [4.9683456, 6.6861963, 6.2043777, 6.2126918, 3.821624, 7.0605206, 6.2796917, 7.1589432]),
    ]),
    'tfx/estimator_tf2_9_format_serving/model.ckpt-999': (1, True, [
        ('dnn/hiddenlayer_0/bias', 'float32', [100], 400, [-0.0191833, -0.0113128, 0.0048098, 0.0031413, 0.0092723, -0.0077624, -0.008742, -0.0162096]),
        ('dnn/hiddenlayer_0/kernel', 'float32', [3, 100], 1200, [-0.0473151, 0.032565, 0.1062169, 0.1618056, -0.1314704, 0.0921529, 0.0099782, 0.1958696]),
        ('dnn/hiddenlayer_1/bias', 'float32', [70], 280, [-0.0309837, -0.0137644, -0.0279131, -0.0162351, -0.0116594, 0.0004922, -0.0111226, -0.0155931]),
        ('dnn/hiddenlayer_1/kernel', 'float32', [100, 70], 28000, [-0.0008718, 0.1172475, -0.1543824, 0.0968012, 0.158698, -0.123102, 0.1412136, 0.1025624]),
        ('dnn/hiddenlayer_2/bias', 'float32', [48], 192, [-0.017199, -0.0372058, 0.0457913, 0.0059893, -0.0037681, -0.0237908, -0.0183167, -0.0005094]),
        ('dnn/hiddenlayer_2/kernel', 'float32', [70, 48], 13440, [-0.1660257, 0.098148, 0.0960077, -0.1930227, -0.1164344, 0.1395745, -0.2105829, -0.0296818]),
        ('dnn/hiddenlayer_3/bias', 'float32', [34], 136, [0.0346354, -0.0049409, -0.0088409, 0.0683036, -0.0119582, 0.0534868, -0.0114902, -0.0139033]),
        ('dnn/hiddenlayer_3/kernel', 'float32', [48, 34], 6528, [-0.1694495, -0.1261323, -0.2124396, -0.1594129, -0.0385091, 0.0142637, 0.0892413, 0.0613153]),
        ('dnn/logits/bias', 'float32', [1], 4, [-0.0689095]),
        ('dnn/logits/kernel', 'float32', [34, 1], 136, [-0.0989397, -0.291342, 0.0581381, -0.3857383, 0.1436854, -0.4090149, 0.0745139, 0.2611742]),
        ('global_step', 'int64', [], 8, [999]),
        ('linear/linear_model/bias_weights', 'float32', [1], 4, [-0.1486778]),
        ('linear/linear_model/company_xf/weights', 'float32', [1010, 1], 4040, [-0.09105, -0.0684764, -0.0504418, -0.0233994, -0.0204128, -0.0137409, -0.00291, -0.0071591]),
        ('linear/linear_model/dropoff_latitude_xf/weights', 'float32', [10, 1], 40, [-0.0570748, -0.0556791, -0.0384323, -0.0293463, -0.038459, -0.043803, -0.0626267, -0.0634339]),
        ('linear/linear_model/dropoff_longitude_xf/weights', 'float32', [10, 1], 40, [-0.0694929, -0.0766455, -0.0619221, -0.0402503, -0.0394627, -0.0316146, -0.0398392, -0.0405826]),
        ('linear/linear_model/payment_type_xf/weights', 'float32', [1010, 1], 4040, [-0.2732808, 0.3578933, -0.0235976, -0.0003827, -0.0008147, -0.0009145, 0.0, 0.0]),
        ('linear/linear_model/pickup_latitude_xf/weights', 'float32', [10, 1], 40, [-0.0395248, -0.0501617, -0.0281036, -0.0508745, -0.0321797, -0.0226468, -0.0883037, -0.0686838]),
        ('linear/linear_model/pickup_longitude_xf/weights', 'float32', [10, 1], 40, [-2.42e-05, -0.1118799, -0.0674494, -0.0778209, -0.0166594, -0.0461548, -0.0518796, -0.0312518]),
        ('linear/linear_model/trip_start_day_xf/weights', 'float32', [31, 1], 124, [0.0, -0.0692162, -0.0750007, -0.0441285, -0.0525019, -0.0506771, -0.0586067, -0.1012703]),
        ('linear/linear_model/trip_start_hour_xf/weights', 'float32', [24, 1], 96, [-0.0254321, -0.0166061, -0.0117436, -0.0124898, -0.0116734, -0.0087227, -0.007531, -0.0288918]),
        ('linear/linear_model/trip_start_month_xf/weights', 'float32', [12, 1], 48, [-0.037023, -0.0535256, -0.0473366, -0.0453381, -0.0286491, -0.0547853, -0.0455902, -0.0535516]),
        ('training/Adagrad/decay', 'float32', [], 4, [0.0]),
        ('training/Adagrad/dnn/hiddenlayer_0/bias/accumulator', 'float32', [100], 400, [0.1185327, 0.1081849, 0.1065966, 0.1275005, 0.1121019, 0.1195079, 0.1117381, 0.1132707]),
        ('training/Adagrad/dnn/hiddenlayer_0/kernel/accumulator', 'float32', [3, 100], 1200, [0.107963, 0.109092, 0.1079507, 0.1140033, 0.1057632, 0.1165277, 0.1267225, 0.1350188]),
        ('training/Adagrad/dnn/hiddenlayer_1/bias/accumulator', 'float32', [70], 280, [0.132875, 0.1029161, 0.2648398, 0.1384434, 0.1207408, 0.1045145, 0.1029037, 0.1368381]),
        ('training/Adagrad/dnn/hiddenlayer_1/kernel/accumulator', 'float32', [100, 70], 28000, [0.100476, 0.1000102, 0.1007888, 0.1001819, 0.100641, 0.1000003, 0.1000003, 0.1002112]),
        ('training/Adagrad/dnn/hiddenlayer_2/bias/accumulator', 'float32', [48], 192, [0.1030074, 0.2296969, 0.3587478, 0.1025188, 0.1068647, 0.1020164, 0.1053913, 0.1003491]),
        ('training/Adagrad/dnn/hiddenlayer_2/kernel/accumulator', 'float32', [70, 48], 13440, [0.1000114, 0.133999, 0.1003181, 0.1000945, 0.1000034, 0.1005319, 0.1000345, 0.1000693]),
        ('training/Adagrad/dnn/hiddenlayer_3/bias/accumulator', 'float32', [34], 136, [0.160813, 0.1000873, 0.1053928, 1.1284181, 0.1000248, 0.8249505, 0.100483, 0.10163]),
        ('training/Adagrad/dnn/hiddenlayer_3/kernel/accumulator', 'float32', [48, 34], 6528, [0.1000008, 0.1, 0.1, 0.1000189, 0.1, 0.1000176, 0.1000031, 0.1]),
        ('training/Adagrad/dnn/logits/bias/accumulator', 'float32', [1], 4, [7.8979135]),
        ('training/Adagrad/dnn/logits/kernel/accumulator', 'float32', [34, 1], 136, [0.1483818, 0.1, 0.1005479, 0.3408175, 0.1000001, 0.1105844, 0.1007778, 0.1000031]),
        ('training/Adagrad/learning_rate', 'float32', [], 4, [0.001]),
        ('training/Ftrl/beta', 'float32', [], 4, [0.0]),
        ('training/Ftrl/decay', 'float32', [], 4, [0.0]),
        ('training/Ftrl/iter', 'int64', [], 8, [999]),
        ('training/Ftrl/l1_regularization_strength', 'float32', [], 4, [0.0]),
        ('training/Ftrl/l2_regularization_strength', 'float32', [], 4, [0.0]),
        ('training/Ftrl/learning_rate', 'float32', [], 4, [0.005]),
        ('training/Ftrl/learning_rate_power', 'float32', [], 4, [-0.5]),
        ('training/Ftrl/linear/linear_model/bias_weights/accumulator', 'float32', [1], 4, [7.8979135]),
        ('training/Ftrl/linear/linear_model/bias_weights/linear', 'float32', [1], 4, [83.5665359]),
        ('training/Ftrl/linear/linear_model/company_xf/weights/accumulator', 'float32', [1010, 1], 4040, [1.7303052, 0.5885062, 0.3945973, 0.3625569, 0.2538577, 0.171724, 0.1349139, 0.1032866]),
        ('training/Ftrl/linear/linear_model/company_xf/weights/linear', 'float32', [1010, 1], 4040, [23.9536343, 10.506218, 6.3372021, 2.8178804, 2.0569663, 1.1388375, 0.2137721, 0.4601631]),
        ('training/Ftrl/linear/linear_model/dropoff_latitude_xf/weights/accumulator', 'float32', [10, 1], 40, [0.5269626, 0.4261782, 0.5783123, 0.4469504, 0.4457989, 0.671027, 0.5046536, 0.558455]),
        ('training/Ftrl/linear/linear_model/dropoff_latitude_xf/weights/linear', 'float32', [10, 1], 40, [8.286375, 7.2697287, 5.8453059, 3.9238551, 5.1356697, 7.1763544, 8.8978777, 9.4808073]),
        ('training/Ftrl/linear/linear_model/dropoff_longitude_xf/weights/accumulator', 'float32', [10, 1], 40, [0.5311658, 0.5172178, 0.494179, 0.5250863, 0.4660321, 0.2196234, 0.860297, 0.4854609]),
        ('training/Ftrl/linear/linear_model/dropoff_longitude_xf/weights/linear', 'float32', [10, 1], 40, [10.1294441, 11.024353, 8.7059803, 5.8333073, 5.3879685, 2.9631722, 7.3903403, 5.6551852]),
        ('training/Ftrl/linear/linear_model/payment_type_xf/weights/accumulator', 'float32', [1010, 1], 4040, [26.124754, 15.1974306, 0.113714, 0.1074072, 0.1003422, 0.1004262, 0.1, 0.1]),
        ('training/Ftrl/linear/linear_model/payment_type_xf/weights/linear', 'float32', [1010, 1], 4040, [279.3606567, -279.0414429, 1.5914916, 0.0250843, 0.0516152, 0.0579632, 0.0, 0.0]),
        ('training/Ftrl/linear/linear_model/pickup_latitude_xf/weights/accumulator', 'float32', [10, 1], 40, [0.4316547, 0.4354715, 0.5457246, 0.6336753, 0.3776037, 0.5788098, 0.6151821, 0.5229088]),
        ('training/Ftrl/linear/linear_model/pickup_latitude_xf/weights/linear', 'float32', [10, 1], 40, [5.1935997, 6.6203613, 4.1522088, 8.0996017, 3.9548538, 3.4459119, 13.8519487, 9.9333811]),
        ('training/Ftrl/linear/linear_model/pickup_longitude_xf/weights/accumulator', 'float32', [10, 1], 40, [0.5441763, 0.5767372, 0.5208742, 0.5148659, 0.3318163, 0.3026833, 0.987762, 0.3913137]),
        ('training/Ftrl/linear/linear_model/pickup_longitude_xf/weights/linear', 'float32', [10, 1], 40, [0.0035644, 16.993042, 9.7358608, 11.1679459, 1.9192806, 5.0785685, 10.3122282, 3.9099224]),
        ('training/Ftrl/linear/linear_model/trip_start_day_xf/weights/accumulator', 'float32', [31, 1], 124, [0.1, 0.6703585, 0.634232, 0.6077639, 0.7172214, 0.8002543, 0.8401583, 0.8319862]),
        ('training/Ftrl/linear/linear_model/trip_start_day_xf/weights/linear', 'float32', [31, 1], 124, [0.0, 11.3342085, 11.9459152, 6.8804398, 8.8926563, 9.0668354, 10.7437983, 18.4743862]),
        ('training/Ftrl/linear/linear_model/trip_start_hour_xf/weights/accumulator', 'float32', [24, 1], 96, [0.2732383, 0.2510861, 0.2182675, 0.1760792, 0.1430604, 0.1361404, 0.1551531, 0.1683627]),
        ('training/Ftrl/linear/linear_model/trip_start_hour_xf/weights/linear', 'float32', [24, 1], 96, [2.6587868, 1.6642126, 1.0973051, 1.0481861, 0.8830531, 0.6436868, 0.5932835, 2.3709776]),
        ('training/Ftrl/linear/linear_model/trip_start_month_xf/weights/accumulator', 'float32', [12, 1], 48, [0.4484131, 0.388206, 0.4300811, 0.4679834, 0.4384173, 0.4158937, 0.4749058, 0.44927]),
        ('training/Ftrl/linear/linear_model/trip_start_month_xf/weights/linear', 'float32', [12, 1], 48, [4.9583936, 6.6699533, 6.2087169, 6.2030935, 3.7938905, 7.0661941, 6.2835498, 7.1788707]),
    ]),
    'tfx/keras_tuner_trial_epoch0/checkpoint': (1, True, [
        ('_CHECKPOINTABLE_OBJECT_GRAPH', 'string', [], 2110, STR(2104)),
        ('layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [8], 32, [0.1966447, -0.149588, 0.1844482, 0.170742, 0.1237015, -0.0984616, -0.1349742, -0.1662369]),
        ('layer_with_weights-0/bias/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [8], 32, [-0.009604, 0.027767, -0.0403811, -0.04434, -0.0285078, -0.0223997, 0.0116583, 0.0917533]),
        ('layer_with_weights-0/bias/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [8], 32, [3.1e-06, 0.0001476, 8.27e-05, 0.0001602, 1.74e-05, 0.0005278, 0.0001406, 0.0007007]),
        ('layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [4, 8], 128, [0.1084722, -0.2289537, -0.2328186, 0.0906234, 0.0074994, 0.4138384, -0.5475075, 0.759734]),
        ('layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [4, 8], 128, [0.0156226, -0.0324913, 0.0402346, 0.0597841, -0.0317291, -0.1033498, -0.0306305, 0.0104716]),
        ('layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [4, 8], 128, [9.9e-06, 0.0001369, 7.58e-05, 0.0001713, 2.03e-05, 0.0007314, 0.0001536, 0.0002712]),
        ('layer_with_weights-1/bias/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [3], 12, [0.0461847, -0.1242692, 0.1914888]),
        ('layer_with_weights-1/bias/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [3], 12, [0.0673244, -0.0092574, -0.058067]),
        ('layer_with_weights-1/bias/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [3], 12, [0.0001907, 0.0002715, 0.0001193]),
        ('layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [8, 3], 96, [-0.074359, -0.3266999, -0.5524368, -0.3947061, -0.0786056, 0.1183506, 0.8147911, 0.3237969]),
        ('layer_with_weights-1/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [8, 3], 96, [-0.0246884, -0.0113741, 0.0360625, -0.0245481, 0.0083157, 0.0162324, -0.1574561, 0.1404861]),
        ('layer_with_weights-1/kernel/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [8, 3], 96, [2.76e-05, 4.4e-06, 3.34e-05, 0.000176, 0.0001087, 1.17e-05, 0.0017384, 0.0014422]),
        ('optimizer/beta_1/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [0.9]),
        ('optimizer/beta_2/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [0.999]),
        ('optimizer/decay/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [0.0]),
        ('optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE', 'int64', [], 8, [20]),
        ('optimizer/learning_rate/.ATTRIBUTES/VARIABLE_VALUE', 'float32', [], 4, [0.01]),
    ]),
}


# ----------------------------------------------------------------------------- the literal table itself


def test_expectations_cover_every_checkpoint(data):
    """Every .index under the test data is in OBSERVED, and every prefix in OBSERVED exists."""
    found = {str(p.relative_to(data))[: -len(".index")] for p in data.rglob("*.index")}
    assert found == set(OBSERVED)
    assert len(OBSERVED) + len(V1_FILES) == 29  # MANIFEST: 29 checkpoint prefixes
    for prefix in DOCUMENTED:
        assert prefix in OBSERVED, prefix
    for v1 in V1_FILES:
        assert (data / v1).is_file() and not (data / (v1 + ".index")).exists()


# ----------------------------------------------------------------------------- ls


@pytest.mark.parametrize("prefix", sorted(OBSERVED))
def test_ls_json_matches(ckpt_cli, data, prefix):
    num_shards, _, tensors = OBSERVED[prefix]
    listing = ckpt_cli.json("ls", "--json", data / prefix)
    got = [(i["key"], i["dtype"], i["shape"], i["bytes"]) for i in listing]
    want = [(k, dt, shape, size) for k, dt, shape, size, _ in tensors]
    assert got == want
    # nothing partitioned here; object-based checkpoints add each key's object path
    assert all(set(i) - {"object_path"} == {"key", "dtype", "shape", "bytes"} for i in listing)
    has_graph = any(i["key"] == "_CHECKPOINTABLE_OBJECT_GRAPH" for i in listing)
    assert has_graph or not any("object_path" in i for i in listing)
    for key, shape in DOCUMENTED_SHAPES.get(prefix, {}).items():
        assert {i["key"]: i["shape"] for i in listing}[key] == shape, key


@pytest.mark.parametrize("prefix", sorted(OBSERVED))
def test_ls_text_lists_every_key(ckpt_cli, data, prefix):
    out = ckpt_cli.ok("ls", data / prefix).stdout.decode()
    rows = [line.split() for line in out.splitlines()]
    assert [(r[0], r[1], r[2], int(r[3])) for r in rows] == [
        (k, dt, "[" + ",".join(map(str, shape)) + "]", size) for k, dt, shape, size, _ in OBSERVED[prefix][2]
    ]


# ----------------------------------------------------------------------------- dump


@pytest.mark.parametrize("prefix", sorted(p for p in OBSERVED if OBSERVED[p][1]))
def test_dump_json_matches(ckpt_cli, data, prefix):
    _, _, tensors = OBSERVED[prefix]
    documented = DOCUMENTED.get(prefix, {})
    seen_documented = set()
    for key, dtype, shape, _size, first in tensors:
        d = ckpt_cli.json("dump", "--json", data / prefix, "--", key)
        assert d["key"] == key and d["dtype"] == dtype and d["shape"] == shape, key
        if dtype == "string":
            assert isinstance(first, STR) and shape == []
            values = ([base64.b64decode(v) for v in d["values_b64"]] if "values_b64" in d
                      else [v.encode() for v in d["values"]])
            assert len(values) == 1 and len(values[0]) == first.n, key
            continue
        values = d["values"]
        assert len(values) == num_elements(shape), key
        assert len(first) == min(8, len(values)), key
        if dtype in ("int32", "int64"):
            assert all(isinstance(v, int) for v in values), key
        else:  # JSON carries the shortest text that reads back as the same float32
            assert dtype == "float32" and all(isinstance(v, float) for v in values), key
            values = [f32(v) for v in values]
        for got, want in zip(values, first):
            assert close_to_observed(got, want), (key, values[:8], first)
        if key in documented:
            assert values == documented[key], (key, values, documented[key])
            seen_documented.add(key)
        if UNIFORM_PM1.get(prefix) == key:
            assert len(values) == 1 and -1.0 <= values[0] < 1.0
    assert seen_documented == set(documented)


def test_dump_half_plus_three_is_documented_function(ckpt_cli, data):
    """tensorflow_model_server_test: x = 2.0 -> y = 4.0 with y = a*x + b."""
    p = data / "serving/saved_model_half_plus_three/variables/variables"
    a = f32(ckpt_cli.json("dump", "--json", p, "a")["values"][0])
    b = f32(ckpt_cli.json("dump", "--json", p, "b")["values"][0])
    assert a * 2.0 + b == 4.0


def test_object_graph_string_is_exact(ckpt_cli, data):
    """The only entry of tf_text_regression: a 921-byte TrackableObjectGraph (data file 927 B)."""
    p = data / "serving/tf_text_regression/variables/variables"
    d = ckpt_cli.json("dump", "--json", p, "_CHECKPOINTABLE_OBJECT_GRAPH")
    raw = base64.b64decode(d["values_b64"][0]) if "values_b64" in d else d["values"][0].encode()
    assert len(raw) == 921
    blob = (p.parent / "variables.data-00000-of-00001").read_bytes()
    assert len(blob) == 927 and blob.endswith(raw)  # varint length (2) + length crc (4) + bytes


def test_dump_text_of_testdata(ckpt_cli, data):
    out = ckpt_cli.ok("dump", data / "tensorflow-onnx/regression_checkpoint/model", "W").stdout.decode()
    assert out == "W: float32 []\n0.21396178\n"  # shortest text for float32 0x3e5b18cc


# ----------------------------------------------------------------------------- verify


@pytest.mark.parametrize("prefix", sorted(p for p in OBSERVED if OBSERVED[p][1]))
def test_verify_passes(ckpt_cli, data, prefix):
    num_shards, _, tensors = OBSERVED[prefix]
    out = ckpt_cli.ok("verify", data / prefix).stdout.decode()
    assert out.startswith("OK ") and out.count("\n") == 1
    d = ckpt_cli.json("verify", "--json", data / prefix)
    assert d["ok"] is True and d["tensors"] == len(tensors) and d["shards"] == num_shards
    assert d["bytes"] == sum(t[3] for t in tensors)


@pytest.mark.parametrize("prefix", sorted(p for p in OBSERVED if not OBSERVED[p][1]))
def test_index_only_bundles(ckpt_cli, data, prefix):
    """swift-models shipped only .index files: listing works, reading data fails cleanly."""
    tensors = OBSERVED[prefix][2]
    proc = ckpt_cli.run("verify", data / prefix)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "DATA_LOSS" in err and Path(prefix).name + ".data-00000-of-00001" in err
    proc = ckpt_cli.run("dump", data / prefix, tensors[0][0])
    assert proc.returncode == 1 and ".data-00000-of-00001" in proc.stderr.decode()


# ----------------------------------------------------------------------------- directories


@pytest.mark.parametrize("folder", sorted(STATE_FILES))
def test_state_file_resolution(ckpt_cli, data, folder):
    d = data / folder
    expected = f"{d}/{STATE_FILES[folder]}"
    assert ckpt_cli.ok("latest", d).stdout.decode() == expected + "\n"
    assert ckpt_cli.ok("ls", "--json", d).stdout == ckpt_cli.ok("ls", "--json", expected).stdout
    assert ckpt_cli.ok("verify", d).stdout.decode().startswith(f"OK {expected}:")


def test_state_file_with_absolute_paths_elsewhere(ckpt_cli, data):
    """v1_bad_half_plus_two: the state file names /tmp/... paths that do not exist here."""
    d = data / "serving/v1_bad_half_plus_two"
    for cmd in ("latest", "ls"):
        proc = ckpt_cli.run(cmd, d)
        assert proc.returncode == 1, cmd
        assert "no checkpoint" in proc.stderr.decode()


def test_savedmodel_variables_dir_without_state_file(ckpt_cli, data):
    proc = ckpt_cli.run("ls", data / "serving/saved_model_counter/variables")
    assert proc.returncode == 1 and "no checkpoint" in proc.stderr.decode()


# ----------------------------------------------------------------------------- V1 (TensorSliceWriter)

# Values from MANIFEST.md (documented for serving/*) and OBSERVED.txt (first values, 7 decimals).
V1_EXPECTED = {
    "serving/v1_session_bundle_half_plus_two/export-00000-of-00001": {"a": [0.5], "b": [2.0]},
    "serving/v1_bad_half_plus_two/export": {"Variable": [0.5], "Variable_1": [2.0]},
    "nxt-tensorflow/v1_model_ckpt/model.ckpt": {
        "beta1_power": [0.0], "beta2_power": [0.0],
        "mbias": [-0.3927374, -1.9725823, -1.2071903, 0.3621779, -0.2728984, 0.6411231, -2.6222112, -0.3109818],
        "mbias2/Adam_1": [90.9198837, 171.3559723],
        "mweight2": [-0.6655775, -0.6421164, -0.0484446, -0.0053827, -1.6698146, -0.2792206, 0.0782053, -0.8111877],
    },
}
V1_SHAPES = {"mweight": [4, 10], "mweight/Adam": [4, 10], "mweight2": [10, 2], "mbias": [10], "beta1_power": []}


@pytest.mark.parametrize("v1", V1_FILES)
def test_v1_checkpoints_read_with_manifest_values(ckpt_cli, data, v1):
    listing = {e["key"]: e for e in ckpt_cli.json("ls", "--json", data / v1)}
    expected = V1_EXPECTED[v1]
    if v1.startswith("nxt"):
        assert len(listing) == 14  # MANIFEST: exactly 14 tensors
        for key, shape in V1_SHAPES.items():
            assert listing[key]["shape"] == shape and listing[key]["dtype"] == "float32"
    else:
        assert sorted(listing) == sorted(expected)
    for key, values in expected.items():
        got = ckpt_cli.json("dump", "--json", data / v1, key)
        assert got["dtype"] == "float32"
        # dump prints the shortest float32 repr; OBSERVED rounds to 7 decimals.
        assert got["values"][:len(values)] == pytest.approx(values, rel=1e-6, abs=1e-7)
    proc = ckpt_cli.run("verify", data / v1)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().startswith("OK ")


def test_ls_shows_object_paths_of_object_based_checkpoints(ckpt_cli, data):
    """Issue 3: `ckpt ls` shows object-based checkpoints by object path as well as key."""
    prefix = data / "serving/saved_model_half_plus_two_tf2_cpu/variables/variables"
    listing = {e["key"]: e for e in ckpt_cli.json("ls", "--json", prefix)}
    assert listing["a/.ATTRIBUTES/VARIABLE_VALUE"]["object_path"] == "(root).a"
    assert listing["c/.ATTRIBUTES/VARIABLE_VALUE"]["object_path"] == "(root).c"
    assert "object_path" not in listing["_CHECKPOINTABLE_OBJECT_GRAPH"]
    text = ckpt_cli.run("ls", prefix).stdout.decode()
    assert any(line.startswith("b/.ATTRIBUTES/VARIABLE_VALUE") and line.endswith("(root).b")
               for line in text.splitlines())
    # Name-based checkpoints carry no object paths.
    v2 = {e["key"]: e for e in ckpt_cli.json("ls", "--json", data / "serving/saved_model_counter/variables/variables")}
    assert all("object_path" not in e for e in v2.values())


def test_testdata_matches_its_checksums(data):
    """Every file SHA256SUMS names is present with its recorded hash, and every data file is named:
    the copy in the repository is exactly what TensorFlow wrote upstream."""
    import hashlib

    listed = {}
    for line in (data / "SHA256SUMS").read_text().splitlines():
        digest, rel = line.split(None, 1)
        listed[rel.removeprefix("./")] = digest
    assert len(listed) >= 60
    for rel, digest in listed.items():
        path = data / rel
        assert path.is_file(), f"{path} is listed in SHA256SUMS but missing"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{path} differs from its SHA256SUMS entry"
    docs = {"MANIFEST.md", "README.md", "SHA256SUMS", "OBSERVED.txt"}
    unlisted = [p.relative_to(data).as_posix() for p in data.rglob("*")
                if p.is_file() and p.name not in docs and p.relative_to(data).as_posix() not in listed]
    assert not unlisted, f"data files without a SHA256SUMS entry: {unlisted}"
