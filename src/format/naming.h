// File naming of tensor bundles (the one module that owns it).
#pragma once

#include <string>
#include <string_view>

namespace ckpt::format {

// "<path>.tempstate<random decimal uint64>", TF's temporary-file spelling.
std::string TempStateName(std::string_view path);

// 32 random lowercase hex digits (a uuid4-like token).
std::string RandomHex32();

}  // namespace ckpt::format
