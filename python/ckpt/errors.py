"""Exception classes with TensorFlow's names and codes (``tf.errors``).

The C++ core reports failures as a Status carrying one of TensorFlow's
canonical error codes. :func:`_raise_status` is the one place where a status
becomes a Python exception: an :class:`OpError` subclass chosen by code, or a
built-in exception (``ValueError``, ``AssertionError``, ``RuntimeError``)
where the TensorFlow API being mirrored raises one (see ``_PYTHON_EXCEPTIONS``).
"""

# The typing names are imported under private names: this module's namespace
# is its public API (`__all__`), as the package's is (test_package_namespace.py).
from __future__ import annotations as _annotations

from typing import NoReturn as _NoReturn, Optional as _Optional

OK = 0
CANCELLED = 1
UNKNOWN = 2
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
ABORTED = 10
OUT_OF_RANGE = 11
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
DATA_LOSS = 15
UNAUTHENTICATED = 16


class OpError(Exception):
    """A failed checkpoint operation (``tf.errors.OpError``)."""

    def __init__(self, node_def: object, op: object, message: str, error_code: int, *args: object) -> None:
        super().__init__(message, *args)
        self._node_def = node_def
        self._op = op
        self._message = message
        self._error_code = error_code

    @property
    def message(self) -> str:
        return self._message

    @property
    def error_code(self) -> int:
        return self._error_code

    @property
    def op(self) -> object:
        return self._op

    @property
    def node_def(self) -> object:
        return self._node_def

    @property
    def experimental_payloads(self) -> dict:
        return {}

    def __str__(self) -> str:
        return self._message

    def __reduce__(self):  # picklable, like TF's errors
        return type(self), (self._node_def, self._op, self._message) + (
            (self._error_code,) if type(self) is OpError else ()
        )


def _subclass(name: str, code: int, doc: str) -> type:
    def __init__(self, node_def: object, op: object, message: str, *args: object) -> None:
        OpError.__init__(self, node_def, op, message, code, *args)

    return type(name, (OpError,), {"__init__": __init__, "__doc__": doc, "__module__": __name__})


CancelledError = _subclass("CancelledError", CANCELLED, "An operation was cancelled.")
UnknownError = _subclass("UnknownError", UNKNOWN, "An unknown error.")
InvalidArgumentError = _subclass("InvalidArgumentError", INVALID_ARGUMENT, "An argument was invalid (dtype or shape mismatch, ...).")
DeadlineExceededError = _subclass("DeadlineExceededError", DEADLINE_EXCEEDED, "A deadline expired.")
NotFoundError = _subclass("NotFoundError", NOT_FOUND, "A file or key was not found.")
AlreadyExistsError = _subclass("AlreadyExistsError", ALREADY_EXISTS, "Something to be created already exists.")
PermissionDeniedError = _subclass("PermissionDeniedError", PERMISSION_DENIED, "Permission denied.")
ResourceExhaustedError = _subclass("ResourceExhaustedError", RESOURCE_EXHAUSTED, "Out of memory or disk space.")
FailedPreconditionError = _subclass("FailedPreconditionError", FAILED_PRECONDITION, "The system is not in a state to run the operation.")
AbortedError = _subclass("AbortedError", ABORTED, "The operation was aborted.")
OutOfRangeError = _subclass("OutOfRangeError", OUT_OF_RANGE, "A value was out of range.")
UnimplementedError = _subclass("UnimplementedError", UNIMPLEMENTED, "The operation is not implemented.")
InternalError = _subclass("InternalError", INTERNAL, "An internal invariant was broken.")
UnavailableError = _subclass("UnavailableError", UNAVAILABLE, "A resource is unavailable.")
DataLossError = _subclass("DataLossError", DATA_LOSS, "Unrecoverable data loss or corruption (bad checksum, truncated file).")
UnauthenticatedError = _subclass("UnauthenticatedError", UNAUTHENTICATED, "Missing credentials.")

