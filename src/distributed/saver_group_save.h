// The distributed layer's implementation of saver::GroupSave (the Saver's
// interface to the save protocol; see saver/group_save.h for why it is
// inverted). Installed by communicator.cc when the library loads.
#pragma once

namespace ckpt::distributed {

// Installs the implementation into the saver layer. Idempotent; returns true.
bool InstallSaverGroupSave();

}  // namespace ckpt::distributed
