// V1 (TensorSliceWriter) tables: reading and writing. Element values live in
// the typed repeated fields of a TensorProto; every count, dtype, shape and
// slice read from a file is checked before it is used.
#include "format/v1_table.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <numeric>

#include "ckpt/status_macros.h"
#include "ckpt/proto/saved_tensor_slice.pb.h"
#include "ckpt/status_macros.h"
#include "format/bundle_entry.h"
#include "format/index_table.h"
#include "format/slice_copy.h"
#include "format/slice_key.h"
#include "io/atomic_file.h"

namespace ckpt::format {
namespace {

template <typename Dst, typename Src>
void NarrowCopy(const Src* src, int64_t n, void* dst) {
  Dst* out = static_cast<Dst*>(dst);
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<Dst>(src[i]);
}

template <typename Field, typename Src>
void AppendAll(Field* field, const Src* src, int64_t n) {
  field->Reserve(static_cast<int>(n));
  for (int64_t i = 0; i < n; ++i) field->Add(src[i]);
}

// Number of values the typed field for `dtype` holds (complex: scalars / 2).
int64_t StoredCount(const proto::TensorProto& t, DType dtype) {
  switch (dtype) {
    case DType::kFloat: return t.float_val_size();
    case DType::kDouble: return t.double_val_size();
    case DType::kInt32:
    case DType::kQInt32:
    case DType::kInt16:
    case DType::kInt8:
    case DType::kUInt8:
    case DType::kUInt16:
    case DType::kQInt8:
    case DType::kQUInt8:
    case DType::kQUInt16: return t.int_val_size();
    case DType::kInt64: return t.int64_val_size();
    case DType::kUInt32: return t.uint32_val_size();
    case DType::kUInt64: return t.uint64_val_size();
    case DType::kBool: return t.bool_val_size();
    case DType::kHalf: return t.half_val_size();
    case DType::kComplex64: return t.scomplex_val_size() / 2 + t.scomplex_val_size() % 2;
    case DType::kComplex128: return t.dcomplex_val_size() / 2 + t.dcomplex_val_size() % 2;
    case DType::kString: return t.string_val_size();
    default: return -1;
  }
}

// Decodes exactly `n` fixed-size elements of `dtype` into dst (n * size bytes).
void DecodeFixed(const proto::TensorProto& t, DType dtype, int64_t n, void* dst) {
  switch (dtype) {
    case DType::kFloat: std::memcpy(dst, t.float_val().data(), n * 4); break;
    case DType::kDouble: std::memcpy(dst, t.double_val().data(), n * 8); break;
    case DType::kInt32:
    case DType::kQInt32: std::memcpy(dst, t.int_val().data(), n * 4); break;
    case DType::kInt16: NarrowCopy<int16_t>(t.int_val().data(), n, dst); break;
    case DType::kInt8:
    case DType::kQInt8: NarrowCopy<int8_t>(t.int_val().data(), n, dst); break;
    case DType::kUInt8:
    case DType::kQUInt8: NarrowCopy<uint8_t>(t.int_val().data(), n, dst); break;
    case DType::kUInt16:
    case DType::kQUInt16: NarrowCopy<uint16_t>(t.int_val().data(), n, dst); break;
    case DType::kInt64: std::memcpy(dst, t.int64_val().data(), n * 8); break;
    case DType::kUInt32: std::memcpy(dst, t.uint32_val().data(), n * 4); break;
    case DType::kUInt64: std::memcpy(dst, t.uint64_val().data(), n * 8); break;
    case DType::kBool: {
      uint8_t* out = static_cast<uint8_t*>(dst);
      for (int64_t i = 0; i < n; ++i) out[i] = t.bool_val(static_cast<int>(i)) ? 1 : 0;
      break;
    }
    case DType::kHalf: NarrowCopy<uint16_t>(t.half_val().data(), n, dst); break;
    case DType::kComplex64: std::memcpy(dst, t.scomplex_val().data(), n * 8); break;
    case DType::kComplex128: std::memcpy(dst, t.dcomplex_val().data(), n * 16); break;
    default: break;
  }
}

// TF's Fill(): the elements of `view` into the typed field of its dtype.
void EncodeValues(const TensorView& view, proto::TensorProto* t) {
  const int64_t n = view.shape.num_elements();
  const void* p = view.data;
  switch (view.dtype) {
    case DType::kFloat: AppendAll(t->mutable_float_val(), static_cast<const float*>(p), n); break;
    case DType::kDouble: AppendAll(t->mutable_double_val(), static_cast<const double*>(p), n); break;
    case DType::kInt32:
    case DType::kQInt32: AppendAll(t->mutable_int_val(), static_cast<const int32_t*>(p), n); break;
    case DType::kInt16: AppendAll(t->mutable_int_val(), static_cast<const int16_t*>(p), n); break;
    case DType::kInt8:
    case DType::kQInt8: AppendAll(t->mutable_int_val(), static_cast<const int8_t*>(p), n); break;
    case DType::kUInt8:
    case DType::kQUInt8: AppendAll(t->mutable_int_val(), static_cast<const uint8_t*>(p), n); break;
    case DType::kUInt16:
    case DType::kQUInt16: AppendAll(t->mutable_int_val(), static_cast<const uint16_t*>(p), n); break;
    case DType::kInt64: AppendAll(t->mutable_int64_val(), static_cast<const int64_t*>(p), n); break;
    case DType::kUInt32: AppendAll(t->mutable_uint32_val(), static_cast<const uint32_t*>(p), n); break;
    case DType::kUInt64: AppendAll(t->mutable_uint64_val(), static_cast<const uint64_t*>(p), n); break;
    case DType::kBool: {
      const uint8_t* b = static_cast<const uint8_t*>(p);
      t->mutable_bool_val()->Reserve(static_cast<int>(n));
      for (int64_t i = 0; i < n; ++i) t->add_bool_val(b[i] != 0);
      break;
    }
    case DType::kHalf: AppendAll(t->mutable_half_val(), static_cast<const uint16_t*>(p), n); break;
    case DType::kComplex64: AppendAll(t->mutable_scomplex_val(), static_cast<const float*>(p), 2 * n); break;
    case DType::kComplex128: AppendAll(t->mutable_dcomplex_val(), static_cast<const double*>(p), 2 * n); break;
    case DType::kString:
      for (int64_t i = 0; i < n; ++i) t->add_string_val(std::string(view.strings[static_cast<size_t>(i)]));
      break;
    default: break;
  }
}

bool SlicesOverlap(const TensorSlice& a, const TensorSlice& b, const TensorShape& full) {
  return IntersectionVolume(a, b, full) > 0;
}

int64_t SliceVolume(const TensorSlice& s, const TensorShape& full) { return s.SliceShape(full).num_elements(); }

std::string DescribeSlice(const TensorSlice& s) { return s.rank() == 0 ? "<scalar>" : s.ToString(); }

}  // namespace

bool IsV1StorableDType(DType dtype) {
  switch (dtype) {
    case DType::kFloat:
    case DType::kDouble:
    case DType::kInt32:
    case DType::kUInt8:
    case DType::kInt16:
    case DType::kInt8:
    case DType::kString:
    case DType::kComplex64:
    case DType::kInt64:
    case DType::kBool:
    case DType::kQInt8:
    case DType::kQUInt8:
    case DType::kQInt32:
    case DType::kQUInt16:
    case DType::kUInt16:
    case DType::kComplex128:
    case DType::kHalf:
    case DType::kUInt32:
    case DType::kUInt64: return true;
    default: return false;
  }
}

std::string V1ShardedFilename(std::string_view filename, int shard, int num_shards) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "-%05d-of-%05d", shard, num_shards);
  return std::string(filename) + buf;
}

