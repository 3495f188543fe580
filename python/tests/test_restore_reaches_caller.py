"""No silent non-restore: for every kind of value ckpt accepts, a restore either
writes into the caller's object, replaces it where the caller sees it (the dict
entry, list slot, module attribute, Variable.value()), or raises before reading
anything. Each test checks the object the caller holds afterwards.
"""

import numpy as np
import pytest

import ckpt
from ckpt_test_util import DLPackOnly, import_or_skip, run_python


def saved(tmp_path, value, name="v"):
    """A checkpoint holding `value` under `name`, and under `d/<name>` in a dict."""
    return ckpt.Checkpoint(**{name: ckpt.Variable(value), "d": {name: ckpt.Variable(value)}}).write(
        tmp_path / "src")


# ---- numpy ----

def test_numpy_writable_in_place(tmp_path):
    p = saved(tmp_path, np.arange(3, dtype=np.float32))
    a = np.zeros(3, np.float32)
    ckpt.Checkpoint(v=a).read(p).expect_partial()
    assert a.tolist() == [0, 1, 2]


def test_numpy_contiguous_view_writes_its_base(tmp_path):
    p = saved(tmp_path, np.arange(3, dtype=np.float32))
    base = np.zeros(5, np.float32)
    ckpt.Checkpoint(v=base[1:4]).read(p).expect_partial()
    assert base.tolist() == [0, 0, 1, 2, 0]


def test_numpy_non_contiguous_view_writes_its_base(tmp_path):
    p = saved(tmp_path, np.arange(3, dtype=np.float32))
    base = np.zeros((3, 2), np.float32)
    ckpt.Checkpoint(v=base[:, 1]).read(p).expect_partial()
    assert base[:, 1].tolist() == [0, 1, 2] and base[:, 0].tolist() == [0, 0, 0]


def test_numpy_read_only_replaced_in_dict_list_and_module(tmp_path):
    p = ckpt.Checkpoint(d={"w": np.arange(3.0)}, l=[np.arange(3.0)], m={"w": np.arange(3.0)}).write(tmp_path / "p")
    ro = np.zeros(3)
    ro.flags.writeable = False
    d, lst, m = {"w": ro}, [ro], ckpt.Module()
    m.w = ro
    ckpt.Checkpoint(d=d, l=lst, m=m).read(p).assert_consumed()
    assert d["w"].tolist() == lst[0].tolist() == m.w.tolist() == [0, 1, 2]
    assert ro.tolist() == [0, 0, 0]  # the read-only array itself is untouched


def test_numpy_read_only_non_contiguous_replaced_in_dict(tmp_path):
    p = ckpt.Checkpoint(d={"w": np.arange(3.0)}).write(tmp_path / "p")
    base = np.zeros((3, 2))
    base.flags.writeable = False
    d = {"w": base[:, 0]}
    ckpt.Checkpoint(d=d).read(p).assert_consumed()
    assert d["w"].tolist() == [0, 1, 2]


def test_numpy_read_only_keyword_raises_before_reading(tmp_path):
    p = saved(tmp_path, np.arange(3.0))
    ro = np.zeros(3)
    ro.flags.writeable = False
    w = np.zeros(3)
    with pytest.raises(ValueError, match=r"'v': it holds a read-only numpy array.*ckpt.Variable"):
        ckpt.Checkpoint(v=ro, d={"v": w}).read(p)
    assert w.tolist() == [0, 0, 0]  # nothing was restored


def test_read_only_inside_tuple_raises_with_path(tmp_path):
    p = ckpt.Checkpoint(d={"t": (np.arange(3.0), np.arange(2.0))}).write(tmp_path / "p")
    ro = np.zeros(2)
    ro.flags.writeable = False
    w = np.zeros(3)
    with pytest.raises(ValueError, match=r"'d/t/1': it holds a read-only numpy array"):
        ckpt.Checkpoint(d={"t": (w, ro)}).restore(p)
    t = (w, np.zeros(2))  # writable elements of a tuple are written in place
    ckpt.Checkpoint(d={"t": t}).read(p).assert_consumed()
    assert t[0].tolist() == [0, 1, 2] and t[1].tolist() == [0, 1]


