// NamedView: one value of a save, by key. The graph layer lists a save's
// values this way and the async layer stages and writes the same list, so
// no layer converts between look-alike structs.
#pragma once

#include <string>

#include "ckpt/tensor.h"

namespace ckpt {

struct NamedView {
  std::string key;
  TensorView view;
};

}  // namespace ckpt