std::string V1ShardedFilespec(std::string_view filename, int num_shards) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "-\?\?\?\?\?-of-%05d", num_shards);
  return std::string(filename) + buf;
}

// ---------------------------------------------------------------- reader

class V1Reader::Impl {
 public:
  Impl(std::string pattern, FileSystem* fs) : pattern_(std::move(pattern)), fs_(fs) {}

  Status Init() {
    auto matched = fs_->GetMatchingPaths(pattern_);
    if (!matched.ok()) {
      return InvalidArgumentError("Failed to get matching files on " + pattern_ + ": " +
                                  matched.status().ToString());
    }
    if (matched->empty()) return NotFoundError("Failed to find any matching files for " + pattern_);
    files_ = *std::move(matched);
    tables_.resize(files_.size());
    std::map<std::string, size_t> by_name;
    for (size_t f = 0; f < files_.size(); ++f) {
      const std::string& fname = files_[f];
      auto file = fs_->NewRandomAccessFile(fname);
      if (!file.ok()) return file.status();
      CKPT_ASSIGN_OR_RETURN(tables_[f], ReadIndexTable(**file));
      const auto& kvs = tables_[f];
      proto::SavedTensorSlices sts;
      if (kvs.empty() || !kvs[0].first.empty() || !sts.ParseFromString(kvs[0].second) || !sts.has_meta()) {
        return DataLossError("Unable to open table file " + fname +
                             ": Failed to find the saved tensor slices at the beginning of the checkpoint file");
      }
      CKPT_RETURN_IF_ERROR(CheckVersions(sts.meta().versions(), fname));
      for (const auto& ssm : sts.meta().tensor()) CKPT_RETURN_IF_ERROR(Register(ssm, static_cast<int>(f), &by_name));
    }
    std::sort(tensors_.begin(), tensors_.end(),
              [](const V1TensorInfo& a, const V1TensorInfo& b) { return a.name < b.name; });
    return OkStatus();
  }

