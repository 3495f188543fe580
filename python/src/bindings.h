// Shared declarations of the binding files (python/src/*.cc), one per concept:
//   status.cc            Status -> exception (via ckpt.errors)
//   tensor.cc            ckpt::Tensor <-> numpy arrays, dtype facts
//   trackable.cc         Trackable / Module / containers / the array-backed Variable
//   checkpoint.cc        Checkpoint and its load status
//   checkpoint_state.cc  the `checkpoint` state file functions
//   reader.cc            CheckpointReader, load_checkpoint, list/load_variable
//   saver.cc             the TF1 name-based Saver
//   checkpoint_manager.cc  CheckpointManager
//   communicator.cc      the C++ Communicator over a ckpt.distributed one (mpi4py, torch)
//   sharded_variable.cc  ShardedVariable: this process's block of a global tensor
// Every call that does file I/O releases the GIL (nb::gil_scoped_release);
// code that calls back into Python from such a call re-acquires it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nanobind/nanobind.h>

#include "ckpt/checkpoint.h"
#include "ckpt/distributed.h"
#include "ckpt/status.h"
#include "ckpt/variable.h"
#include "ckpt/tensor.h"

namespace ckpt_py {
namespace nb = nanobind;

// Raises the Python exception for a non-OK status (ckpt.errors decides which
// class: the only place codes become exceptions). `api` names the Python API
// being served ("restore", "load_checkpoint", ...) so ckpt.errors can raise
// ValueError/AssertionError where TensorFlow does.
[[noreturn]] void ThrowStatus(const ckpt::Status& status, const char* api = "");
inline void ThrowIfError(const ckpt::Status& status, const char* api = "") {
  if (!status.ok()) ThrowStatus(status, api);
}
template <typename T>
T ValueOrThrow(ckpt::Result<T> result, const char* api = "") {
  if (!result.ok()) ThrowStatus(result.status(), api);
  return std::move(result).value();
}

// A Tensor handed to Python as (dtype enum, shape tuple, payload): payload is
// a uint8 numpy array that owns the tensor's bytes (no copy) for fixed-size
// dtypes, or a list of bytes for strings. ckpt/_arrays.py turns it into a
// typed numpy array. Needs the GIL.
nb::tuple TensorToPython(ckpt::Tensor tensor);
nb::tuple ShapeToPython(const ckpt::TensorShape& shape);
ckpt::TensorShape ShapeFromPython(const std::vector<int64_t>& dims);

// checkpoint.cc: a ckpt.CheckpointOptions (any object with TF's attribute
// names, or None) as C++ options; `sync` = fsync files.
ckpt::CheckpointOptions CheckpointOptionsFromPython(nb::handle options, bool sync);
// checkpoint.cc: whether the C++ CheckpointOptions has `communicator` (a
// distributed Checkpoint); without it a communicator of size > 1 is Unimplemented.
bool HasDistributedCheckpoint();
// checkpoint.cc: the C++ Checkpoint inside a ckpt._ckpt._Checkpoint.
ckpt::Checkpoint& NativeCheckpoint(nb::handle py_checkpoint);
// trackable.cc: a C++ Variable over the same memory as a ckpt.Variable (for
// APIs that read a ckpt::Variable, e.g. CheckpointManager's step_counter).
std::unique_ptr<ckpt::Variable> BorrowPyVariable(nb::handle py_variable);

// communicator.cc: the C++ Communicator of a ckpt.distributed.Communicator
// (made on first use, owned by the Python object: keep that alive while a
// save uses it). For CheckpointOptions(communicator=...).
ckpt::Communicator* NativeCommunicator(nb::handle py_communicator);

void RegisterStatus(nb::module_& m);
void RegisterTensor(nb::module_& m);
void RegisterTrackable(nb::module_& m);
void RegisterCheckpoint(nb::module_& m);
void RegisterCheckpointState(nb::module_& m);
void RegisterReader(nb::module_& m);
void RegisterSaver(nb::module_& m);
void RegisterCheckpointManager(nb::module_& m);
void RegisterCommunicator(nb::module_& m);
void RegisterShardedVariable(nb::module_& m);

}  // namespace ckpt_py
