"""Shared pytest fixtures for the cross-layer Python tests (tests/cli, tests/tf_compat).

Executables are found through the environment variable CKPT_BUILD_DIR (default
<repo>/build):

    $CKPT_BUILD_DIR/tools/ckpt                 the `ckpt` command-line tool
    $CKPT_BUILD_DIR/tests/tools/bundle_tool    test-only driver of BundleWriter/Reader

A test that needs a missing executable is skipped with a message saying how to build it (a failure
under the README's test command: see pytest_support.py). The TensorFlow-written test files are
tests/data/tf, in this repository.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from pytest_support import pytest_runtest_makereport, testdata  # noqa: F401 (the hook is used by pytest)

REPO_ROOT = Path(__file__).resolve().parent.parent


def build_dir() -> Path:
    return Path(os.environ.get("CKPT_BUILD_DIR", str(REPO_ROOT / "build")))


class Tool:
    """A command-line program under test; run() never raises on a non-zero exit."""

    def __init__(self, path: Path):
        self.path = path

    def run(self, *args, timeout: float = 300, check_no_crash: bool = True, **kw) -> subprocess.CompletedProcess:
        proc = subprocess.run([str(self.path), *map(str, args)], capture_output=True, timeout=timeout, **kw)
        if check_no_crash:
            assert_no_crash(proc)
        return proc

    def ok(self, *args, **kw) -> subprocess.CompletedProcess:
        """Runs and asserts exit status 0 (printing stderr otherwise)."""
        proc = self.run(*args, **kw)
        assert proc.returncode == 0, (
            f"{self.path.name} {' '.join(map(str, args))} exited {proc.returncode}\n"
            f"stderr: {proc.stderr.decode(errors='replace')}"
        )
        return proc

    def json(self, *args, **kw):
        """Runs with exit status 0 and parses stdout as JSON."""
        return json.loads(self.ok(*args, **kw).stdout)


def assert_no_crash(proc: subprocess.CompletedProcess) -> None:
    """A negative return code means the process died from a signal (abort, segfault...)."""
    if proc.returncode < 0:
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = str(-proc.returncode)
        raise AssertionError(
            f"{proc.args[0]} crashed with signal {name}: args={proc.args[1:]}\n"
            f"stderr: {proc.stderr.decode(errors='replace') if isinstance(proc.stderr, bytes) else proc.stderr}"
        )


def _tool(relpath: str, target: str) -> Tool:
    path = build_dir() / relpath
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.skip(
            f"{path} not found: build it with `ninja -C {build_dir()} {target}` "
            f"(or set CKPT_BUILD_DIR to a build directory that has it)"
        )
    return Tool(path)


@pytest.fixture(scope="session")
def ckpt_cli() -> Tool:
    """The `ckpt` CLI ($CKPT_BUILD_DIR/tools/ckpt)."""
    return _tool("tools/ckpt", "ckpt_cli")


@pytest.fixture(scope="session")
def bundle_tool() -> Tool:
    """The test-only bundle driver ($CKPT_BUILD_DIR/tests/tools/bundle_tool)."""
    return _tool("tests/tools/bundle_tool", "bundle_tool")


@pytest.fixture(scope="session")
def tf_testdata() -> Path:
    """tests/data/tf: checkpoints written by real TensorFlow (see its README.md and MANIFEST.md)."""
    testdata("MANIFEST.md")
    return testdata()


# ---------------------------------------------------------------------------
# Bundles through bundle_tool: specs (what to write) and what the reader returns.
# ---------------------------------------------------------------------------


def numpy_dtype(name: str):
    """numpy dtype holding the bytes of TF dtype `name` (quantized types as their integer base)."""
    import numpy as np

    plain = {
        "float16": np.float16, "float32": np.float32, "float64": np.float64,
        "int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64,
        "uint8": np.uint8, "uint16": np.uint16, "uint32": np.uint32, "uint64": np.uint64,
        "bool": np.bool_, "complex64": np.complex64, "complex128": np.complex128,
        "qint8": np.int8, "quint8": np.uint8, "qint16": np.int16, "quint16": np.uint16, "qint32": np.int32,
    }
    if name in plain:
        return np.dtype(plain[name])
    import ml_dtypes  # bfloat16, float8_*, int4, ... (installed with TensorFlow)

    return np.dtype(getattr(ml_dtypes, name))


def _key_fields(key) -> dict:
    import base64

    if isinstance(key, str):
        return {"key": key}
    return {"key_b64": base64.b64encode(key).decode()}


class BundleSpec:
    """Tensors to write with `bundle_tool write` (manifest.json + raw files), in Add() order."""

    def __init__(self):
        self.entries: list[dict] = []
        self._files: dict[str, bytes] = {}

    def _file(self, data: bytes, ext: str) -> str:
        name = f"f{len(self._files):05d}.{ext}"
        self._files[name] = data
        return name

    def add(self, key, dtype: str, array) -> None:
        """A whole tensor; `array` is a numpy array (its bytes and shape are used) or, for
        dtype "string", a numpy object array / nested list of bytes."""
        import numpy as np

        if dtype == "string":
            arr = np.array(array, dtype=object)
            self.entries.append({**_key_fields(key), "dtype": dtype, "shape": list(arr.shape),
                                 "strings_file": self._strings(arr.reshape(-1).tolist())})
            return
        arr = np.asarray(array)
        self.entries.append({**_key_fields(key), "dtype": dtype, "shape": list(arr.shape),
                             "file": self._file(arr.tobytes(order="C"), "bin")})

    def add_slice(self, key, dtype: str, full_shape, slice_spec: str, array) -> None:
        """One slice (BundleWriter::AddSlice); `array` holds the slice's own data."""
        import numpy as np

        entry = {**_key_fields(key), "dtype": dtype, "full_shape": list(full_shape), "slice": slice_spec}
        if dtype == "string":
            entry["strings_file"] = self._strings(np.array(array, dtype=object).reshape(-1).tolist())
        else:
            entry["file"] = self._file(np.asarray(array).tobytes(order="C"), "bin")
        self.entries.append(entry)

    def _strings(self, values) -> str:
        import base64

        return self._file(json.dumps([base64.b64encode(v).decode() for v in values]).encode(), "json")

    def write(self, spec_dir: Path) -> Path:
        spec_dir = Path(spec_dir)
        spec_dir.mkdir(parents=True, exist_ok=True)
        for name, data in self._files.items():
            (spec_dir / name).write_bytes(data)
        (spec_dir / "manifest.json").write_text(json.dumps(self.entries, indent=1))
        return spec_dir