  const std::string& pattern() const { return pattern_; }
  const std::vector<std::string>& files() const { return files_; }
  const std::vector<V1TensorInfo>& List() const { return tensors_; }

  const V1TensorInfo* Find(std::string_view name) const {
    auto it = std::lower_bound(tensors_.begin(), tensors_.end(), name,
                               [](const V1TensorInfo& t, std::string_view n) { return t.name < n; });
    return it != tensors_.end() && it->name == name ? &*it : nullptr;
  }

  Result<const V1TensorInfo*> Get(std::string_view name) const {
    const V1TensorInfo* info = Find(name);
    if (info == nullptr) return NotFoundError(PrintableKey(name) + " not found in checkpoint file " + pattern_);
    return info;
  }

  Result<Tensor> ReadSlice(const V1TensorInfo& info, const TensorSlice& want) const {
    if (!IsV1StorableDType(info.dtype)) {
      return UnimplementedError("Data type not supported: " + std::string(DTypeName(info.dtype)) + " (tensor \"" +
                                PrintableKey(info.name) + "\" in " + pattern_ + ")");
    }
    CKPT_RETURN_IF_ERROR(want.CheckFits(info.shape));
    const TensorShape want_shape = want.SliceShape(info.shape);
    const int64_t want_n = want_shape.num_elements();
    int64_t covered = 0;
    for (const auto& s : info.slices) covered += IntersectionVolume(s, want, info.shape);
    if (covered < want_n) {
      return NotFoundError("Does not have sufficient slices for partitioned tensor \"" + PrintableKey(info.name) +
                           "\" to restore slice " + DescribeSlice(want) + " of " + info.shape.ToString() + " in " +
                           pattern_);
    }
    // Load and check every stored slice that contributes before allocating
    // the result: LoadSlice checks each record's element count against its
    // slice, so the result (at most the values those records hold) is
    // bounded by the file's size, not by the shape the metadata claims.
    std::vector<std::pair<size_t, proto::SavedTensorSlices>> parts;
    for (size_t i = 0; i < info.slices.size(); ++i) {
      if (want_n == 0 || IntersectionVolume(info.slices[i], want, info.shape) == 0) continue;
      CKPT_ASSIGN_OR_RETURN(proto::SavedTensorSlices sts, LoadSlice(info, i));
      parts.emplace_back(i, std::move(sts));
    }
    if (info.dtype == DType::kString) return ReadStringSlice(info, want, want_shape, parts);
    CKPT_ASSIGN_OR_RETURN(Tensor out, Tensor::MakeUninitialized(info.dtype, want_shape));
    if (want_n == 0) return out;
    const size_t esize = DTypeSize(info.dtype);
    for (const auto& [i, sts] : parts) {
      const TensorSlice& s = info.slices[i];
      const int64_t n = SliceVolume(s, info.shape);
      if (want_n == n && IntersectionVolume(s, want, info.shape) == n) {  // the same region
        DecodeFixed(sts.data().data(), info.dtype, n, out.data());
        continue;
      }
      std::vector<char> tmp(static_cast<size_t>(n) * esize);
      DecodeFixed(sts.data().data(), info.dtype, n, tmp.data());
      CopySliceOverlap(tmp.data(), s, out.data(), want, info.shape, esize);
    }
    return out;
  }

