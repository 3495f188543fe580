#include "format/bundle_entry.h"

#include <cstdio>
#include <limits>

#include "ckpt/status_macros.h"
#include "format/slice_key.h"

namespace ckpt::format {

void ShapeToProto(const TensorShape& shape, proto::TensorShapeProto* out) {
  out->Clear();
  for (int64_t d : shape.dims()) out->add_dim()->set_size(d);
}

TensorShape ShapeFromProtoUnchecked(const proto::TensorShapeProto& p) {
  std::vector<int64_t> dims;
  for (const auto& d : p.dim()) dims.push_back(d.size());
  return TensorShape(std::move(dims));
}

Result<TensorShape> ShapeFromProto(const proto::TensorShapeProto& p) {
  if (p.unknown_rank()) return DataLossError("shape has unknown rank");
  if (p.dim_size() > kMaxTensorRank) return DataLossError("shape has " + std::to_string(p.dim_size()) + " dimensions");
  std::vector<int64_t> dims;
  dims.reserve(p.dim_size());
  for (const auto& d : p.dim()) dims.push_back(d.size());
  auto shape = TensorShape::Make(dims);
  if (!shape.ok()) return DataLossError(shape.status().message());
  return shape;
}

void SliceToProto(const TensorSlice& slice, proto::TensorSliceProto* out) {
  out->Clear();
  for (const auto& e : slice.extents()) {
    auto* pe = out->add_extent();
    if (e.length != TensorSlice::kFullExtent) {
      pe->set_start(e.start);
      pe->set_length(e.length);
    }
  }
}

Result<TensorSlice> SliceFromProto(const proto::TensorSliceProto& p) {
  if (p.extent_size() > kMaxTensorRank) return DataLossError("slice has too many dimensions");
  std::vector<TensorSlice::Extent> extents;
  for (const auto& pe : p.extent()) {
    TensorSlice::Extent e;
    if (pe.has_length()) {
      e.start = pe.start();
      e.length = pe.length();
      if (e.start < 0 || e.length < 0) return DataLossError("slice has a negative start or length");
    }
    extents.push_back(e);
  }
  return TensorSlice(std::move(extents));
}

Result<TensorInfo> ParseEntry(std::string key, std::string_view value, int32_t num_shards) {
  proto::BundleEntryProto entry;
  if (!entry.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return DataLossError("index entry does not parse as a BundleEntryProto");
  }
  TensorInfo info;
  info.key = std::move(key);
  if (!IsKnownDType(entry.dtype())) return DataLossError("unknown dtype number " + std::to_string(entry.dtype()));
  info.dtype = static_cast<DType>(entry.dtype());
  if (!IsStorableDType(info.dtype) && info.dtype != DType::kVariant) {
    return DataLossError("dtype " + std::string(DTypeName(info.dtype)) + " cannot be stored in a bundle");
  }
  CKPT_ASSIGN_OR_RETURN(info.shape, ShapeFromProto(entry.shape()));
  info.shard_id = entry.shard_id();
  info.offset = entry.offset();
  info.size = entry.size();
  info.masked_crc32c = entry.crc32c();
  for (const auto& ps : entry.slices()) {
    CKPT_ASSIGN_OR_RETURN(TensorSlice slice, SliceFromProto(ps));
    if (Status s = slice.CheckFits(info.shape); !s.ok()) return DataLossError(s.message());
    info.slices.push_back(std::move(slice));
  }
  if (!info.slices.empty()) return info;  // data lives under the slice keys
  if (info.shard_id < 0 || info.shard_id >= num_shards) {
    return DataLossError("shard_id " + std::to_string(info.shard_id) + " is outside [0, " +
                         std::to_string(num_shards) + ")");
  }
  if (info.offset < 0 || info.size < 0) return DataLossError("negative offset or size");
  if (info.offset > std::numeric_limits<int64_t>::max() - info.size) {
    return DataLossError("offset + size overflows int64");
  }
  const int64_t n = info.shape.num_elements();
  const size_t esize = DTypeSize(info.dtype);
  if (esize > 0) {
    if (n > std::numeric_limits<int64_t>::max() / static_cast<int64_t>(esize) ||
        info.size != n * static_cast<int64_t>(esize)) {
      return DataLossError("entry size " + std::to_string(info.size) + " bytes does not match " +
                           std::string(DTypeName(info.dtype)) + " shape " + info.shape.ToString());
    }
  } else if (info.dtype == DType::kString && (info.size < n || info.size - n < 4)) {
    return DataLossError("string entry of " + std::to_string(n) + " elements cannot fit in " +
                         std::to_string(info.size) + " bytes");
  }
  return info;
}

std::string PrintableKey(std::string_view key) {
  bool plain = true;
  for (unsigned char c : key) plain &= c >= 0x20 && c < 0x7f && c != '\\';
  if (plain) return std::string(key);
  if (IsSliceKey(key)) {
    auto decoded = DecodeTensorNameSlice(key);
    if (decoded.ok()) return PrintableKey(decoded->name) + " [slice " + decoded->slice.ToString() + "]";
  }
  std::string out;
  for (unsigned char c : key) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[5];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace ckpt::format