def test_variable_over_read_only_array_replaces_its_value(tmp_path):
    p = saved(tmp_path, np.arange(3.0))
    ro = np.zeros(3)
    ro.flags.writeable = False
    v = ckpt.Variable(ro)
    ckpt.Checkpoint(v=v).read(p).expect_partial()
    assert v.value().tolist() == v.numpy().tolist() == [0, 1, 2]


def test_manager_restore_checks_first(tmp_path):
    ckpt.CheckpointManager(ckpt.Checkpoint(v=np.arange(3.0)), tmp_path, max_to_keep=1).save()
    ro = np.zeros(3)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="'v': it holds a read-only numpy array"):
        ckpt.CheckpointManager(ckpt.Checkpoint(v=ro), tmp_path, max_to_keep=1).restore_or_initialize()
    # Nothing to restore: nothing to check.
    ckpt.CheckpointManager(ckpt.Checkpoint(v=ro), tmp_path / "empty", max_to_keep=1).restore_or_initialize()


def test_replacement_delivered_later_into_a_tuple_raises(tmp_path):
    """A deferred value reaching an immutable spot after restore() also fails loudly."""
    p = ckpt.Checkpoint(d={"t": (np.arange(3.0),)}).write(tmp_path / "p")
    ro = np.zeros(3)
    ro.flags.writeable = False
    d = {}
    c = ckpt.Checkpoint(d=d)
    c.restore(p)
    d["t"] = (ro,)
    with pytest.raises(ckpt.errors.InvalidArgumentError, match="sits where ckpt cannot put a new value"):
        c.write(tmp_path / "q")


# ---- numpy scalars, Python values ----

def test_numpy_scalar_replaced_in_dict(tmp_path):
    p = ckpt.Checkpoint(d={"step": np.int64(7), "lr": np.float32(0.5)}).write(tmp_path / "p")
    d = {"step": np.int64(0), "lr": np.float32(0)}
    ckpt.Checkpoint(d=d).read(p).assert_consumed()
    assert type(d["step"]) is np.int64 and d["step"] == 7
    assert type(d["lr"]) is np.float32 and d["lr"] == 0.5


def test_numpy_scalar_keyword_raises(tmp_path):
    p = ckpt.Checkpoint(step=np.int64(7)).write(tmp_path / "p")
    with pytest.raises(ValueError, match="'step': it holds a numpy scalar"):
        ckpt.Checkpoint(step=np.int64(0)).read(p)


def test_python_value_variable_holds_restored_value(tmp_path):
    p = ckpt.Checkpoint(x=ckpt.Variable(2.5), s=ckpt.Variable("abc"), l=ckpt.Variable([1, 2])).write(tmp_path / "p")
    x, s, lst = ckpt.Variable(0.0), ckpt.Variable("zzzzzz"), ckpt.Variable([0, 0])
    ckpt.Checkpoint(x=x, s=s, l=lst).read(p).assert_consumed()
    assert x.numpy() == 2.5 and float(x.value()) == 2.5
    assert s.numpy() == b"abc"
    assert lst.numpy().tolist() == [1, 2] and lst.value().tolist() == [1, 2]


def test_python_numbers_in_containers_are_not_tracked(tmp_path):
    """TF's rule for plain containers: non-trackable values are ignored (see docs/python.md)."""
    p = ckpt.Checkpoint(d={"lr": 0.1, "w": np.ones(1)}).write(tmp_path / "p")
    assert [k for k, _ in ckpt.list_variables(p)] == ["_CHECKPOINTABLE_OBJECT_GRAPH", "d/w/.ATTRIBUTES/VARIABLE_VALUE"]


# ---- strings ----

def test_string_arrays(tmp_path):
    src = np.array(["h\u00e9llo", "x"])
    p = ckpt.Checkpoint(o=np.array([b"ab", b"c"], dtype=object), u=src, s=np.array([b"ab", b"c"]),
                        d={"u": src, "n": np.str_("h\u00e9")}).write(tmp_path / "p")
    o = np.array([b"", b""], dtype=object)
    u = np.array(["zzzzzz", ""])  # wide enough: written in place
    s = np.array([b"zz", b""])
    d = {"u": np.array(["", ""]), "n": np.str_("")}  # too narrow: the entry is replaced
    ckpt.Checkpoint(o=o, u=u, s=s, d=d).read(p).assert_consumed()
    assert o.tolist() == [b"ab", b"c"]
    assert u.tolist() == ["h\u00e9llo", "x"]
    assert s.tolist() == [b"ab", b"c"]
    assert [x.decode() if isinstance(x, bytes) else x for x in d["u"].tolist()] == ["h\u00e9llo", "x"]
    assert type(d["n"]) is np.str_ and d["n"] == "h\u00e9"
    u[1] = "y"  # in-place edits of a str array are saved
    q = ckpt.Checkpoint(u=u).write(tmp_path / "q")
    assert ckpt.load_variable(q, "u/.ATTRIBUTES/VARIABLE_VALUE").tolist() == ["h\u00e9llo".encode(), b"y"]