  Status VerifyAll() const {
    for (const auto& info : tensors_) {
      for (size_t i = 0; i < info.slices.size(); ++i) {
        auto sts = LoadSlice(info, i);
        if (!sts.ok()) return sts.status();
      }
    }
    return OkStatus();
  }

 private:
  Status CheckVersions(const proto::VersionDef& v, const std::string& fname) const {
    // TF's CheckVersions(versions, consumer = 1, min_producer = 0).
    if (v.producer() < 0) {
      return InvalidArgumentError("Checkpoint producer version " + std::to_string(v.producer()) +
                                  " below min producer 0 supported by TensorFlow. Please regenerate your checkpoint. (" +
                                  fname + ")");
    }
    if (v.min_consumer() > kV1CheckpointVersion) {
      return InvalidArgumentError("Checkpoint min consumer version " + std::to_string(v.min_consumer()) +
                                  " above current version 1 for TensorFlow. Please upgrade TensorFlow. (" + fname +
                                  ")");
    }
    for (int bad : v.bad_consumers()) {
      if (bad == kV1CheckpointVersion) {
        return InvalidArgumentError("Checkpoint disallows consumer version 1. Please upgrade TensorFlow. (" + fname +
                                    ")");
      }
    }
    return OkStatus();
  }

  Status Register(const proto::SavedSliceMeta& ssm, int file, std::map<std::string, size_t>* by_name) {
    const std::string& fname = files_[static_cast<size_t>(file)];
    auto bad = [&](const std::string& what) {
      return DataLossError("Unable to open table file " + fname + ": tensor \"" + PrintableKey(ssm.name()) + "\": " +
                           what);
    };
    if (ssm.name().empty()) return bad("empty tensor name");
    if (!IsKnownDType(ssm.type()) || ssm.type() == 0) return bad("unknown data type " + std::to_string(ssm.type()));
    auto shape = ShapeFromProto(ssm.shape());
    if (!shape.ok()) return bad(shape.status().message());
    auto [it, inserted] = by_name->emplace(ssm.name(), tensors_.size());
    if (inserted) {
      V1TensorInfo info;
      info.name = ssm.name();
      info.dtype = static_cast<DType>(ssm.type());
      info.shape = *shape;
      tensors_.push_back(std::move(info));
    }
    V1TensorInfo& info = tensors_[it->second];
    if (!(info.shape == *shape)) {
      return bad("Incompatible tensor shapes: " + info.shape.ToString() + " vs. " + shape->ToString());
    }
    if (info.dtype != static_cast<DType>(ssm.type())) {
      return bad("Incompatible tensor types: " + std::string(DTypeName(info.dtype)) + " vs. " +
                 std::string(DTypeName(static_cast<DType>(ssm.type()))));
    }
    for (const auto& sp : ssm.slice()) {
      auto slice = SliceFromProto(sp);
      if (!slice.ok()) return bad(slice.status().message());
      Status fits = slice->CheckFits(info.shape);
      if (!fits.ok()) return bad(fits.message());
      for (const auto& existing : info.slices) {
        if (SlicesOverlap(existing, *slice, info.shape) || (info.shape.num_elements() == 0 && existing == *slice)) {
          return bad("Overlapping slices: existing slice = " + DescribeSlice(existing) +
                     ", new slice = " + DescribeSlice(*slice));
        }
      }
      info.slices.push_back(*std::move(slice));
      info.slice_files.push_back(file);
    }
    return OkStatus();
  }

