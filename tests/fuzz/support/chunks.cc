// Unpack / Pack (support/chunks.h).
#include "support/chunks.h"

#include <algorithm>
#include <cstdint>

#include "base/coding.h"

namespace ckpt::fuzz {

std::vector<std::string> Unpack(const std::string& in, size_t max_chunks) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (in.size() - pos >= 4 && out.size() < max_chunks) {
    const uint32_t len = coding::DecodeFixed32(in.data() + pos);
    pos += 4;
    const size_t take = std::min<size_t>(len, in.size() - pos);
    out.push_back(in.substr(pos, take));
    pos += take;
  }
  return out;
}

std::string Pack(const std::vector<std::string>& chunks) {
  std::string out;
  for (const auto& c : chunks) {
    coding::PutFixed32(&out, static_cast<uint32_t>(c.size()));
    out += c;
  }
  return out;
}

}  // namespace ckpt::fuzz