def test_too_narrow_string_keyword_raises(tmp_path):
    p = ckpt.Checkpoint(u=np.array(["long text"])).write(tmp_path / "p")
    u = np.array(["ab"])
    with pytest.raises(ckpt.errors.InvalidArgumentError, match="too narrow for the restored strings.*sits where"):
        ckpt.Checkpoint(u=u).read(p)
    assert u.tolist() == ["ab"]


# ---- buffers, DLPack ----

def test_buffer_and_dlpack(tmp_path):
    p = ckpt.Checkpoint(b=np.arange(4, dtype=np.int32), dl=np.arange(4, dtype=np.int32),
                        d={"b": np.arange(4, dtype=np.int32), "dl": np.arange(4, dtype=np.int32)}).write(tmp_path / "p")
    buf = bytearray(16)
    target = np.zeros(4, np.int32)
    ckpt.Checkpoint(b=memoryview(buf).cast("i"), dl=DLPackOnly(target)).read(p).expect_partial()
    assert np.frombuffer(bytes(buf), np.int32).tolist() == target.tolist() == [0, 1, 2, 3]
    ro = np.zeros(4, np.int32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match=r"'d/dl': it holds a read-only .*DL.*pass a writable buffer"):
        ckpt.Checkpoint(d={"dl": DLPackOnly(ro)}).read(p)
    with pytest.raises(ValueError, match=r"'d/b': it holds a read-only .*memoryview"):
        ckpt.Checkpoint(d={"b": memoryview(bytes(16)).cast("i")}).read(p)


# ---- torch ----

def test_torch_tensors_in_place(tmp_path):
    torch = import_or_skip("torch")
    w = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    p = ckpt.Checkpoint(c=w, t=w, g=w, s=torch.tensor(3.0), b=w.to(torch.bfloat16)).write(tmp_path / "p")
    c = torch.zeros(2, 3)
    base = torch.zeros(3, 2)
    t = base.t()  # non-contiguous view
    assert not t.is_contiguous()
    g = torch.nn.Parameter(torch.zeros(2, 3))  # requires_grad
    s = torch.tensor(0.0)
    b = torch.zeros(3, 2, dtype=torch.bfloat16).t()
    ckpt.Checkpoint(c=c, t=t, g=g, s=s, b=b).read(p).assert_consumed()
    assert torch.equal(c, w) and torch.equal(t, w) and torch.equal(base, w.t())
    assert torch.equal(g.detach(), w) and g.requires_grad and g.grad is None
    (g * 2).sum().backward()  # still a working leaf
    assert torch.equal(g.grad, torch.full((2, 3), 2.0))
    assert float(s) == 3.0 and torch.equal(b.float(), w)


# ---- jax ----

def test_jax_arrays(tmp_path):
    jnp = import_or_skip("jax.numpy")
    p = ckpt.Checkpoint(v=np.arange(3, dtype=np.float32), d={"v": np.arange(3, dtype=np.float32)},
                        t={"t": (np.arange(3, dtype=np.float32),)}).write(tmp_path / "p")
    d = {"v": jnp.zeros(3)}
    v = ckpt.Variable(jnp.zeros(3))
    ckpt.Checkpoint(d=d, v=v).read(p).expect_partial()
    assert d["v"].tolist() == [0, 1, 2] and v.value().tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match=r"'v': it holds a jax array .*ckpt.restore_pytree"):
        ckpt.Checkpoint(v=jnp.zeros(3)).read(p)
    with pytest.raises(ValueError, match=r"'t/t/0': it holds a jax array"):
        ckpt.Checkpoint(t={"t": (jnp.zeros(3),)}).read(p)


# ---- Saver (name-based) ----