  // Finds, parses and checks the record of stored slice i of `info`.
  Result<proto::SavedTensorSlices> LoadSlice(const V1TensorInfo& info, size_t i) const {
    const TensorSlice& slice = info.slices[i];
    const int file = info.slice_files[i];
    const std::string& fname = files_[static_cast<size_t>(file)];
    const auto& kvs = tables_[static_cast<size_t>(file)];
    const std::string key = EncodeTensorNameSlice(info.name, slice);
    const std::string where = "tensor \"" + PrintableKey(info.name) + "\" slice " + DescribeSlice(slice) + " in " + fname;
    auto it = std::lower_bound(kvs.begin(), kvs.end(), key,
                               [](const KeyValue& kv, const std::string& k) { return kv.first < k; });
    if (it == kvs.end() || it->first != key) {
      return DataLossError("Failed to seek to the record for " + where);
    }
    proto::SavedTensorSlices sts;
    if (!sts.ParseFromString(it->second) || !sts.has_data()) {
      return DataLossError("Failed to parse the record for " + where);
    }
    if (sts.data().name() != info.name) {
      return DataLossError("The record for " + where + " names tensor \"" + PrintableKey(sts.data().name()) + "\"");
    }
    auto stored = SliceFromProto(sts.data().slice());
    if (!stored.ok() || !(*stored == slice)) {
      return DataLossError("The record for " + where + " holds a different slice");
    }
    const int64_t want = SliceVolume(slice, info.shape);
    const int64_t have = StoredCount(sts.data().data(), info.dtype);
    const bool complex_odd = (info.dtype == DType::kComplex64 && sts.data().data().scomplex_val_size() % 2) ||
                             (info.dtype == DType::kComplex128 && sts.data().data().dcomplex_val_size() % 2);
    if (have != want || complex_odd) {
      return DataLossError("The record for " + where + " holds " + std::to_string(have) + " values of type " +
                           std::string(DTypeName(info.dtype)) + ", expected " + std::to_string(want));
    }
    return sts;
  }

  // `parts`: the loaded records of the stored slices that intersect `want`.
  Result<Tensor> ReadStringSlice(const V1TensorInfo& info, const TensorSlice& want, const TensorShape& want_shape,
                                 const std::vector<std::pair<size_t, proto::SavedTensorSlices>>& parts) const {
    const int64_t want_n = want_shape.num_elements();
    std::vector<std::string> out(static_cast<size_t>(want_n));
    // Map element positions with the fixed-size copier: copy indices of the
    // stored slice's elements into an index array shaped like `want`.
    std::vector<int64_t> dst_index(static_cast<size_t>(want_n), -1);
    for (const auto& [i, sts] : parts) {
      const TensorSlice& s = info.slices[i];
      const int64_t n = SliceVolume(s, info.shape);
      std::vector<int64_t> src_index(static_cast<size_t>(n));
      std::iota(src_index.begin(), src_index.end(), 0);
      std::fill(dst_index.begin(), dst_index.end(), -1);
      CopySliceOverlap(src_index.data(), s, dst_index.data(), want, info.shape, sizeof(int64_t));
      const auto& vals = sts.data().data().string_val();
      for (int64_t j = 0; j < want_n; ++j) {
        const int64_t k = dst_index[static_cast<size_t>(j)];
        if (k >= 0) out[static_cast<size_t>(j)] = vals[static_cast<int>(k)];
      }
    }
    return Tensor::FromStrings(want_shape, std::move(out));
  }

  std::string pattern_;
  FileSystem* fs_;
  std::vector<std::string> files_;
  std::vector<std::vector<KeyValue>> tables_;
  std::vector<V1TensorInfo> tensors_;
};

V1Reader::V1Reader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
V1Reader::~V1Reader() = default;

