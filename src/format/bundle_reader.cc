// BundleReader: the index is read and validated once at Open(); tensor bytes
// are read on demand straight into the destination, each byte range checked
// against the data file's size before anything is allocated or read.
#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>

#include "base/crc32c.h"
#include "ckpt/status_macros.h"
#include "ckpt/bundle.h"
#include "ckpt/proto/tensor_bundle.pb.h"
#include "ckpt/status_macros.h"
#include "format/bundle_entry.h"
#include "format/index_table.h"
#include "format/slice_copy.h"
#include "format/slice_key.h"
#include "format/slice_reader.h"
#include "format/string_encoding.h"
#include "format/variant_encoding.h"

namespace ckpt {
namespace {

// TF never writes more shards than this in practice; a larger count in a
// header is corruption (and would make us hold that many file slots).
constexpr int32_t kMaxShards = 1 << 20;
// VerifyAll reads fixed-size tensors in chunks of this size.
constexpr size_t kVerifyChunk = size_t{8} << 20;

}  // namespace

class BundleReader::Impl {
 public:
  Impl(std::string prefix, BundleReaderOptions options) : prefix_(std::move(prefix)), options_(options) {
    if (options_.fs == nullptr) options_.fs = FileSystem::Default();
  }

  Status Init() {
    const std::string index_path = MetaFilename(prefix_);
    auto index = options_.fs->NewRandomAccessFile(index_path);
    if (!index.ok()) {
      if (index.status().code() == StatusCode::kNotFound) {
        return NotFoundError("Failed to find any matching files for " + prefix_ + " (no " + index_path + ")");
      }
      return index.status();
    }
    CKPT_ASSIGN_OR_RETURN(auto kvs, format::ReadIndexTable(**index));
    if (kvs.empty() || !kvs[0].first.empty()) {
      return DataLossError(index_path + ": the index has no header entry (empty key)");
    }
    proto::BundleHeaderProto header;
    if (!header.ParseFromString(kvs[0].second)) {
      return DataLossError(index_path + ": the header entry does not parse as a BundleHeaderProto");
    }
    CKPT_RETURN_IF_ERROR(CheckHeader(header, index_path));
    num_shards_ = header.num_shards();
    data_files_.resize(static_cast<size_t>(num_shards_));
    entries_.reserve(kvs.size() - 1);
    for (size_t i = 1; i < kvs.size(); ++i) {
      auto info = format::ParseEntry(kvs[i].first, kvs[i].second, num_shards_);
      if (!info.ok()) {
        return info.status().WithContext(index_path + ": entry \"" + format::PrintableKey(kvs[i].first) + "\"");
      }
      entries_.push_back(*std::move(info));
    }
    return OkStatus();
  }

  const std::string& prefix() const { return prefix_; }
  int32_t num_shards() const { return num_shards_; }

  std::vector<TensorInfo> List() const {
    std::vector<TensorInfo> out;
    for (const auto& e : entries_) {
      if (!format::IsSliceKey(e.key)) out.push_back(e);
    }
    return out;
  }