_CODE_TO_CLASS = {
    CANCELLED: CancelledError,
    UNKNOWN: UnknownError,
    INVALID_ARGUMENT: InvalidArgumentError,
    DEADLINE_EXCEEDED: DeadlineExceededError,
    NOT_FOUND: NotFoundError,
    ALREADY_EXISTS: AlreadyExistsError,
    PERMISSION_DENIED: PermissionDeniedError,
    RESOURCE_EXHAUSTED: ResourceExhaustedError,
    FAILED_PRECONDITION: FailedPreconditionError,
    ABORTED: AbortedError,
    OUT_OF_RANGE: OutOfRangeError,
    UNIMPLEMENTED: UnimplementedError,
    INTERNAL: InternalError,
    UNAVAILABLE: UnavailableError,
    DATA_LOSS: DataLossError,
    UNAUTHENTICATED: UnauthenticatedError,
}

# Messages of InvalidArgument statuses that TensorFlow raises as op errors
# (InvalidArgumentError) even inside APIs that otherwise raise ValueError.
_OP_ERROR_PREFIXES = (
    "tensor_name = ",
    "Assign requires shapes",
    "Input to reshape",
    "Unsuccessful TensorSliceReader",
    "Restoring from checkpoint failed.",  # Saver.restore re-raises op errors with this preamble (SV-49)
)

# (api, code, message prefix or None) -> built-in exception class, first match
# wins. `api` is the Python API the C++ call served (python/src/*.cc).
_PYTHON_EXCEPTIONS = [
    # Load-status assertions: TF raises AssertionError (CK-26, CK-45..CK-49).
    ("assert", FAILED_PRECONDITION, None, AssertionError),
    # Shape mismatch on restore is a ValueError in eager TF (CK-30).
    ("restore", INVALID_ARGUMENT, "Received incompatible tensor", ValueError),
    ("read", INVALID_ARGUMENT, "Received incompatible tensor", ValueError),
    # Bad Checkpoint(...) arguments (CK-01, CK-02).
    ("checkpoint", INVALID_ARGUMENT, None, ValueError),
    # Saver: ValueError/AssertionError -> InvalidArgument, RuntimeError ->
    # FailedPrecondition (include/ckpt/saver.h); op errors keep their code.
    ("saver", INVALID_ARGUMENT, _OP_ERROR_PREFIXES, None),
    ("saver", INVALID_ARGUMENT, None, ValueError),
    ("saver", FAILED_PRECONDITION, None, RuntimeError),
    # State file (ST-05 ValueError, ST-08 RuntimeError, ST-10 ValueError).
    ("update_checkpoint_state", INVALID_ARGUMENT, None, ValueError),
    ("update_checkpoint_state", FAILED_PRECONDITION, None, RuntimeError),
    ("get_checkpoint_state", INVALID_ARGUMENT, "Invalid checkpoint state", ValueError),
    # load_checkpoint of a directory without checkpoints (RD-01).
    ("load_checkpoint", INVALID_ARGUMENT, "Couldn't find 'checkpoint' file", ValueError),
    # CheckpointManager constructor arguments (CM-01, CM-02, CM-28).
    ("manager", INVALID_ARGUMENT, None, ValueError),
    ("shape", INVALID_ARGUMENT, None, ValueError),
    ("variable", INVALID_ARGUMENT, None, ValueError),
]


def _exception_for(code: int, message: str, api: str = "") -> BaseException:
    for rule_api, rule_code, prefix, cls in _PYTHON_EXCEPTIONS:
        if rule_api != api or rule_code != code:
            continue
        if prefix is not None:
            prefixes = (prefix,) if isinstance(prefix, str) else prefix
            if not message.startswith(prefixes):
                continue
        if cls is None:
            break  # explicitly an op error
        return cls(message)
    op_cls: _Optional[type] = _CODE_TO_CLASS.get(code)
    if op_cls is None:
        return OpError(None, None, message, code)
    return op_cls(None, None, message)


def _raise_status(code: int, message: str, api: str = "") -> _NoReturn:
    """Raises the exception for a C++ Status (called from python/src/status.cc)."""
    raise _exception_for(code, message, api)


def error_code_from_exception_type(cls: type) -> int:
    for code, c in _CODE_TO_CLASS.items():
        if c is cls:
            return code
    return UNKNOWN


def exception_type_from_error_code(error_code: int) -> type:
    return _CODE_TO_CLASS[error_code]


# The exception classes and the code constants; the private tables (_CODE_TO_CLASS, ...) are upper case too.
__all__ = [n for n in list(globals()) if not n.startswith("_") and (n.endswith("Error") or n.isupper())] + [
    "error_code_from_exception_type",
    "exception_type_from_error_code",
]