Result<std::unique_ptr<V1Reader>> V1Reader::Open(const std::string& filepattern, FileSystem* fs) {
  auto impl = std::make_unique<Impl>(filepattern, fs != nullptr ? fs : FileSystem::Default());
  CKPT_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<V1Reader>(new V1Reader(std::move(impl)));
}

const std::string& V1Reader::filepattern() const { return impl_->pattern(); }
const std::vector<std::string>& V1Reader::files() const { return impl_->files(); }
const std::vector<V1TensorInfo>& V1Reader::List() const { return impl_->List(); }
bool V1Reader::HasTensor(std::string_view name) const { return impl_->Find(name) != nullptr; }
Result<V1TensorInfo> V1Reader::Lookup(std::string_view name) const {
  CKPT_ASSIGN_OR_RETURN(const V1TensorInfo* info, impl_->Get(name));
  return *info;
}

Result<Tensor> V1Reader::Read(std::string_view name) const {
  CKPT_ASSIGN_OR_RETURN(const V1TensorInfo* info, impl_->Get(name));
  return impl_->ReadSlice(*info, TensorSlice::Full(info->shape.rank()));
}

Result<Tensor> V1Reader::ReadSlice(std::string_view name, const TensorSlice& slice) const {
  CKPT_ASSIGN_OR_RETURN(const V1TensorInfo* info, impl_->Get(name));
  return impl_->ReadSlice(*info, slice);
}

Status V1Reader::VerifyAll() const { return impl_->VerifyAll(); }

// ---------------------------------------------------------------- writer

class V1Writer::Impl {
 public:
  Impl(std::string filename, Options options) : filename_(std::move(filename)), options_(options) {
    if (options_.fs == nullptr) options_.fs = FileSystem::Default();
    sts_.mutable_meta()->mutable_versions()->set_producer(kV1CheckpointVersion);
  }
  ~Impl() { Abandon(); }

  Status Add(std::string_view name, const TensorShape& shape, const TensorSlice& slice, const TensorView& view) {
    if (!status_.ok()) return status_;
    Status s = DoAdd(name, shape, slice, view);
    if (!s.ok()) status_ = s;
    return s;
  }

  Status Finish() {
    if (finished_) return status_;
    finished_ = true;
    if (!status_.ok()) return status_;
    status_ = DoFinish();
    return status_;
  }

  // Nothing is on disk before Finish(), which cleans up after itself.
  void Abandon() { finished_ = true; }

