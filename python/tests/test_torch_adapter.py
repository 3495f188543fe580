"""PyTorch objects checkpointed as they are (ckpt/_torch.py): modules restored in
place, optimizers / LR schedulers / GradScaler / any state_dict() object through
their own load_state_dict, resumed training bit-identical to an uninterrupted run.
"""

import collections
import json
import math

import numpy as np
import pytest

import ckpt
from ckpt_test_util import import_or_skip, run_python

torch = import_or_skip("torch")


def keys(path):
    return sorted(k for k, _ in ckpt.list_variables(path))


# ---- resumed training is bit-identical ----

def batches(n, shape, seed=123):
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(shape, generator=g), torch.randn(shape[0], 1, generator=g)) for _ in range(n)]


def mlp():
    return torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))


def cnn():
    return torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                               torch.nn.Flatten(), torch.nn.Linear(4 * 5 * 5, 1))


OPTIMIZERS = {
    "adam_steplr": (lambda p: torch.optim.Adam(p, lr=0.01), lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.5)),
    "sgd_momentum": (lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True), None),
    "adamw_onecycle": (lambda p: torch.optim.AdamW(p, lr=0.01),
                       lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.05, total_steps=20)),
}


def make(model_fn, opt_name, seed):
    torch.manual_seed(seed)  # fresh objects: different initial weights than the trained ones
    model = model_fn()
    make_opt, make_sched = OPTIMIZERS[opt_name]
    opt = make_opt(model.parameters())
    sched = make_sched(opt) if make_sched else None
    return model, opt, sched


def train(model, opt, sched, data):
    losses = []
    model.train()
    for x, y in data:
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        losses.append(loss.item())
    return losses


def objects(model, opt, sched):
    out = {"model": model, "optimizer": opt}
    if sched is not None:
        out["scheduler"] = sched
    return out


@pytest.mark.parametrize("model_fn,shape", [(mlp, (8, 6)), (cnn, (8, 1, 5, 5))], ids=["mlp", "cnn_batchnorm"])
@pytest.mark.parametrize("opt_name", sorted(OPTIMIZERS))
def test_resume_is_bit_identical(tmp_path, model_fn, shape, opt_name):
    k, n = 5, 12
    data = batches(n, shape)
    reference = train(*make(model_fn, opt_name, 0), data)

    first = make(model_fn, opt_name, 0)
    head = train(*first, data[:k])
    manager = ckpt.CheckpointManager(ckpt.Checkpoint(**objects(*first)), tmp_path, max_to_keep=1)
    manager.save()
    del first, manager

    fresh = make(model_fn, opt_name, 1)
    manager = ckpt.CheckpointManager(ckpt.Checkpoint(**objects(*fresh)), tmp_path, max_to_keep=1)
    assert manager.restore_or_initialize() is not None
    tail = train(*fresh, data[k:])
    assert head + tail == reference  # bit-identical floats


def test_restore_with_checkpoint_restore_assert_consumed(tmp_path):
    model, opt, sched = make(mlp, "adam_steplr", 0)
    train(model, opt, sched, batches(3, (8, 6)))
    p = ckpt.Checkpoint(model=model, optimizer=opt, scheduler=sched).save(tmp_path / "c")
    model2, opt2, sched2 = make(mlp, "adam_steplr", 1)
    params = list(model2.parameters())
    ckpt.Checkpoint(model=model2, optimizer=opt2, scheduler=sched2).restore(p).assert_consumed()
    assert all(a is b for a, b in zip(params, model2.parameters()))  # in place
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), model2.state_dict().values()))
    assert_same(opt2.state_dict(), opt.state_dict())
    assert_same(sched2.state_dict(), sched.state_dict())


# ---- keys ----

