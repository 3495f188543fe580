// Inputs made of several files: (u32 LE length, bytes)* chunks, as the
// bundle, checkpoint_reader and v1_table targets take them.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ckpt::fuzz {

// At most `max_chunks` chunks. A length running past the end takes what is
// left; a tail shorter than 4 bytes is ignored.
std::vector<std::string> Unpack(const std::string& in, size_t max_chunks);

std::string Pack(const std::vector<std::string>& chunks);

}  // namespace ckpt::fuzz
