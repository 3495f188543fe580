#include "distributed/value_list.h"

#include <limits>

#include "base/coding.h"

namespace ckpt::distributed {
namespace {

constexpr std::string_view kMagic = "CKV1";

class Decoder {
 public:
  Decoder(std::string_view bytes, std::string_view source)
      : begin_(bytes.data()), p_(bytes.data()), end_(bytes.data() + bytes.size()), source_(source) {}

  bool Varint(uint64_t* v) { return coding::GetVarint64(&p_, end_, v); }
  bool Bytes(size_t n, std::string* out) {
    if (static_cast<size_t>(end_ - p_) < n) return false;
    out->assign(p_, n);
    p_ += n;
    return true;
  }
  bool done() const { return p_ == end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  Status Error(std::string_view what) const {
    return DataLossError("value list from " + std::string(source_) + ": " + std::string(what) + " at byte " +
                         std::to_string(p_ - begin_));
  }

 private:
  const char* begin_;
  const char* p_;
  const char* end_;
  std::string_view source_;
};

}  // namespace

std::vector<ValueDesc> DescribeValues(std::span<const NamedView> values) {
  std::vector<ValueDesc> out;
  out.reserve(values.size());
  for (const NamedView& v : values) {
    ValueDesc d;
    d.key = v.key;
    d.dtype = v.view.dtype;
    d.full_shape = v.slice ? v.slice->full_shape : v.view.shape;
    d.slice = v.slice ? v.slice->slice : TensorSlice::Full(v.view.shape.rank());
    if (v.view.dtype == DType::kString) {
      // Lengths (about a byte each), the 4-byte checksum, the bytes.
      d.bytes = 4 + v.view.strings.size();
      for (std::string_view e : v.view.strings) d.bytes += e.size();
    } else {
      d.bytes = v.view.byte_size();
    }
    out.push_back(std::move(d));
  }
  return out;
}

bool IsEmptyShare(const NamedView& value) {
  return value.slice && value.view.shape.num_elements() == 0 && value.slice->full_shape.num_elements() > 0;
}

std::string EncodeValueList(std::span<const ValueDesc> values) {
  std::string out(kMagic);
  coding::PutVarint64(&out, values.size());
  for (const ValueDesc& v : values) {
    coding::PutVarint64(&out, v.key.size());
    out += v.key;
    coding::PutVarint64(&out, static_cast<uint32_t>(v.dtype));
    coding::PutVarint64(&out, static_cast<uint64_t>(v.full_shape.rank()));
    for (int64_t d : v.full_shape.dims()) coding::PutVarint64(&out, static_cast<uint64_t>(d));
    for (int d = 0; d < v.slice.rank(); ++d) {
      const bool full = v.slice.IsFullAt(d);
      coding::PutVarint64(&out, full ? 0 : static_cast<uint64_t>(v.slice.start(d)));
      coding::PutVarint64(&out, full ? 0 : static_cast<uint64_t>(v.slice.length(d)) + 1);
    }
    coding::PutVarint64(&out, v.bytes);
  }
  return out;
}

Result<std::vector<ValueDesc>> DecodeValueList(std::string_view bytes, std::string_view source) {
  if (bytes.substr(0, kMagic.size()) != kMagic) {
    return DataLossError("value list from " + std::string(source) + ": bad magic (not a ckpt value list)");
  }
  Decoder in(bytes.substr(kMagic.size()), source);
  constexpr uint64_t kMaxInt64 = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t count;
  if (!in.Varint(&count)) return in.Error("truncated count");
  // Each value takes at least 5 bytes; a larger count is corrupt.
  if (count > in.remaining() / 5) return in.Error("count " + std::to_string(count) + " exceeds the bytes present");
  std::vector<ValueDesc> out;
  out.reserve(static_cast<size_t>(count));
  for (uint64_t i = 0; i < count; ++i) {
    ValueDesc v;
    uint64_t key_len, dtype, rank;
    if (!in.Varint(&key_len)) return in.Error("truncated key length");
    if (key_len == 0 || key_len > kMaxValueKeyBytes) return in.Error("bad key length " + std::to_string(key_len));
    if (!in.Bytes(static_cast<size_t>(key_len), &v.key)) return in.Error("truncated key");
    if (!in.Varint(&dtype)) return in.Error("truncated dtype");
    if (dtype > std::numeric_limits<int32_t>::max() || !IsKnownDType(static_cast<int32_t>(dtype)) ||
        !IsStorableDType(static_cast<DType>(dtype))) {
      return in.Error("dtype " + std::to_string(dtype) + " cannot be stored");
    }
    v.dtype = static_cast<DType>(dtype);
    if (!in.Varint(&rank)) return in.Error("truncated rank");
    if (rank > static_cast<uint64_t>(kMaxTensorRank)) return in.Error("rank " + std::to_string(rank) + " too large");
    std::vector<int64_t> dims(static_cast<size_t>(rank));
    for (auto& d : dims) {
      uint64_t x;
      if (!in.Varint(&x) || x > kMaxInt64) return in.Error("bad dimension");
      d = static_cast<int64_t>(x);
    }
    auto shape = TensorShape::Make(dims);
    if (!shape.ok()) return in.Error(shape.status().message());
    v.full_shape = *std::move(shape);
    std::vector<TensorSlice::Extent> extents(static_cast<size_t>(rank));
    for (auto& e : extents) {
      uint64_t start, length1;
      if (!in.Varint(&start) || !in.Varint(&length1) || start > kMaxInt64 || length1 > kMaxInt64) {
        return in.Error("bad slice extent");
      }
      if (length1 == 0) {
        if (start != 0) return in.Error("full extent with a start");
        e = TensorSlice::Extent{};
      } else {
        e = TensorSlice::Extent{static_cast<int64_t>(start), static_cast<int64_t>(length1 - 1)};
      }
    }
    v.slice = TensorSlice(std::move(extents));
    if (Status fits = v.slice.CheckFits(v.full_shape); !fits.ok()) {
      return in.Error("key \"" + v.key + "\": " + fits.message());
    }
    if (!in.Varint(&v.bytes)) return in.Error("truncated byte count");
    out.push_back(std::move(v));
  }
  if (!in.done()) return in.Error("trailing bytes");
  return out;
}

}  // namespace ckpt::distributed