class ReadTensor:
    """One key as `bundle_tool read` returned it."""

    def __init__(self, entry: dict, out_dir: Path):
        import base64

        self.key: bytes = base64.b64decode(entry["key_b64"])
        self.dtype: str = entry["dtype"]
        self.shape: list[int] = entry["shape"]
        self.slices: list[str] = entry.get("slices", [])
        self.error: str | None = entry.get("error")
        self.data: bytes | None = (out_dir / entry["file"]).read_bytes() if "file" in entry else None
        self.strings: list[bytes] | None = None
        if "strings_file" in entry:
            self.strings = [base64.b64decode(s) for s in json.loads((out_dir / entry["strings_file"]).read_text())]
        self.entry = entry

    def array(self):
        import numpy as np

        if self.strings is not None:
            return np.array(self.strings, dtype=object).reshape(self.shape)
        return np.frombuffer(self.data, dtype=numpy_dtype(self.dtype)).reshape(self.shape)


class Bundles:
    """bundle_tool write / read / read_slice / merge."""

    def __init__(self, tool: Tool):
        self.tool = tool

    def write(self, spec: BundleSpec, spec_dir: Path, prefix, alignment: int | None = None) -> None:
        spec.write(spec_dir)
        extra = ["--alignment", str(alignment)] if alignment else []
        self.tool.ok("write", spec_dir, prefix, *extra)

    def read(self, prefix, out_dir: Path, allow_errors: bool = False) -> dict[bytes, ReadTensor]:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        proc = self.tool.run("read", prefix, out_dir)
        if not allow_errors:
            assert proc.returncode == 0, f"bundle_tool read {prefix}: {proc.stderr.decode(errors='replace')}"
        manifest = json.loads((out_dir / "manifest.json").read_text())
        return {t.key: t for t in (ReadTensor(e, out_dir) for e in manifest)}

    def read_slice(self, prefix, key: str, slice_spec: str, out_file: Path) -> bytes:
        self.tool.ok("read_slice", prefix, key, slice_spec, out_file)
        return Path(out_file).read_bytes()

    def merge(self, out_prefix, inputs) -> None:
        self.tool.ok("merge", out_prefix, *inputs)


@pytest.fixture(scope="session")
def bundles(bundle_tool) -> Bundles:
    return Bundles(bundle_tool)


# The helpers above as fixtures, so test modules need not import conftest (several conftest.py
# files may be collected in one run).
@pytest.fixture(scope="session")
def BundleSpecClass():  # noqa: N802 - it is a class
    return BundleSpec


@pytest.fixture(scope="session")
def np_dtype():
    return numpy_dtype