def test_keys(tmp_path):
    model, opt, sched = make(cnn, "adam_steplr", 0)
    train(model, opt, sched, batches(1, (8, 1, 5, 5)))
    ks = keys(ckpt.Checkpoint(model=model, optimizer=opt, scheduler=sched).write(tmp_path / "p"))
    # Module: the state_dict names (TF escapes "." as "..")
    assert {k for k in ks if k.startswith("model/")} == {
        f"model/{n.replace('.', '..')}/.ATTRIBUTES/VARIABLE_VALUE" for n in model.state_dict()}
    assert "model/1..num_batches_tracked/.ATTRIBUTES/VARIABLE_VALUE" in ks
    assert "optimizer/structure/.ATTRIBUTES/VARIABLE_VALUE" in ks
    assert "optimizer/tensors/state/0/exp_avg/.ATTRIBUTES/VARIABLE_VALUE" in ks
    assert "optimizer/tensors/param_groups/0/betas/1/.ATTRIBUTES/VARIABLE_VALUE" in ks
    assert "scheduler/tensors/gamma/.ATTRIBUTES/VARIABLE_VALUE" in ks
    reader = ckpt.load_checkpoint(tmp_path / "p")
    assert reader.get_tensor("optimizer/tensors/param_groups/0/lr/.ATTRIBUTES/VARIABLE_VALUE").dtype == np.float64
    assert reader.get_tensor("optimizer/tensors/state/0/step/.ATTRIBUTES/VARIABLE_VALUE").dtype == np.float32
    assert reader.get_tensor("scheduler/tensors/last_epoch/.ATTRIBUTES/VARIABLE_VALUE") == 1
    spec = json.loads(reader.get_tensor("optimizer/structure/.ATTRIBUTES/VARIABLE_VALUE"))
    assert spec["format"] == "ckpt.state_dict/1" and spec["type"] == "torch.optim.adam.Adam"


def test_model_state_dict_and_module_share_keys(tmp_path):
    """`Checkpoint(model=m.state_dict())` files restore into `Checkpoint(model=m)` and back."""
    m1, m2 = mlp(), mlp()
    p = ckpt.Checkpoint(model=m1.state_dict()).write(tmp_path / "p")
    ckpt.Checkpoint(model=m2).read(p).assert_consumed()
    assert all(torch.equal(a, b) for a, b in zip(m1.parameters(), m2.parameters()))
    q = ckpt.Checkpoint(model=m1).write(tmp_path / "q")
    assert keys(p) == keys(q)


# ---- exact round trips of state dicts ----

class Stateful:
    def __init__(self, state):
        self.state = state

    def state_dict(self):
        return self.state

    def load_state_dict(self, state):
        self.state = state


def assert_same(a, b, where="state"):
    assert type(a) is type(b), (where, type(a), type(b))
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            assert type(k) is type(list(b)[list(a).index(k)]), where
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, torch.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad, where
        assert torch.equal(a.detach().view(torch.uint8) if a.dtype.itemsize == 1 else a.detach(),
                           b.detach().view(torch.uint8) if b.dtype.itemsize == 1 else b.detach()), where
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), where
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), where
    else:
        assert a == b, (where, a, b)


def test_every_leaf_kind_round_trips_exactly(tmp_path):
    state = {
        "ints": {0: 1, 1: -(2 ** 63), 2: 2 ** 63 - 1, "3": 3},
        "floats": [0.1, -0.0, float("inf"), float("-inf"), float("nan"), 1e-308, 5e-324],
        "bools": (True, False),
        "none": None,
        "empty": {"d": {}, "l": [], "t": ()},
        "text": ["h\u00e9llo", "", b"\x00\xff"],
        "tensors": [torch.arange(3), torch.zeros(2, 2, dtype=torch.bfloat16) + 1.5, torch.tensor(True),
                    torch.randn(3, requires_grad=True), torch.tensor(2.5, dtype=torch.float64),
                    torch.tensor([1, 2], dtype=torch.uint8), torch.zeros(0, 3),
                    torch.ones(2, dtype=torch.float8_e4m3fn)],
        "non_contiguous": torch.arange(6.0).reshape(2, 3).t(),
        "numpy": np.arange(4, dtype=np.int16),
        "ordered": collections.OrderedDict([("b", 1), ("a", 2)]),
        "nested": [{"a": [{"b": (1, [torch.ones(1)])}]}],
    }
    src = Stateful(state)
    p = ckpt.Checkpoint(obj=src).write(tmp_path / "p")
    dst = Stateful({"something": "else"})
    ckpt.Checkpoint(obj=dst).read(p).assert_consumed()
    expected = dict(state, non_contiguous=state["non_contiguous"].contiguous())
    assert_same(dst.state, expected)
    assert dst.state["tensors"][0] is not state["tensors"][0]  # fresh tensors, not aliases


