"""JAX pytrees (ckpt/_jax.py): keys are tree paths; ckpt.restore_pytree returns a
new pytree of the target's structure; resumed optax training is bit-identical.
"""

import collections
import dataclasses

import numpy as np
import pytest

import ckpt
from ckpt_test_util import import_or_skip

jax = import_or_skip("jax")
jnp = import_or_skip("jax.numpy")
optax = import_or_skip("optax")


def keys(path):
    return sorted(k[: -len("/.ATTRIBUTES/VARIABLE_VALUE")] for k, _ in ckpt.list_variables(path)
                  if k.endswith("/.ATTRIBUTES/VARIABLE_VALUE"))


# ---- resumed training ----

def init_mlp(seed):
    k1, k2 = jax.random.split(jax.random.PRNGKey(seed))
    return {"hidden": {"w": jax.random.normal(k1, (6, 16)) * 0.3, "b": jnp.zeros(16)},
            "out": {"w": jax.random.normal(k2, (16, 1)) * 0.3, "b": jnp.zeros(1)}}


def loss_fn(params, x, y):
    h = jnp.tanh(x @ params["hidden"]["w"] + params["hidden"]["b"])
    return jnp.mean((h @ params["out"]["w"] + params["out"]["b"] - y) ** 2)


OPT = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(optax.exponential_decay(0.01, 3, 0.5)))


@jax.jit
def step(params, opt_state, x, y):
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    updates, opt_state = OPT.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, loss


def data(n):
    key = jax.random.PRNGKey(42)
    out = []
    for _ in range(n):
        key, a, b = jax.random.split(key, 3)
        out.append((jax.random.normal(a, (8, 6)), jax.random.normal(b, (8, 1))))
    return out


def run(params, opt_state, batches):
    losses = []
    for x, y in batches:
        params, opt_state, loss = step(params, opt_state, x, y)
        losses.append(np.asarray(loss).tobytes())
    return params, opt_state, losses


def test_optax_adam_resume_is_bit_identical_save_pytree(tmp_path):
    k, batches = 4, data(10)
    params = init_mlp(0)
    _, _, reference = run(params, OPT.init(params), batches)

    params, opt_state, head = run(params, OPT.init(params), batches[:k])
    path = ckpt.save_pytree(tmp_path / "state", {"params": params, "opt_state": opt_state})

    fresh = init_mlp(1)  # a fresh start: other weights, step count 0
    state = ckpt.restore_pytree(path, {"params": fresh, "opt_state": OPT.init(fresh)})
    assert jax.tree_util.tree_structure(state["opt_state"]) == jax.tree_util.tree_structure(opt_state)
    _, _, tail = run(state["params"], state["opt_state"], batches[k:])
    assert head + tail == reference


def test_optax_resume_through_checkpoint_manager(tmp_path):
    k, batches = 3, data(7)
    params = init_mlp(0)
    _, _, reference = run(params, OPT.init(params), batches)

    c = ckpt.Checkpoint(params=params, opt_state=OPT.init(params))
    manager = ckpt.CheckpointManager(c, tmp_path, max_to_keep=2)
    params, opt_state, head = run(params, OPT.init(params), batches[:k])
    c.params, c.opt_state = params, opt_state  # jax values are new objects after each step
    manager.save()

    fresh = init_mlp(1)
    state = ckpt.restore_pytree(manager.latest_checkpoint, {"params": fresh, "opt_state": OPT.init(fresh)})
    _, _, tail = run(state["params"], state["opt_state"], batches[k:])
    assert head + tail == reference


# ---- keys are tree paths ----

@jax.tree_util.register_dataclass
@dataclasses.dataclass
class TrainState:
    step: jax.Array
    params: dict
    extra: tuple


Pair = collections.namedtuple("Pair", ["first", "second"])


def test_keys_are_tree_paths(tmp_path):
    tree = {"opt": OPT.init({"w": jnp.ones(2)}),
            "state": TrainState(jnp.int32(3), {"w": jnp.ones(2)}, (jnp.ones(1), Pair(jnp.ones(1), np.ones(1))))}
    p = ckpt.save_pytree(tmp_path / "p", tree)
    paths = sorted(jax.tree_util.keystr(path, simple=True, separator="/")
                   for path, _ in jax.tree_util.tree_flatten_with_path(tree)[0])
    assert keys(p) == paths
    assert "opt/1/0/mu/w" in keys(p) and "state/extra/1/second" in keys(p)


def test_restore_pytree_types_placement_and_errors(tmp_path):
    tree = {"a": jnp.arange(3.0).astype(jnp.bfloat16), "n": np.arange(2, dtype=np.int16), "s": np.float32(2.5),
            "t": (jnp.ones(2),), "py": 7}
    p = ckpt.save_pytree(tmp_path / "p", tree)
    target = {"a": jnp.zeros(3, jnp.bfloat16), "n": np.zeros(2, np.int16), "s": np.float32(0), "t": (jnp.zeros(2),),
              "py": 0}
    out = ckpt.restore_pytree(p, target)
    assert out["a"].dtype == jnp.bfloat16 and out["a"].tolist() == [0, 1, 2]
    assert out["a"].sharding == target["a"].sharding
    assert isinstance(out["n"], np.ndarray) and out["n"].tolist() == [0, 1]
    assert type(out["s"]) is np.float32 and out["s"] == 2.5
    assert isinstance(out["t"], tuple) and out["t"][0].tolist() == [1, 1]
    assert out["py"] == 0  # Python numbers are not tracked (TF's rule for containers): returned as given
    assert target["a"].tolist() == [0, 0, 0]  # the target itself is not changed
    with pytest.raises(AssertionError):
        ckpt.restore_pytree(p, {"missing": jnp.zeros(1)})
    with pytest.raises(ValueError):  # shape mismatch (CK-30)
        ckpt.restore_pytree(p, {"a": jnp.zeros(4, jnp.bfloat16)})


def test_checkpoint_restore_of_immutable_jax_tree_says_what_to_do(tmp_path):
    opt_state = OPT.init({"w": jnp.ones(2)})
    p = ckpt.Checkpoint(opt_state=opt_state).write(tmp_path / "p")
    with pytest.raises(ValueError, match=r"'opt_state/1/0/count': it holds a jax array.*ckpt.restore_pytree"):
        ckpt.Checkpoint(opt_state=OPT.init({"w": jnp.zeros(2)})).read(p)
    # Mutable parts are fine: dict entries are replaced.
    params = {"w": jnp.zeros(2)}
    ckpt.Checkpoint(opt_state={"p": params}).read(ckpt.Checkpoint(opt_state={"p": {"w": jnp.ones(2)}}).write(
        tmp_path / "q")).assert_consumed()
    assert params["w"].tolist() == [1, 1]


def test_dataclass_with_writable_numpy_restores_in_place(tmp_path):
    @jax.tree_util.register_dataclass
    @dataclasses.dataclass
    class Holder:
        a: np.ndarray

    p = ckpt.Checkpoint(h=Holder(np.arange(3.0))).write(tmp_path / "p")
    h = Holder(np.zeros(3))
    ckpt.Checkpoint(h=h).read(p).assert_consumed()
    assert h.a.tolist() == [0, 1, 2]