def test_saver_dict_entries(tmp_path):
    base = np.zeros((3, 2))
    view = base[:, 1]
    src = {"a": view, "b": np.arange(2.0)}
    saver = ckpt.Saver(src)
    view[:] = [1, 2, 3]  # changed after the Saver was made: saved as it is now
    p = saver.save(None, str(tmp_path / "s"))
    ro = np.zeros(2)
    ro.flags.writeable = False
    dst = {"a": np.zeros((3, 2))[:, 0], "b": ro}
    ckpt.Saver(dst).restore(None, p)
    assert dst["a"].tolist() == [1, 2, 3] and dst["b"].tolist() == [0, 1]


# ---- TensorFlow (subprocess: TF is kept out of the test process) ----

TF_CODE = r"""
import sys, numpy as np, tensorflow as tf, ckpt
d = sys.argv[1]
# The regression of issue 12: a tf.Variable restored in place.
v = tf.Variable([1., 2.])
p = ckpt.Checkpoint(v=v).save(d + "/c")
v.assign([5., 5.])
ckpt.Checkpoint(v=v).restore(p).assert_consumed()
assert v.numpy().tolist() == [1., 2.], v.numpy()
# A tf.Variable changed after the Checkpoint was made is saved as it is then.
c = ckpt.Checkpoint(v=v)
v.assign([3., 4.])
p = c.save(d + "/c")
assert ckpt.load_variable(p, "v/.ATTRIBUTES/VARIABLE_VALUE").tolist() == [3., 4.]
# In a dict: the same tf.Variable object, assigned.
p = ckpt.Checkpoint(d={"v": tf.Variable([7., 8.]), "t": tf.constant([1., 1.])}).write(d + "/dict")
dv = tf.Variable([0., 0.])
dd = {"v": dv, "t": tf.constant([0., 0.])}
ckpt.Checkpoint(d=dd).read(p).assert_consumed()
assert dd["v"] is dv and dv.numpy().tolist() == [7., 8.]
assert isinstance(dd["t"], tf.Tensor) and dd["t"].numpy().tolist() == [1., 1.]  # tensor replaced in the dict
# An eager tensor as a keyword: a clear error.
try:
    ckpt.Checkpoint(v=tf.constant([0., 0.])).restore(d + "/c-2")
    raise SystemExit("no error")
except ValueError as e:
    assert "'v': it holds a TensorFlow tensor" in str(e), e
# ckpt.Variable over a tensor / a tf.Variable.
cv = ckpt.Variable(tf.constant([0., 0.]))
tv = tf.Variable([0., 0.])
vv = ckpt.Variable(tv)
ckpt.Checkpoint(a=cv, b=vv).read(ckpt.Checkpoint(a=tf.Variable([1., 2.]), b=tf.Variable([3., 4.])).write(d + "/x"))
assert isinstance(cv.value(), tf.Tensor) and cv.numpy().tolist() == [1., 2.]
assert tv.numpy().tolist() == [3., 4.] and vv.value() is tv
vv.assign([9., 9.])
assert tv.numpy().tolist() == [9., 9.]
cv.assign([6., 6.])
ckpt.Checkpoint(a=cv).read(d + "/x").expect_partial()
assert cv.numpy().tolist() == [1., 2.] and cv.value().numpy().tolist() == [1., 2.]
print("OK")
"""


@pytest.mark.tf
def test_tensorflow_values(tmp_path):
    proc = run_python(TF_CODE, tmp_path)
    if "No module named 'tensorflow'" in proc.stderr:
        pytest.skip("TensorFlow is not installed (pip install tensorflow-cpu)")
    assert proc.returncode == 0 and "OK" in proc.stdout, proc.stderr[-3000:]


# ---- the core imports no framework the caller did not pass ----

def test_no_framework_imported_for_numpy(tmp_path):
    code = r"""
import sys, numpy as np, ckpt
p = ckpt.Checkpoint(v=np.ones(2), d={"a": np.zeros(1)}).write(sys.argv[1])
ckpt.Checkpoint(v=np.zeros(2), d={"a": np.ones(1)}).read(p).assert_consumed()
ckpt.load_checkpoint(p).get_tensor("v/.ATTRIBUTES/VARIABLE_VALUE")
bad = [m for m in ("torch", "tensorflow", "jax", "keras", "optax", "ckpt._torch", "ckpt._tf", "ckpt._jax")
       if m in sys.modules]
print("IMPORTED", bad)
"""
    proc = run_python(code, tmp_path / "p")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "IMPORTED []" in proc.stdout, proc.stdout
