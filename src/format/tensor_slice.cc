#include "ckpt/tensor_slice.h"

#include <charconv>

namespace ckpt {
namespace {

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && p == end;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    const size_t next = s.find(sep, pos);
    out.push_back(s.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return out;
}

}  // namespace

TensorSlice TensorSlice::Full(int rank) { return TensorSlice(std::vector<Extent>(rank)); }

bool TensorSlice::IsFull() const {
  for (const Extent& e : extents_) {
    if (e.length != kFullExtent) return false;
  }
  return true;
}

Result<TensorSlice> TensorSlice::Parse(std::string_view spec) {
  std::vector<Extent> extents;
  if (spec.empty()) return TensorSlice();
  for (std::string_view item : Split(spec, ':')) {
    if (item == "-") {
      extents.push_back(Extent{});
      continue;
    }
    const auto parts = Split(item, ',');
    Extent e;
    if (parts.size() != 2 || !ParseInt64(parts[0], &e.start) || !ParseInt64(parts[1], &e.length) ||
        e.start < 0 || e.length <= 0) {
      return InvalidArgumentError("invalid tensor slice specification \"" + std::string(spec) + "\" (at \"" +
                                  std::string(item) + "\"; expected \"start,length\" or \"-\")");
    }
    extents.push_back(e);
  }
  return TensorSlice(std::move(extents));
}

Result<std::pair<TensorShape, TensorSlice>> TensorSlice::ParseShapeAndSlice(std::string_view s) {
  auto parts = Split(s, ' ');
  if (parts.empty() || parts.size() < 2) {
    return InvalidArgumentError("invalid shape_and_slice \"" + std::string(s) +
                                "\": expected \"<dim> ... <slice spec>\"");
  }
  std::vector<int64_t> dims;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    int64_t d;
    if (!ParseInt64(parts[i], &d) || d < 0) {
      return InvalidArgumentError("invalid dimension \"" + std::string(parts[i]) + "\" in shape_and_slice \"" +
                                  std::string(s) + "\"");
    }
    dims.push_back(d);
  }
  auto shape = TensorShape::Make(dims);
  if (!shape.ok()) return shape.status();
  auto slice = Parse(parts.back());
  if (!slice.ok()) return slice.status();
  Status fits = slice->CheckFits(*shape);
  if (!fits.ok()) return fits;
  return std::make_pair(*std::move(shape), *std::move(slice));
}

Status TensorSlice::CheckFits(const TensorShape& full) const {
  if (rank() != full.rank()) {
    return InvalidArgumentError("slice " + ToString() + " has rank " + std::to_string(rank()) +
                                " but the tensor shape " + full.ToString() + " has rank " +
                                std::to_string(full.rank()));
  }
  for (int d = 0; d < rank(); ++d) {
    if (IsFullAt(d)) continue;
    const Extent& e = extents_[d];
    if (e.start < 0 || e.length < 0 || e.start > full.dim(d) || e.length > full.dim(d) - e.start) {
      return InvalidArgumentError("slice " + ToString() + " does not fit in shape " + full.ToString() +
                                  " (dimension " + std::to_string(d) + ")");
    }
  }
  return OkStatus();
}

TensorShape TensorSlice::SliceShape(const TensorShape& full) const {
  std::vector<int64_t> dims(rank());
  for (int d = 0; d < rank(); ++d) dims[d] = ResolvedLength(d, full);
  return TensorShape(std::move(dims));
}

std::string TensorSlice::ToString() const {
  std::string s;
  for (int d = 0; d < rank(); ++d) {
    if (d) s += ":";
    if (IsFullAt(d)) {
      s += "-";
    } else {
      s += std::to_string(extents_[d].start) + "," + std::to_string(extents_[d].length);
    }
  }
  return s;
}

}  // namespace ckpt
