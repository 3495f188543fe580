// NamedView: one value of a save, by key. The graph layer lists a save's
// values this way and the async layer stages and writes the same list, so
// no layer converts between look-alike structs.
#pragma once

#include <optional>
#include <string>

#include "ckpt/tensor.h"
#include "ckpt/tensor_slice.h"

namespace ckpt {

struct NamedView {
  std::string key;
  TensorView view;
  // Set when `view` is one slice of a larger tensor stored under `key`
  // (written with BundleWriter::AddSlice).
  std::optional<SaveSliceInfo> slice;
};

}  // namespace ckpt