@pytest.mark.parametrize("make_opt", [
    lambda p: torch.optim.LBFGS(p, lr=0.1, history_size=3),  # lists of tensors in its state
    lambda p: torch.optim.RMSprop(p, momentum=0.5, centered=True),
    lambda p: torch.optim.Adagrad(p),
    lambda p: torch.optim.Adam([{"params": p[:1], "lr": 0.1}, {"params": p[1:]}], amsgrad=True),
], ids=["lbfgs", "rmsprop", "adagrad", "adam_groups_amsgrad"])
def test_optimizer_state_round_trips(tmp_path, make_opt):
    torch.manual_seed(0)
    model = mlp()
    opt = make_opt(list(model.parameters()))
    x, y = batches(1, (8, 6))[0]

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(closure)
    p = ckpt.Checkpoint(opt=opt).write(tmp_path / "p")
    model2 = mlp()
    opt2 = make_opt(list(model2.parameters()))
    ckpt.Checkpoint(opt=opt2).read(p).assert_consumed()
    assert_same(opt2.state_dict(), opt.state_dict())


def test_schedulers_and_grad_scaler_round_trip(tmp_path):
    opt = torch.optim.SGD(mlp().parameters(), lr=0.1)
    s1 = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=2)
    s2 = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
    scheds = {
        "sequential": torch.optim.lr_scheduler.SequentialLR(opt, [s1, s2], milestones=[2]),  # nested state dicts
        "plateau": torch.optim.lr_scheduler.ReduceLROnPlateau(opt),  # inf, strings
        "warm_restarts": torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3),
    }
    for _ in range(4):
        opt.step()
        scheds["sequential"].step()
        scheds["plateau"].step(1.0)
        scheds["warm_restarts"].step()
    scaler = torch.amp.GradScaler("cpu", init_scale=1024.0, growth_interval=7)
    scaler.scale(torch.tensor(1.0))  # creates the scale tensor
    scaler.update(new_scale=512.0)
    objs = dict(scheds, scaler=scaler)
    p = ckpt.Checkpoint(**objs).write(tmp_path / "p")
    opt2 = torch.optim.SGD(mlp().parameters(), lr=0.3)
    fresh = {
        "sequential": torch.optim.lr_scheduler.SequentialLR(
            opt2, [torch.optim.lr_scheduler.LinearLR(opt2), torch.optim.lr_scheduler.ExponentialLR(opt2, 0.5)],
            milestones=[5]),
        "plateau": torch.optim.lr_scheduler.ReduceLROnPlateau(opt2, mode="max"),
        "warm_restarts": torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt2, T_0=9),
        "scaler": torch.amp.GradScaler("cpu"),
    }
    ckpt.Checkpoint(**fresh).read(p).assert_consumed()
    for name in objs:
        assert_same(fresh[name].state_dict(), objs[name].state_dict(), name)


def test_object_attached_after_restore_gets_its_state(tmp_path):
    model, opt, sched = make(mlp, "adam_steplr", 0)
    train(model, opt, sched, batches(2, (8, 6)))
    p = ckpt.Checkpoint(model=model, optimizer=opt).write(tmp_path / "p")
    model2, opt2, _ = make(mlp, "adam_steplr", 1)
    c = ckpt.Checkpoint(model=model2)
    status = c.read(p)
    c.optimizer = opt2  # a deferred restore, as TF's
    status.assert_consumed()
    assert_same(opt2.state_dict(), opt.state_dict())


# ---- what cannot be represented is an error naming the path ----

class Sparse(torch.Tensor):
    pass


