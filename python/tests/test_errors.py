"""ckpt.errors: TF's exception classes and codes, and the one status -> exception mapping."""

import pickle

import pytest

import ckpt
from ckpt import _ckpt, errors

CODES = {
    "CancelledError": 1, "UnknownError": 2, "InvalidArgumentError": 3, "DeadlineExceededError": 4,
    "NotFoundError": 5, "AlreadyExistsError": 6, "PermissionDeniedError": 7, "ResourceExhaustedError": 8,
    "FailedPreconditionError": 9, "AbortedError": 10, "OutOfRangeError": 11, "UnimplementedError": 12,
    "InternalError": 13, "UnavailableError": 14, "DataLossError": 15, "UnauthenticatedError": 16,
}


@pytest.mark.parametrize("name,code", sorted(CODES.items()))
def test_each_code_maps_to_tf_named_subclass(name, code):
    cls = getattr(errors, name)
    assert issubclass(cls, errors.OpError)
    with pytest.raises(cls) as ei:
        _ckpt._status_roundtrip(code, f"message {code}", "")
    assert ei.value.error_code == code
    assert ei.value.message == f"message {code}"
    assert str(ei.value) == f"message {code}"
    assert errors.exception_type_from_error_code(code) is cls
    assert errors.error_code_from_exception_type(cls) == code


def test_error_constants_are_tf_codes():
    assert (errors.OK, errors.NOT_FOUND, errors.DATA_LOSS, errors.UNAUTHENTICATED) == (0, 5, 15, 16)


def test_op_error_pickles():
    e = errors.NotFoundError(None, None, "gone")
    e2 = pickle.loads(pickle.dumps(e))
    assert type(e2) is errors.NotFoundError and e2.message == "gone"


@pytest.mark.parametrize("api,code,message,expected", [
    ("assert", 9, "Unresolved object in checkpoint", AssertionError),       # CK-47
    ("restore", 3, "Received incompatible tensor with shape (2,)", ValueError),  # CK-30
    ("restore", 3, "tensor_name = v; expected dtype", errors.InvalidArgumentError),  # CK-31
    ("checkpoint", 3, "`Checkpoint` was expecting x", ValueError),          # CK-01
    ("saver", 3, "No variables to save", ValueError),                     # SV-05
    ("saver", 3, "tensor_name = v; expected dtype float", errors.InvalidArgumentError),
    ("saver", 9, "`build()` should be called", RuntimeError),              # SV-03
    ("update_checkpoint_state", 3, "Checkpoint timestamps, if provided", ValueError),  # ST-05
    ("update_checkpoint_state", 9, "Save path 'x' conflicts", RuntimeError),  # ST-08
    ("get_checkpoint_state", 3, "Invalid checkpoint state loaded from d", ValueError),  # ST-10
    ("load_checkpoint", 3, "Couldn't find 'checkpoint' file or checkpoints in given directory d", ValueError),
    ("load_checkpoint", 5, "Unsuccessful TensorSliceReader constructor", errors.NotFoundError),
    ("", 15, "bad crc", errors.DataLossError),
])
def test_python_exceptions_where_tf_raises_them(api, code, message, expected):
    with pytest.raises(expected) as ei:
        _ckpt._status_roundtrip(code, message, api)
    assert type(ei.value) is expected
    assert str(ei.value) == message


def test_unknown_code_is_plain_op_error():
    with pytest.raises(errors.OpError) as ei:
        _ckpt._status_roundtrip(77, "odd", "")
    assert ei.value.error_code == 77