  const TensorInfo* Find(std::string_view key) const {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), key,
                               [](const TensorInfo& e, std::string_view k) { return e.key < k; });
    return it != entries_.end() && it->key == key ? &*it : nullptr;
  }

  Result<const TensorInfo*> Get(std::string_view key) const {
    const TensorInfo* info = Find(key);
    if (info == nullptr) {
      return NotFoundError("Key " + format::PrintableKey(key) + " not found in checkpoint " + prefix_);
    }
    return info;
  }

  Status ReadInto(std::string_view key, const MutableTensorView& dst) const {
    CKPT_ASSIGN_OR_RETURN(const TensorInfo* info, Get(key));
    CKPT_RETURN_IF_ERROR(CheckDestination(*info, TensorSlice::Full(info->shape.rank()), dst));
    if (!info->slices.empty()) return ReadSliceInto(*info, TensorSlice::Full(info->shape.rank()), dst);
    return ReadBytes(*info, dst.data);
  }

  Result<Tensor> Read(std::string_view key) const {
    CKPT_ASSIGN_OR_RETURN(const TensorInfo* info, Get(key));
    if (info->dtype == DType::kString) {
      CKPT_ASSIGN_OR_RETURN(auto strings, ReadStrings(*info));
      return Tensor::FromStrings(info->shape, std::move(strings));
    }
    return ReadSlice(*info, TensorSlice::Full(info->shape.rank()));
  }

  Result<std::vector<std::string>> ReadStrings(std::string_view key) const {
    CKPT_ASSIGN_OR_RETURN(const TensorInfo* info, Get(key));
    return ReadStrings(*info);
  }

  Status ReadSliceInto(std::string_view key, const TensorSlice& slice, const MutableTensorView& dst) const {
    CKPT_ASSIGN_OR_RETURN(const TensorInfo* info, Get(key));
    CKPT_RETURN_IF_ERROR(CheckDestination(*info, slice, dst));
    return ReadSliceInto(*info, slice, dst);
  }

  Result<Tensor> ReadSlice(std::string_view key, const TensorSlice& slice) const {
    CKPT_ASSIGN_OR_RETURN(const TensorInfo* info, Get(key));
    return ReadSlice(*info, slice);
  }

  Result<TensorView> MapTensor(std::string_view key) const {
    CKPT_ASSIGN_OR_RETURN(BundleReader::MappedTensor m, MapTensorShared(key));
    return m.view;
  }

  Result<BundleReader::MappedTensor> MapTensorShared(std::string_view key) const {
    CKPT_ASSIGN_OR_RETURN(const TensorInfo* info, Get(key));
    const size_t esize = DTypeSize(info->dtype);
    if (esize == 0 || !info->slices.empty()) {
      return FailedPreconditionError("tensor \"" + format::PrintableKey(key) +
                                     "\" cannot be mapped: only whole fixed-size tensors can");
    }
    const uint64_t align = std::min<uint64_t>(esize, 8);
    if (static_cast<uint64_t>(info->offset) % align != 0) {
      return FailedPreconditionError("tensor \"" + format::PrintableKey(key) + "\" starts at offset " +
                                     std::to_string(info->offset) + ", not aligned for " +
                                     std::string(DTypeName(info->dtype)) +
                                     " elements; write the bundle with data_alignment >= 8 to map it");
    }
    CKPT_ASSIGN_OR_RETURN(const RandomAccessFile* file, CheckedRange(*info));
    std::shared_ptr<const ReadOnlyMemoryRegion> region;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto& slot = regions_[info->shard_id];
      if (slot == nullptr) {
        CKPT_ASSIGN_OR_RETURN(slot, options_.fs->NewReadOnlyMemoryRegion(file->path()));
      }
      region = slot;
    }
    if (region->size() < static_cast<uint64_t>(info->offset + info->size)) {
      return DataLossError(Describe(*info, file->path()) + ": the file shrank after it was opened");
    }
    const char* p = static_cast<const char*>(region->data()) + info->offset;
    CKPT_RETURN_IF_ERROR(CheckCrc(*info, *file, crc32c::Value(p, static_cast<size_t>(info->size))));
    BundleReader::MappedTensor out;
    out.view.dtype = info->dtype;
    out.view.shape = info->shape;
    out.view.data = p;
    out.mapping = std::move(region);
    return out;
  }

  Status VerifyAll() const {
    for (const TensorInfo& info : entries_) {
      if (!info.slices.empty()) {
        for (const TensorSlice& s : info.slices) CKPT_RETURN_IF_ERROR(SliceEntry(info, s).status());
        continue;
      }
      if (info.dtype == DType::kString) {
        CKPT_RETURN_IF_ERROR(ReadStrings(info).status());
        continue;
      }
      if (info.dtype == DType::kVariant) {
        CKPT_RETURN_IF_ERROR(VerifyVariant(info));
        continue;
      }
      CKPT_ASSIGN_OR_RETURN(const RandomAccessFile* file, CheckedRange(info));
      std::vector<char> buf(std::min<size_t>(kVerifyChunk, static_cast<size_t>(info.size)));
      crc32c::Crc crc;
      for (int64_t done = 0; done < info.size;) {
        const size_t k = std::min<size_t>(buf.size(), static_cast<size_t>(info.size - done));
        CKPT_RETURN_IF_ERROR(file->Read(static_cast<uint64_t>(info.offset + done), k, buf.data()));
        crc = crc32c::Extend(crc, buf.data(), k);
        done += static_cast<int64_t>(k);
      }
      CKPT_RETURN_IF_ERROR(CheckCrc(info, *file, crc));
    }
    return OkStatus();
  }

 private:
  Status CheckHeader(const proto::BundleHeaderProto& header, const std::string& index_path) const {
    if (header.num_shards() < 1 || header.num_shards() > kMaxShards) {
      return DataLossError(index_path + ": header has an invalid shard count " + std::to_string(header.num_shards()));
    }
    if (header.endianness() != proto::BundleHeaderProto::LITTLE) {
      return UnimplementedError(index_path + ": big-endian bundles are not supported");
    }
    // TF's CheckVersions with consumer version 1 and min producer 0.
    const auto& v = header.version();
    if (v.producer() < 0 || v.min_consumer() > 1) {
      return DataLossError(index_path + ": bundle format version (producer " + std::to_string(v.producer()) +
                           ", min_consumer " + std::to_string(v.min_consumer()) + ") is not supported");
    }
    for (int bad : v.bad_consumers()) {
      if (bad == 1) return DataLossError(index_path + ": this reader (consumer 1) is listed as a bad consumer");
    }
    return OkStatus();
  }

  std::string Describe(const TensorInfo& info, const std::string& file) const {
    return file + ": tensor \"" + format::PrintableKey(info.key) + "\" bytes [" + std::to_string(info.offset) +
           ", " + std::to_string(static_cast<uint64_t>(info.offset) + static_cast<uint64_t>(info.size)) + ")";
  }

  // Opens (once) the data file of `info` and checks its byte range fits.
  Result<const RandomAccessFile*> CheckedRange(const TensorInfo& info) const {
    const RandomAccessFile* file;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto& slot = data_files_[static_cast<size_t>(info.shard_id)];
      if (slot == nullptr) {
        const std::string path = DataFilename(prefix_, info.shard_id, num_shards_);
        auto opened = options_.fs->NewRandomAccessFile(path);
        if (!opened.ok()) {
          const Status& s = opened.status();
          const std::string what = "data file for tensor \"" + format::PrintableKey(info.key) + "\": " + s.message();
          if (s.code() != StatusCode::kNotFound) return Status(s.code(), what);
          // A missing data file under a present index is a broken bundle;
          // with the index gone too, the checkpoint was deleted while we read
          // it (a manager pruning it): NotFound, as if we had come later.
          if (options_.fs->FileExists(MetaFilename(prefix_)).code() == StatusCode::kNotFound) {
            return NotFoundError("checkpoint " + prefix_ + " was deleted while it was being read (" + what + ")");
          }
          return DataLossError(what);
        }
        slot = *std::move(opened);
      }
      file = slot.get();
    }
    const uint64_t size = file->Size();
    if (static_cast<uint64_t>(info.offset) > size || static_cast<uint64_t>(info.size) > size - info.offset) {
      return DataLossError(Describe(info, file->path()) + " lie beyond the end of the file (" +
                           std::to_string(size) + " bytes)");
    }
    return file;
  }

  Status CheckCrc(const TensorInfo& info, const RandomAccessFile& file, crc32c::Crc actual) const {
    if (!options_.verify_checksums) return OkStatus();
    const crc32c::Crc stored = crc32c::Unmask(crc32c::MaskedCrc{info.masked_crc32c});
    if (stored == actual) return OkStatus();
    return DataLossError(Describe(info, file.path()) + ": checksum does not match: stored " +
                         std::to_string(stored.value) + " vs. calculated on the restored bytes " +
                         std::to_string(actual.value));
  }

  // Reads a plain (unsliced) fixed-size entry into dst (info.size bytes).
  Status ReadBytes(const TensorInfo& info, void* dst) const {
    if (info.dtype == DType::kVariant) {
      return UnimplementedError("tensor \"" + format::PrintableKey(info.key) + "\" is a DT_VARIANT; not supported");
    }
    CKPT_ASSIGN_OR_RETURN(const RandomAccessFile* file, CheckedRange(info));
    const size_t n = static_cast<size_t>(info.size);
    if (!options_.verify_checksums) {
      return n > 0 ? file->Read(static_cast<uint64_t>(info.offset), n, dst) : OkStatus();
    }
    // The file hashes while it copies (in cache-sized pieces, see
    // RandomAccessFile::ReadWithCrc32c): no second pass over dst.
    crc32c::Crc crc;
    if (n > 0) CKPT_RETURN_IF_ERROR(file->ReadWithCrc32c(static_cast<uint64_t>(info.offset), n, dst, &crc.value));
    return CheckCrc(info, *file, crc);
  }

  Result<std::vector<std::string>> ReadStrings(const TensorInfo& info) const {
    if (info.dtype != DType::kString) {
      return InvalidArgumentError("tensor \"" + format::PrintableKey(info.key) + "\" has dtype " +
                                  std::string(DTypeName(info.dtype)) + ", not string");
    }
    if (!info.slices.empty()) {
      CKPT_ASSIGN_OR_RETURN(Tensor t, ReadSlice(info, TensorSlice::Full(info.shape.rank())));
      return std::move(t.strings());
    }
    CKPT_ASSIGN_OR_RETURN(const RandomAccessFile* file, CheckedRange(info));
    std::string data(static_cast<size_t>(info.size), '\0');
    CKPT_RETURN_IF_ERROR(file->Read(static_cast<uint64_t>(info.offset), data.size(), data.data()));
    const crc32c::Crc stored = crc32c::Unmask(crc32c::MaskedCrc{info.masked_crc32c});
    auto strings = format::DecodeStringTensor(data, info.shape.num_elements(),
                                              options_.verify_checksums ? &stored : nullptr);
    if (!strings.ok()) return strings.status().WithContext(Describe(info, file->path()));
    return strings;
  }

  Status VerifyVariant(const TensorInfo& info) const {
    CKPT_ASSIGN_OR_RETURN(const RandomAccessFile* file, CheckedRange(info));
    std::string data(static_cast<size_t>(info.size), '\0');
    CKPT_RETURN_IF_ERROR(file->Read(static_cast<uint64_t>(info.offset), data.size(), data.data()));
    const crc32c::Crc stored = crc32c::Unmask(crc32c::MaskedCrc{info.masked_crc32c});
    return format::VerifyVariantTensor(data, info.shape.num_elements(),
                                       options_.verify_checksums ? &stored : nullptr)
        .WithContext(Describe(info, file->path()));
  }

  Status CheckDestination(const TensorInfo& info, const TensorSlice& slice, const MutableTensorView& dst) const {
    // Built only on error paths (this runs once per restored tensor).
    auto what = [&] { return "reading \"" + format::PrintableKey(info.key) + "\" from " + prefix_; };
    if (info.dtype == DType::kString) {
      return InvalidArgumentError(what() + ": it is a string tensor; use Read() or ReadStrings()");
    }
    if (dst.dtype != info.dtype) {
      return InvalidArgumentError(what() + ": stored dtype is " + std::string(DTypeName(info.dtype)) +
                                  " but the destination is " + std::string(DTypeName(dst.dtype)));
    }
    if (!slice.IsFull()) CKPT_RETURN_IF_ERROR(slice.CheckFits(info.shape).WithContext(what()));
    if (slice.IsFull() ? !(dst.shape == info.shape) : !(dst.shape == slice.SliceShape(info.shape))) {
      const TensorShape want = slice.SliceShape(info.shape);
      return InvalidArgumentError(what() + ": stored shape " + (slice.IsFull() ? "" : "(of the slice) ") +
                                  want.ToString() + " does not match the destination shape " + dst.shape.ToString());
    }
    if (dst.byte_size() > 0 && dst.data == nullptr) return InvalidArgumentError(what() + ": destination is null");
    return OkStatus();
  }

  // The entry holding the data of stored slice `s` of `full`.
  Result<const TensorInfo*> SliceEntry(const TensorInfo& full, const TensorSlice& s) const {
    const TensorInfo* e = Find(format::EncodeTensorNameSlice(full.key, s));
    if (e == nullptr || e->dtype != full.dtype || !e->slices.empty() || !(e->shape == s.SliceShape(full.shape))) {
      return DataLossError(prefix_ + ": the entry for slice " + s.ToString() + " of tensor \"" +
                           format::PrintableKey(full.key) + "\" is missing or inconsistent");
    }
    return e;
  }

  Result<Tensor> ReadSlice(const TensorInfo& info, const TensorSlice& slice) const {
    CKPT_RETURN_IF_ERROR(slice.CheckFits(info.shape).WithContext("reading \"" + format::PrintableKey(info.key) + "\""));
    if (info.dtype == DType::kVariant) {
      return UnimplementedError("tensor \"" + format::PrintableKey(info.key) +
                                "\" is a DT_VARIANT; its elements can only be decoded by the program that wrote "
                                "them (ckpt verify still checks its checksums)");
    }
    if (info.dtype == DType::kString) {
      if (slice.IsFull() && info.slices.empty()) {
        CKPT_ASSIGN_OR_RETURN(auto strings, ReadStrings(info));
        return Tensor::FromStrings(info.shape, std::move(strings));
      }
      CKPT_ASSIGN_OR_RETURN(auto pieces, Plan(info, slice));
      const TensorShape shape = slice.SliceShape(info.shape);
      std::vector<std::string> out(static_cast<size_t>(shape.num_elements()));
      for (const Piece& p : pieces) {
        CKPT_ASSIGN_OR_RETURN(format::StoredPart part, Part(p));
        CKPT_RETURN_IF_ERROR(format::ReadStringOverlap(part, slice, info.shape, &out));
      }
      return Tensor::FromStrings(shape, std::move(out));
    }
    // Validate the byte ranges before allocating, so the allocation is
    // bounded by bytes that really exist in the data files.
    CKPT_ASSIGN_OR_RETURN(auto pieces, Plan(info, slice));
    CKPT_ASSIGN_OR_RETURN(Tensor t, Tensor::MakeUninitialized(info.dtype, slice.SliceShape(info.shape)));
    CKPT_RETURN_IF_ERROR(Execute(info, slice, pieces, t.data()));
    return t;
  }

  Status ReadSliceInto(const TensorInfo& info, const TensorSlice& slice, const MutableTensorView& dst) const {
    CKPT_ASSIGN_OR_RETURN(auto pieces, Plan(info, slice));
    return Execute(info, slice, pieces, dst.data);
  }

  struct Piece {
    const TensorInfo* entry;  // where the stored slice's bytes are
    TensorSlice stored;       // the stored slice
  };

  // TF's LookupSlice planning: the stored slices that intersect `want`; they
  // must not overlap one another and must cover it exactly.
  Result<std::vector<Piece>> Plan(const TensorInfo& info, const TensorSlice& want) const {
    std::vector<Piece> pieces;
    if (info.slices.empty()) {
      CKPT_ASSIGN_OR_RETURN(const RandomAccessFile* f, CheckedRange(info));
      (void)f;
      pieces.push_back(Piece{&info, TensorSlice::Full(info.shape.rank())});
      return pieces;
    }
    const int64_t want_n = want.SliceShape(info.shape).num_elements();
    int64_t covered = 0;
    for (size_t i = 0; i < info.slices.size(); ++i) {
      const TensorSlice& s = info.slices[i];
      for (size_t j = 0; j < i; ++j) {
        if (format::IntersectionVolume(s, info.slices[j], info.shape) > 0) {
          return DataLossError(prefix_ + ": stored slices " + s.ToString() + " and " + info.slices[j].ToString() +
                               " of tensor \"" + format::PrintableKey(info.key) + "\" overlap");
        }
      }
      const int64_t v = format::IntersectionVolume(s, want, info.shape);
      if (v == 0) continue;
      CKPT_ASSIGN_OR_RETURN(const TensorInfo* e, SliceEntry(info, s));
      CKPT_ASSIGN_OR_RETURN(const RandomAccessFile* f, CheckedRange(*e));
      (void)f;
      covered += v;
      pieces.push_back(Piece{e, s});
    }
    if (covered != want_n) {
      // TF's text (BundleReader::GetSliceValue), then where.
      std::string stored;
      for (const TensorSlice& s : info.slices) stored += (stored.empty() ? "" : " ") + s.ToString();
      return InvalidArgumentError("Does not have sufficient slices for partitioned tensor " +
                                  format::PrintableKey(info.key) + " to restore in slice_spec: " + want.ToString() +
                                  " (stored slices of " + info.shape.ToString() + ": " + stored + "; checkpoint " +
                                  prefix_ + ")");
    }
    return pieces;
  }

  Status Execute(const TensorInfo& info, const TensorSlice& want, const std::vector<Piece>& pieces,
                 void* dst) const {
    const size_t esize = DTypeSize(info.dtype);
    for (const Piece& p : pieces) {
      if (p.stored == want || (p.stored.IsFull() && want.IsFull())) {
        CKPT_RETURN_IF_ERROR(ReadBytes(*p.entry, dst));  // exact match: one read
        continue;
      }
      CKPT_ASSIGN_OR_RETURN(format::StoredPart part, Part(p));
      CKPT_RETURN_IF_ERROR(format::ReadOverlap(part, want, info.shape, esize, dst));
    }
    return OkStatus();
  }

  // The data file range of a piece, for the overlap readers.
  Result<format::StoredPart> Part(const Piece& p) const {
    if (p.entry->dtype == DType::kVariant) {
      return UnimplementedError("tensor \"" + format::PrintableKey(p.entry->key) + "\" is a DT_VARIANT; not supported");
    }
    CKPT_ASSIGN_OR_RETURN(const RandomAccessFile* file, CheckedRange(*p.entry));
    format::StoredPart part{file, static_cast<uint64_t>(p.entry->offset), static_cast<uint64_t>(p.entry->size),
                            p.stored};
    part.verify = options_.verify_checksums;
    part.description = Describe(*p.entry, file->path());
    part.expected_crc = crc32c::Unmask(crc32c::MaskedCrc{p.entry->masked_crc32c});
    return part;
  }

  std::string prefix_;
  BundleReaderOptions options_;
  int32_t num_shards_ = 0;
  std::vector<TensorInfo> entries_;  // sorted by key (the table is sorted)
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<RandomAccessFile>> data_files_;
  mutable std::map<int32_t, std::shared_ptr<const ReadOnlyMemoryRegion>> regions_;  // shared with MappedTensors
};