@pytest.mark.parametrize("state,message", [
    ({"fn": lambda: 1}, r"'obj': cannot checkpoint state_dict\(\)\['fn'\]: a callable"),
    ({"a": [1, object()]}, r"state_dict\(\)\['a'\]\[1\]: object is not a tensor"),
    ({"s": {"t": torch.eye(2).to_sparse()}}, r"state_dict\(\)\['s'\]\['t'\]: a torch.sparse_coo tensor"),
    ({"t": torch.ones(2).as_subclass(Sparse)}, r"\['t'\]: a tensor subclass"),
    ({"big": 2 ** 64}, r"\['big'\]: 18446744073709551616 does not fit in int64"),
    ({0: 1, "0": 2}, r"keys 0 and '0' have the same name '0'"),
    ({(1, 2): 1}, r"key \(1, 2\) \(tuple\) is neither str nor int"),
    ({"c": 1 + 2j}, r"\['c'\]: complex is not a tensor"),
    ({"d": torch.float32}, r"\['d'\]: torch.dtype is not a tensor"),
])
def test_unrepresentable_values_raise_with_path(tmp_path, state, message):
    with pytest.raises(TypeError, match=message):
        ckpt.Checkpoint(obj=Stateful(state)).write(tmp_path / "p")


def test_module_extra_state_and_lazy_modules_raise(tmp_path):
    class WithExtra(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(2, 2)

        def get_extra_state(self):
            return {"version": 3}

        def set_extra_state(self, state):
            pass

    with pytest.raises(TypeError, match=r"'m/inner': cannot checkpoint WithExtra.state_dict\(\)\['_extra_state'\]"):
        ckpt.Checkpoint(m={"inner": WithExtra()}).write(tmp_path / "p")
    with pytest.raises(TypeError, match="uninitialized .lazy. parameter"):
        ckpt.Checkpoint(m=torch.nn.LazyLinear(3)).write(tmp_path / "q")


# ---- TensorFlow reads every tensor ----

TF_READ = r"""
import json, sys, numpy as np, tensorflow as tf
reader = tf.train.load_checkpoint(sys.argv[1])
names = sorted(reader.get_variable_to_shape_map())
values = {n: reader.get_tensor(n) for n in names}
spec = json.loads(values["optimizer/structure/.ATTRIBUTES/VARIABLE_VALUE"])
print(json.dumps({"names": names, "lr": float(values["optimizer/tensors/param_groups/0/lr/.ATTRIBUTES/VARIABLE_VALUE"]),
                  "format": spec["format"]}))
"""


@pytest.mark.tf
def test_tensorflow_reads_every_tensor(tmp_path):
    model, opt, sched = make(cnn, "adam_steplr", 0)
    train(model, opt, sched, batches(2, (8, 1, 5, 5)))
    p = ckpt.Checkpoint(model=model, optimizer=opt, scheduler=sched).write(tmp_path / "p")
    proc = run_python(TF_READ, p)
    if "No module named 'tensorflow'" in proc.stderr:
        pytest.skip("TensorFlow is not installed (pip install tensorflow-cpu)")
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["names"] == keys(p)
    assert out["lr"] == 0.01 and out["format"] == "ckpt.state_dict/1"


def test_each_save_holds_the_current_state(tmp_path):
    model, opt, sched = make(mlp, "adam_steplr", 0)
    c = ckpt.Checkpoint(model=model, optimizer=opt, scheduler=sched)
    data = batches(4, (8, 6))
    paths = []
    for i in range(2):
        train(model, opt, sched, data[2 * i:2 * i + 2])
        paths.append(c.save(tmp_path / "c"))
    key = "scheduler/tensors/last_epoch/.ATTRIBUTES/VARIABLE_VALUE"
    assert [int(ckpt.load_variable(p, key)) for p in paths] == [2, 4]
    step = "optimizer/tensors/state/0/step/.ATTRIBUTES/VARIABLE_VALUE"
    assert [float(ckpt.load_variable(p, step)) for p in paths] == [2.0, 4.0]