 private:
  Status DoAdd(std::string_view name, const TensorShape& shape, const TensorSlice& slice, const TensorView& view) {
    if (finished_) return FailedPreconditionError("V1Writer for " + filename_ + ": Add after Finish");
    const std::string what = "adding \"" + PrintableKey(name) + "\" to " + filename_;
    if (name.empty()) return InvalidArgumentError(what + ": empty tensor name");
    if (!IsV1StorableDType(view.dtype)) {
      return InvalidArgumentError(what + ": Saving data type " + std::string(DTypeName(view.dtype)) +
                                  " not yet supported");
    }
    auto valid = TensorShape::Make(shape.dims());
    if (!valid.ok()) return valid.status().WithContext(what);
    if (shape.rank() != slice.rank()) {
      return InvalidArgumentError(what + ": Incompatible tensor shape and slice: shape = " + shape.ToString() +
                                  ", slice = " + DescribeSlice(slice));
    }
    CKPT_RETURN_IF_ERROR(slice.CheckFits(shape).WithContext(what));
    const TensorShape slice_shape = slice.SliceShape(shape);
    if (!(view.shape == slice_shape)) {
      return InvalidArgumentError(what + ": the data has shape " + view.shape.ToString() + " but slice " +
                                  DescribeSlice(slice) + " of " + shape.ToString() + " has shape " +
                                  slice_shape.ToString());
    }
    const int64_t n = slice_shape.num_elements();
    if (view.dtype == DType::kString ? static_cast<int64_t>(view.strings.size()) != n
                                     : (n > 0 && view.data == nullptr)) {
      return InvalidArgumentError(what + ": the view holds no data for " + std::to_string(n) + " elements");
    }
    auto [it, inserted] = index_.emplace(std::string(name), sts_.meta().tensor_size());
    proto::SavedSliceMeta* ssm;
    if (inserted) {
      ssm = sts_.mutable_meta()->add_tensor();
      ssm->set_name(std::string(name));
      ShapeToProto(shape, ssm->mutable_shape());
      ssm->set_type(static_cast<int32_t>(view.dtype));
      slices_.emplace_back();
    } else {
      ssm = sts_.mutable_meta()->mutable_tensor(it->second);
      if (!(ShapeFromProtoUnchecked(ssm->shape()) == shape)) {
        return InvalidArgumentError(what + ": Mismatching shapes: existing tensor has shape " +
                                    ShapeFromProtoUnchecked(ssm->shape()).ToString() + ", new one " +
                                    shape.ToString());
      }
      if (ssm->type() != static_cast<int32_t>(view.dtype)) {
        return InvalidArgumentError(what + ": Mismatching types: existing type " +
                                    std::string(DTypeName(static_cast<DType>(ssm->type()))) + ", new type " +
                                    std::string(DTypeName(view.dtype)));
      }
      for (const auto& existing : slices_[static_cast<size_t>(it->second)]) {
        if (SlicesOverlap(existing, slice, shape) || existing == slice) {
          return InvalidArgumentError(what + ": Overlapping slices: existing slice = " + DescribeSlice(existing) +
                                      ", new slice = " + DescribeSlice(slice));
        }
      }
    }
    slices_[static_cast<size_t>(it->second)].push_back(slice);
    SliceToProto(slice, ssm->add_slice());

    proto::SavedTensorSlices sts;
    proto::SavedSlice* ss = sts.mutable_data();
    ss->set_name(std::string(name));
    SliceToProto(slice, ss->mutable_slice());
    EncodeValues(view, ss->mutable_data());
    if (sts.ByteSizeLong() > (size_t{1} << 31) - 1) {
      return InvalidArgumentError(what + ": Tensor slice is too large to serialize (" +
                                  std::to_string(sts.ByteSizeLong()) + " bytes)");
    }
    std::string value;
    if (!sts.SerializeToString(&value)) return InternalError(what + ": serialization failed");
    data_.emplace(EncodeTensorNameSlice(name, slice), std::move(value));
    return OkStatus();
  }

  Status DoFinish() {
    std::vector<KeyValue> entries;
    entries.reserve(data_.size() + 1);
    std::string meta;
    if (!sts_.SerializeToString(&meta)) return InternalError(filename_ + ": cannot serialize the V1 metadata");
    entries.emplace_back(std::string(), std::move(meta));
    for (auto& [k, v] : data_) entries.emplace_back(k, std::move(v));
    data_.clear();
    io::AtomicFileOptions ao;
    ao.sync = options_.sync;
    CKPT_ASSIGN_OR_RETURN(std::unique_ptr<io::AtomicFile> out, io::AtomicFile::Create(options_.fs, filename_, ao));
    CKPT_RETURN_IF_ERROR(WriteIndexTable(out->file(), entries));
    return out->Commit();
  }

  std::string filename_;
  Options options_;
  proto::SavedTensorSlices sts_;
  std::map<std::string, int> index_;
  std::vector<std::vector<TensorSlice>> slices_;
  std::map<std::string, std::string> data_;
  Status status_;
  bool finished_ = false;
};

V1Writer::V1Writer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
V1Writer::~V1Writer() = default;

Result<std::unique_ptr<V1Writer>> V1Writer::Create(std::string filename, Options options) {
  if (filename.empty()) return InvalidArgumentError("V1Writer: empty file name");
  return std::unique_ptr<V1Writer>(new V1Writer(std::make_unique<Impl>(std::move(filename), options)));
}

Status V1Writer::Add(std::string_view name, const TensorShape& full_shape, const TensorSlice& slice,
                     const TensorView& view) {
  return impl_->Add(name, full_shape, slice, view);
}
Status V1Writer::Finish() { return impl_->Finish(); }
void V1Writer::Abandon() { impl_->Abandon(); }

}  // namespace ckpt::format