Result<std::unique_ptr<BundleReader>> BundleReader::Open(std::string prefix, BundleReaderOptions options) {
  auto impl = std::make_unique<Impl>(std::move(prefix), options);
  CKPT_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<BundleReader>(new BundleReader(std::move(impl)));
}

BundleReader::BundleReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BundleReader::~BundleReader() = default;
const std::string& BundleReader::prefix() const { return impl_->prefix(); }
int32_t BundleReader::num_shards() const { return impl_->num_shards(); }
std::vector<std::string> BundleReader::Keys() const {
  std::vector<std::string> keys;
  for (auto& info : impl_->List()) keys.push_back(std::move(info.key));
  return keys;
}
std::vector<TensorInfo> BundleReader::List() const { return impl_->List(); }
bool BundleReader::HasTensor(std::string_view key) const {
  return !format::IsSliceKey(key) && impl_->Find(key) != nullptr;
}
Result<TensorInfo> BundleReader::Lookup(std::string_view key) const {
  CKPT_ASSIGN_OR_RETURN(const TensorInfo* info, impl_->Get(key));
  return *info;
}
Status BundleReader::ReadInto(std::string_view key, const MutableTensorView& dst) const {
  return impl_->ReadInto(key, dst);
}
Result<Tensor> BundleReader::Read(std::string_view key) const { return impl_->Read(key); }
Result<std::vector<std::string>> BundleReader::ReadStrings(std::string_view key) const {
  return impl_->ReadStrings(key);
}
Status BundleReader::ReadSliceInto(std::string_view key, const TensorSlice& slice,
                                   const MutableTensorView& dst) const {
  return impl_->ReadSliceInto(key, slice, dst);
}
Result<Tensor> BundleReader::ReadSlice(std::string_view key, const TensorSlice& slice) const {
  return impl_->ReadSlice(key, slice);
}
Result<TensorView> BundleReader::MapTensor(std::string_view key) const { return impl_->MapTensor(key); }
Result<BundleReader::MappedTensor> BundleReader::MapTensorShared(std::string_view key) const {
  return impl_->MapTensorShared(key);
}
Status BundleReader::VerifyAll() const { return impl_->VerifyAll(); }

}  // namespace ckpt
