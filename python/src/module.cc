// The extension module ckpt._ckpt: one register function per concept.
#include "bindings.h"

NB_MODULE(_ckpt, m) {
  m.doc() = "Native core of the ckpt package (use the `ckpt` package, not this module).";
  ckpt_py::RegisterStatus(m);
  ckpt_py::RegisterTensor(m);
  ckpt_py::RegisterTrackable(m);
  ckpt_py::RegisterCheckpoint(m);
  ckpt_py::RegisterCheckpointState(m);
  ckpt_py::RegisterReader(m);
  ckpt_py::RegisterSaver(m);
  ckpt_py::RegisterCheckpointManager(m);
  ckpt_py::RegisterCommunicator(m);
  ckpt_py::RegisterShardedVariable(m);
}
