"""Round trips of numpy, torch and jax arrays of every dtype they share with TF,
including in-place restore into a torch model's parameters.
"""

import numpy as np
import pytest

import ckpt
from ckpt_test_util import DLPackOnly, import_or_skip, run_python

ml_dtypes = import_or_skip("ml_dtypes")

# TF dtype name -> numpy dtype (numpy + ml_dtypes).
NUMPY_DTYPES = {
    "float16": np.float16, "float32": np.float32, "float64": np.float64, "bfloat16": ml_dtypes.bfloat16,
    "int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64,
    "uint8": np.uint8, "uint16": np.uint16, "uint32": np.uint32, "uint64": np.uint64,
    "bool": np.bool_, "complex64": np.complex64, "complex128": np.complex128,
    "float8_e5m2": ml_dtypes.float8_e5m2, "float8_e4m3fn": ml_dtypes.float8_e4m3fn,
    "float8_e4m3fnuz": ml_dtypes.float8_e4m3fnuz, "float8_e4m3b11fnuz": ml_dtypes.float8_e4m3b11fnuz,
    "float8_e5m2fnuz": ml_dtypes.float8_e5m2fnuz, "int4": ml_dtypes.int4, "uint4": ml_dtypes.uint4,
    "int2": ml_dtypes.int2, "uint2": ml_dtypes.uint2, "float4_e2m1fn": ml_dtypes.float4_e2m1fn,
}


def sample(np_dtype, shape=(2, 3), seed=0):
    rng = np.random.default_rng(seed)
    dt = np.dtype(np_dtype)
    if dt == np.bool_:
        return rng.integers(0, 2, shape).astype(bool)
    if dt.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dt)
    if dt.kind in "iu":
        return rng.integers(0, 2, shape).astype(dt) + dt.type(1)
    if dt.kind == "V" or dt.name in ("int4", "uint4", "int2", "uint2"):
        return np.asarray(rng.integers(0, 2, shape), dtype=dt)
    return np.asarray(rng.uniform(-2, 2, shape), dtype=np.float32).astype(dt)


def raw(a):
    return np.ascontiguousarray(np.asarray(a)).tobytes()


@pytest.mark.parametrize("name", sorted(NUMPY_DTYPES))
def test_numpy_round_trip_in_place(tmp_path, name):
    a = sample(NUMPY_DTYPES[name])
    v = ckpt.Variable(a)
    assert v.dtype.name == name
    p = ckpt.Checkpoint(v=v).write(tmp_path / "p")
    reader = ckpt.load_checkpoint(p)
    assert reader.get_variable_to_dtype_map()["v/.ATTRIBUTES/VARIABLE_VALUE"].name == name
    got = reader.get_tensor("v/.ATTRIBUTES/VARIABLE_VALUE")
    assert got.dtype == np.dtype(NUMPY_DTYPES[name]) and raw(got) == raw(a)
    dst = np.zeros_like(a)
    ckpt.Checkpoint(v=dst).read(p).assert_consumed()
    assert raw(dst) == raw(a)  # written into the caller's array


TORCH_DTYPES = ["float16", "float32", "float64", "bfloat16", "int8", "int16", "int32", "int64", "uint8",
                "uint16", "uint32", "uint64", "bool", "complex64", "complex128", "float8_e5m2", "float8_e4m3fn",
                "float8_e4m3fnuz", "float8_e5m2fnuz"]


@pytest.mark.parametrize("name", TORCH_DTYPES)
def test_torch_round_trip_in_place(tmp_path, name):
    torch = import_or_skip("torch")
    tdt = getattr(torch, name if name != "bool" else "bool", None)
    if tdt is None:
        pytest.skip(f"n/a: torch {torch.__version__} has no {name}")
    a = sample(NUMPY_DTYPES[name])
    t = torch.zeros(a.shape, dtype=tdt)
    t_src = torch.from_numpy(a.view(np.uint8).copy()).view(tdt).reshape(a.shape) if a.dtype.itemsize == 1 and \
        name.startswith("float8") else None
    if t_src is None:
        t_src = torch.from_numpy(a.view(np.int16)).view(tdt) if name == "bfloat16" else torch.from_numpy(a.copy())
    v = ckpt.Variable(t_src)
    assert v.dtype.name == name
    p = ckpt.Checkpoint(v=v).write(tmp_path / "p")
    assert raw(ckpt.load_variable(p, "v/.ATTRIBUTES/VARIABLE_VALUE")) == raw(a)
    ptr = t.data_ptr()
    ckpt.Checkpoint(v=t).read(p).assert_consumed()
    assert t.data_ptr() == ptr
    assert torch.equal(t.view(torch.uint8) if t.element_size() == 1 else t, t_src.view(torch.uint8)
                       if t.element_size() == 1 else t_src)


