// Checksum fix-ups (support/entry_checksums.h).
#include "support/entry_checksums.h"

#include "base/coding.h"
#include "ckpt/dtype.h"
#include "ckpt/proto/tensor_bundle.pb.h"

namespace ckpt::fuzz {

void FixStringEncoding(std::string* bytes, int64_t n, crc32c::Crc* entry_crc) {
  const char* p = bytes->data();
  const char* limit = p + bytes->size();
  crc32c::Crc lengths;
  for (int64_t i = 0; i < n; ++i) {
    uint64_t len;
    if (!coding::GetVarint64(&p, limit, &len)) return;
    char len_bytes[8];
    if (len <= 0xffffffffu) {
      coding::EncodeFixed32(len_bytes, static_cast<uint32_t>(len));
      lengths = crc32c::Extend(lengths, len_bytes, 4);
    } else {
      coding::EncodeFixed64(len_bytes, len);
      lengths = crc32c::Extend(lengths, len_bytes, 8);
    }
  }
  if (limit - p < 4) return;
  const size_t at = static_cast<size_t>(p - bytes->data());
  const crc32c::MaskedCrc m = crc32c::Mask(lengths);
  coding::EncodeFixed32(bytes->data() + at, m.value);
  crc32c::Crc c = crc32c::Extend(lengths, bytes->data() + at, 4);
  c = crc32c::Extend(c, bytes->data() + at + 4, bytes->size() - at - 4);
  *entry_crc = c;
}

void FixEntryCrcs(KeyValues* kvs, std::vector<std::string>* data) {
  for (size_t i = 1; i < kvs->size(); ++i) {
    proto::BundleEntryProto e;
    if (!e.ParseFromString((*kvs)[i].second) || e.slices_size() > 0) continue;
    if (e.shard_id() < 0 || static_cast<size_t>(e.shard_id()) >= data->size()) continue;
    std::string& d = (*data)[static_cast<size_t>(e.shard_id())];
    if (e.offset() < 0 || e.size() < 0 || static_cast<uint64_t>(e.offset()) > d.size() ||
        static_cast<uint64_t>(e.size()) > d.size() - static_cast<uint64_t>(e.offset())) {
      continue;
    }
    crc32c::Crc crc = crc32c::Value(d.data() + e.offset(), static_cast<size_t>(e.size()));
    if (e.dtype() == static_cast<int>(DType::kString)) {
      int64_t n = 1;
      for (const auto& dim : e.shape().dim()) {
        n = dim.size() >= 0 && dim.size() < (1 << 20) && n <= (1 << 20) ? n * dim.size() : -1;
        if (n < 0) break;
      }
      if (n < 0 || n > (1 << 20)) continue;
      std::string piece = d.substr(static_cast<size_t>(e.offset()), static_cast<size_t>(e.size()));
      FixStringEncoding(&piece, n, &crc);
      d.replace(static_cast<size_t>(e.offset()), piece.size(), piece);
    }
    e.set_crc32c(crc32c::Mask(crc).value);
    (*kvs)[i].second = e.SerializeAsString();
  }
}

}  // namespace ckpt::fuzz