def test_torch_model_state_dict_in_place(tmp_path):
    torch = import_or_skip("torch")
    torch.manual_seed(0)

    def model():
        return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.BatchNorm1d(8),
                                   torch.nn.Linear(8, 2))

    m1, m2 = model(), model()
    with torch.no_grad():
        m1[2].running_mean.add_(1.5)
        m1[2].num_batches_tracked += 3
    x = torch.randn(5, 4)
    m1.eval(), m2.eval()
    assert not torch.equal(m1(x), m2(x))
    path = ckpt.Checkpoint(model=m1.state_dict()).save(tmp_path / "torch")
    params = {n: p for n, p in m2.named_parameters()}
    ckpt.Checkpoint(model=m2.state_dict()).restore(path).assert_consumed()
    assert torch.equal(m1(x), m2(x))
    for n, p in m2.named_parameters():
        assert p is params[n]  # same Parameter objects, values written in place
    assert int(m2[2].num_batches_tracked) == 3
    names = {k for k, _ in ckpt.list_variables(path)}
    assert "model/0.weight/.ATTRIBUTES/VARIABLE_VALUE" in {k.replace("..", ".") for k in names} or any(
        k.startswith("model/0") for k in names)


JAX_DTYPES = ["float16", "float32", "bfloat16", "int8", "int16", "int32", "uint8", "uint16", "uint32", "bool",
              "complex64", "float8_e5m2", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e4m3b11fnuz",
              "float8_e5m2fnuz", "int4", "uint4"]


@pytest.mark.parametrize("name", JAX_DTYPES)
def test_jax_round_trip_replaces_value(tmp_path, name):
    jnp = import_or_skip("jax.numpy")
    a = sample(NUMPY_DTYPES[name])
    src = jnp.asarray(a)
    if src.dtype != np.dtype(NUMPY_DTYPES[name]):
        pytest.skip(f"n/a: jax stores {name} as {src.dtype} (x64 disabled)")
    p = ckpt.Checkpoint(params={"w": src}).write(tmp_path / "p")
    assert raw(ckpt.load_variable(p, "params/w/.ATTRIBUTES/VARIABLE_VALUE")) == raw(a)
    params = {"w": jnp.zeros(a.shape, dtype=src.dtype)}
    ckpt.Checkpoint(params=params).read(p).assert_consumed()
    import jax

    assert isinstance(params["w"], jax.Array)  # read-only jax array replaced by a new jax array
    assert raw(np.asarray(params["w"])) == raw(a)


def test_jax_x64_dtypes(tmp_path):
    jax = import_or_skip("jax")
    enable_x64 = getattr(jax, "enable_x64", None)
    if enable_x64 is None:
        enable_x64 = jax.experimental.enable_x64
    with enable_x64(True):
        import jax.numpy as jnp

        for name in ("float64", "int64", "uint64", "complex128"):
            a = sample(NUMPY_DTYPES[name])
            v = ckpt.Variable(jnp.asarray(a))
            assert v.dtype.name == name
            p = ckpt.Checkpoint(v=v).write(tmp_path / name)
            v2 = ckpt.Variable(jnp.zeros(a.shape, a.dtype))
            ckpt.Checkpoint(v=v2).read(p).assert_consumed()
            assert raw(np.asarray(v2.value())) == raw(a)


def test_buffer_protocol_and_dlpack(tmp_path):
    buf = bytearray(np.arange(4, dtype=np.int32).tobytes())
    v = ckpt.Variable(memoryview(buf).cast("i"))
    assert v.dtype.name == "int32" and v.shape == (4,)
    p = ckpt.Checkpoint(v=v).write(tmp_path / "p")
    dst = bytearray(16)
    ckpt.Checkpoint(v=memoryview(dst).cast("i")).read(p).assert_consumed()
    assert np.frombuffer(bytes(dst), np.int32).tolist() == [0, 1, 2, 3]  # in place through the buffer

    target = np.zeros(4, np.int32)
    ckpt.Checkpoint(v=DLPackOnly(target)).read(p).assert_consumed()
    assert target.tolist() == [0, 1, 2, 3]


def test_tf_eager_tensor_value(tmp_path):
    """TF eager tensors are read-only: saved from their memory, replaced on restore.

    Runs in a subprocess: TensorFlow is kept out of the test process.
    """
    code = """
import sys, numpy as np, tensorflow as tf, ckpt
v = ckpt.Variable(tf.constant([1.0, 2.0]))
assert v.dtype.name == "float32", v.dtype
p = ckpt.Checkpoint(v=v).write(sys.argv[1])
v2 = ckpt.Variable(tf.constant([0.0, 0.0]))
ckpt.Checkpoint(v=v2).read(p).assert_consumed()
assert isinstance(v2.value(), tf.Tensor), type(v2.value())
assert v2.numpy().tolist() == [1.0, 2.0], v2.numpy()
print("OK")
"""
    proc = run_python(code, tmp_path / "p")
    if "No module named 'tensorflow'" in proc.stderr:
        pytest.skip("TensorFlow is not installed (pip install tensorflow-cpu)")
    assert proc.returncode == 0 and "OK" in proc.stdout, proc.stderr[-3000:]
