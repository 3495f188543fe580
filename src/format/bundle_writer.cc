// BundleWriter: one bundle, one data shard.
//
// Protocol (what is on disk after each step; a crash at any point leaves
// either the previous state or the finished bundle visible under P.index):
//   1. Create dirname(P). Open the data file under a temporary name
//      P.data-00000-of-00001.tmp<R1> (io::TempFileName).
//   2. Add(): append each tensor's bytes in call order, straight from the
//      caller's buffer; record (offset, size, masked crc32c) in memory.
//   3. Finish(): fsync the data file, close it, rename it to its final name.
//   4. Write the index table to P.index.tmp<R2>, fsync, close.
//   5. fsync the directory: the data file's final name and the temporary
//      index are now durable.
//   6. Rename the index to P.index (this publishes the bundle), fsync the
//      directory again so the publication itself is durable.
// Steps 3-5 are where we deliberately differ from TensorFlow, which does no
// fsync at all. A reader never sees P.index without a complete data file.
// Rewriting an existing bundle (the same P saved again: a Saver without
// global_step, Checkpoint.Write to one path, a manager re-saving a number):
// step 3 would put the new data under an old P.index, which a reader (or a
// power cut between steps 3 and 6) would see as a corrupt bundle. So before
// step 3 the old P.index is deleted and the directory fsynced: the old bundle
// stops being one first, and P is the old bundle, nothing, or the new one.
// (Two files cannot be replaced atomically under fixed names; TensorFlow
// renames the data file over the old one with the old index in place.)
// On any error, or if the writer is destroyed unfinished, the temporary files
// are removed (a data file already renamed in step 3 is removed too).
// Each file goes through io::AtomicFile (src/io/atomic_file.h): the data file
// without its own directory sync (step 3), the index with a directory sync
// before and after its rename (steps 5 and 6).
#include <algorithm>
#include <atomic>
#include <future>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "base/crc32c.h"
#include "ckpt/status_macros.h"
#include "ckpt/bundle.h"
#include "ckpt/proto/tensor_bundle.pb.h"
#include "ckpt/status_macros.h"
#include "format/bundle_entry.h"
#include "format/index_table.h"
#include "format/slice_key.h"
#include "format/string_encoding.h"
#include "io/atomic_file.h"

namespace ckpt {

namespace {
// Tensors at least this large have their crc computed on a second thread
// while the bytes are being written (the checksum stays off the I/O path).
constexpr size_t kParallelCrcThreshold = size_t{4} << 20;
// ... in pieces of this size, so the caller can take over pieces the helper
// has not reached when its write returns first.
constexpr size_t kCrcPiece = size_t{1} << 20;

// The crc32c of one tensor, hashed piece by piece by whichever thread is
// free: a helper thread from the start, and the caller once its Append has
// returned. Add cannot return before the crc is done (the caller may change
// its buffer afterwards), and the next tensor's write cannot start before
// Add returns, so a crc that lags behind the write (the helper got little
// CPU on a busy machine) leaves the disk idle; the caller's help halves
// that. The first piece takes the remainder so every later one is kCrcPiece
// long and joins with a precomputed combiner.
class SharedCrc {
 public:
  SharedCrc(const void* data, size_t n)
      : p_(static_cast<const char*>(data)), first_(n % kCrcPiece == 0 ? kCrcPiece : n % kCrcPiece),
        crcs_((n - first_) / kCrcPiece + 1) {}

  // Hashes unclaimed pieces until none is left.
  void Work() {
    for (size_t i; (i = next_.fetch_add(1, std::memory_order_relaxed)) < crcs_.size();) {
      const size_t begin = i == 0 ? 0 : first_ + (i - 1) * kCrcPiece;
      crcs_[i] = crc32c::Value(p_ + begin, i == 0 ? first_ : kCrcPiece);
    }
  }

  // Call after every thread's Work() has returned.
  crc32c::Crc Joined() const {
    static const crc32c::FixedCombiner combine(kCrcPiece);
    crc32c::Crc c = crcs_[0];
    for (size_t i = 1; i < crcs_.size(); ++i) c = combine(c, crcs_[i]);
    return c;
  }

 private:
  const char* p_;
  size_t first_;
  std::vector<crc32c::Crc> crcs_;
  std::atomic<size_t> next_{0};
};
}  // namespace

class BundleWriter::Impl {
 public:
  Impl(std::string prefix, BundleWriterOptions options) : prefix_(std::move(prefix)), options_(options) {
    if (options_.fs == nullptr) options_.fs = FileSystem::Default();
  }

  Status Init() {
    if (prefix_.empty()) return InvalidArgumentError("bundle prefix is empty");
    if (options_.data_alignment < 1) {
      return InvalidArgumentError("data_alignment must be >= 1, got " + std::to_string(options_.data_alignment));
    }
    const std::string dir(Dirname(prefix_));
    if (!dir.empty()) CKPT_RETURN_IF_ERROR(options_.fs->RecursivelyCreateDir(dir));
    data_final_ = DataFilename(prefix_, 0, 1);
    io::AtomicFileOptions data_options;
    data_options.sync = options_.sync;
    data_options.sync_dir_after_rename = false;  // step 5 does it, before the index can appear
    data_options.file.direct_io = options_.direct_io;
    CKPT_ASSIGN_OR_RETURN(data_, io::AtomicFile::Create(options_.fs, data_final_, data_options));
    return OkStatus();
  }

  ~Impl() { Abandon(); }

  Status Add(std::string_view key, const TensorView& view) {
    CKPT_RETURN_IF_ERROR(status_);
    if (key.empty()) return Fail(InvalidArgumentError("tensor key is empty"));
    if (format::IsSliceKey(key)) {
      return Fail(InvalidArgumentError("tensor key may not start with a NUL byte (reserved for slice keys)"));
    }
    return Fail(AddEntry(std::string(key), view));
  }

  Status AddSlice(std::string_view full_key, const TensorShape& full_shape, const TensorSlice& slice,
                  const TensorView& view) {
    CKPT_RETURN_IF_ERROR(status_);
    const std::string ctx = "slice " + slice.ToString() + " of \"" + std::string(full_key) + "\"";
    if (full_key.empty() || format::IsSliceKey(full_key)) {
      return Fail(InvalidArgumentError("invalid tensor key for " + ctx));
    }
    if (auto s = TensorShape::Make(full_shape.dims()); !s.ok()) return Fail(s.status().WithContext(ctx));
    if (Status s = slice.CheckFits(full_shape); !s.ok()) return Fail(s.WithContext(ctx));
    if (!(view.shape == slice.SliceShape(full_shape))) {
      return Fail(InvalidArgumentError(ctx + ": data has shape " + view.shape.ToString() + " but the slice of " +
                                       full_shape.ToString() + " has shape " +
                                       slice.SliceShape(full_shape).ToString()));
    }
    // Like TF, a slice that covers the whole tensor is a plain tensor.
    if (slice.IsFull() || slice.SliceShape(full_shape) == full_shape) return Add(full_key, view);

    const std::string key(full_key);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      proto::BundleEntryProto full;
      full.set_dtype(static_cast<int32_t>(view.dtype));
      format::ShapeToProto(full_shape, full.mutable_shape());
      it = entries_.emplace(key, std::move(full)).first;
    } else {
      const proto::BundleEntryProto& full = it->second;
      if (full.slices_size() == 0) {
        return Fail(InvalidArgumentError(ctx + ": \"" + key + "\" was already added as a whole tensor"));
      }
      if (full.dtype() != static_cast<int32_t>(view.dtype) ||
          !(format::ShapeFromProtoUnchecked(full.shape()) == full_shape)) {
        return Fail(InvalidArgumentError(ctx + ": dtype/shape (" + std::string(DTypeName(view.dtype)) + ", " +
                                         full_shape.ToString() + ") differ from earlier slices of the same tensor"));
      }
    }
    format::SliceToProto(slice, it->second.add_slices());
    return Fail(AddEntry(format::EncodeTensorNameSlice(key, slice), view));
  }

  // Add / AddSlice of a TensorView without data: AddEntry takes the bytes
  // from `encoded_`.
  Status AddEncoded(std::string_view key, const std::optional<std::pair<TensorShape, TensorSlice>>& slice,
                    const EncodedTensor& t) {
    const TensorView shell{t.dtype, t.shape, nullptr, {}};
    encoded_ = &t;
    Status s = slice ? AddSlice(key, slice->first, slice->second, shell) : Add(key, shell);
    encoded_ = nullptr;
    return s;
  }

  Status Finish() {
    if (finished_) return status_.ok() ? FailedPreconditionError("Finish() called twice") : status_;
    finished_ = true;
    if (!status_.ok()) {
      Abandon();
      return status_;
    }
    Status s = Publish();
    if (!s.ok()) {
      status_ = s;
      Abandon();
    }
    return s;
  }

  void Abandon() {
    FileSystem* fs = options_.fs;
    data_.reset();  // deletes the temporary data file unless it was renamed
    for (const std::string& path : cleanup_) fs->DeleteFile(path).IgnoreError();
    cleanup_.clear();
    if (status_.ok() && !published_) status_ = CancelledError("bundle writer for " + prefix_ + " was abandoned");
    finished_ = true;
  }

  uint64_t data_bytes() const { return offset_; }
  const std::string& prefix() const { return prefix_; }

 private:
  Status Fail(Status s) {
    if (!s.ok() && status_.ok()) status_ = s;
    return s;
  }

  Status AddEntry(std::string key, const TensorView& view) {
    // Built only on error paths: 100,000 tiny tensors must not pay for it.
    auto ctx = [&] { return "adding tensor \"" + format::PrintableKey(key) + "\" to " + prefix_; };
    const auto hint = entries_.lower_bound(key);
    if (hint != entries_.end() && hint->first == key) return InvalidArgumentError(ctx() + ": key was already added");
    if (!IsStorableDType(view.dtype)) {
      return InvalidArgumentError(ctx() + ": dtype " + std::string(DTypeName(view.dtype)) + " cannot be saved");
    }
    if (auto s = TensorShape::Make(view.shape.dims()); !s.ok()) return s.status().WithContext(ctx());
    if (data_ == nullptr) return FailedPreconditionError(ctx() + ": writer is finished");

    proto::BundleEntryProto entry;
    entry.set_dtype(static_cast<int32_t>(view.dtype));
    format::ShapeToProto(view.shape, entry.mutable_shape());
    entry.set_offset(static_cast<int64_t>(offset_));
    uint64_t written = 0;
    crc32c::Crc crc;
    if (encoded_ != nullptr) {
      if (Status s = WriteEncoded(*encoded_, &crc); !s.ok()) return s.WithContext(ctx());
      written = encoded_->size;
    } else if (view.dtype == DType::kString) {
      if (view.strings.size() != static_cast<size_t>(view.shape.num_elements())) {
        return InvalidArgumentError(ctx() + ": " + std::to_string(view.strings.size()) +
                                    " strings given for shape " + view.shape.ToString());
      }
      if (Status s = format::WriteStringTensor(data_->file(), view.strings, &written, &crc); !s.ok()) {
        return s.WithContext(ctx());
      }
    } else {
      const size_t n = view.byte_size();
      if (n > 0 && view.data == nullptr) return InvalidArgumentError(ctx() + ": data pointer is null");
      if (Status s = WriteChecksummed(view.data, n, &crc); !s.ok()) return s.WithContext(ctx());
      written = n;
    }
    entry.set_size(static_cast<int64_t>(written));
    entry.set_crc32c(crc32c::Mask(crc).value);
    offset_ += written;
    if (Status s = Pad(); !s.ok()) return s.WithContext(ctx());
    entries_.emplace_hint(hint, std::move(key), std::move(entry));
    return OkStatus();
  }

  // Appends n bytes and computes their crc; for large tensors the crc runs on
  // another thread concurrently with the write.
  Status WriteChecksummed(const void* data, size_t n, crc32c::Crc* crc) {
    if (n < kParallelCrcThreshold) {
      *crc = crc32c::Value(data, n);
      return data_->file()->Append(data, n);
    }
    SharedCrc shared(data, n);
    auto helper = std::async(std::launch::async, [&shared] { shared.Work(); });
    Status s = data_->file()->Append(data, n);
    shared.Work();
    helper.get();
    *crc = shared.Joined();
    return s;
  }

  Status WriteEncoded(const EncodedTensor& t, crc32c::Crc* crc) {
    crc32c::Crc stream;
    uint64_t got = 0;
    while (got < t.size) {
      CKPT_ASSIGN_OR_RETURN(std::string_view piece, t.next());
      if (piece.empty() || piece.size() > t.size - got) {
        return DataLossError("encoded tensor delivered " + std::to_string(got + piece.size()) + " of " +
                             std::to_string(t.size) + " bytes");
      }
      stream = crc32c::Extend(stream, piece.data(), piece.size());
      CKPT_RETURN_IF_ERROR(data_->file()->Append(piece.data(), piece.size()));
      got += piece.size();
    }
    if (t.dtype != DType::kString && stream.value != t.crc32c) {
      return DataLossError("encoded tensor bytes do not match their declared crc32c");
    }
    *crc = crc32c::Crc{t.crc32c};
    return OkStatus();
  }

  Status Pad() {
    const uint64_t align = static_cast<uint64_t>(options_.data_alignment);
    if (align <= 1 || offset_ % align == 0) return OkStatus();
    const std::string zeros(align - offset_ % align, '\0');
    CKPT_RETURN_IF_ERROR(data_->file()->Append(zeros));
    offset_ += zeros.size();
    return OkStatus();
  }

  Status Publish() {
    FileSystem* fs = options_.fs;
    CKPT_RETURN_IF_ERROR(RetireOldIndex(fs));
    // Step 3 (io::AtomicFile without its directory sync).
    const Status data_status = data_->Commit();
    if (data_->published()) cleanup_.push_back(data_final_);
    CKPT_RETURN_IF_ERROR(data_status);
    data_.reset();
    // Step 4.
    std::vector<format::KeyValue> kvs;
    kvs.reserve(entries_.size() + 1);
    proto::BundleHeaderProto header;
    header.set_num_shards(1);
    header.set_endianness(proto::BundleHeaderProto::LITTLE);
    header.mutable_version()->set_producer(1);
    kvs.emplace_back("", header.SerializeAsString());
    for (const auto& [key, entry] : entries_) kvs.emplace_back(key, entry.SerializeAsString());
    io::AtomicFileOptions index_options;
    index_options.sync = options_.sync;
    index_options.sync_dir_before_rename = true;  // step 5
    CKPT_ASSIGN_OR_RETURN(auto index, io::AtomicFile::Create(fs, MetaFilename(prefix_), index_options));
    CKPT_RETURN_IF_ERROR(format::WriteIndexTable(index->file(), kvs));
    // Steps 5 and 6 (the temporary index is deleted if they fail before the rename).
    const Status index_status = index->Commit();
    if (index->published()) {
      published_ = true;
      cleanup_.clear();
    }
    return index_status;
  }

  // A rewrite of P: unpublish the old bundle (durably) before its data file
  // is replaced, so no old index ever names new data.
  Status RetireOldIndex(FileSystem* fs) {
    const std::string index = MetaFilename(prefix_);
    if (!fs->FileExists(index).ok()) return OkStatus();
    Status s = fs->DeleteFile(index);
    if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
    if (!options_.sync) return OkStatus();
    const std::string dir(Dirname(prefix_));
    return fs->SyncDir(dir.empty() ? "." : dir);
  }

  std::string prefix_;
  BundleWriterOptions options_;
  std::string data_final_;
  std::unique_ptr<io::AtomicFile> data_;  // null once renamed to data_final_
  uint64_t offset_ = 0;
  std::map<std::string, proto::BundleEntryProto> entries_;
  const EncodedTensor* encoded_ = nullptr;  // set during AddEncoded
  std::vector<std::string> cleanup_;  // files to delete if we fail
  Status status_;
  bool finished_ = false;
  bool published_ = false;
};

Result<std::unique_ptr<BundleWriter>> BundleWriter::Create(std::string prefix, BundleWriterOptions options) {
  auto impl = std::make_unique<Impl>(std::move(prefix), options);
  CKPT_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<BundleWriter>(new BundleWriter(std::move(impl)));
}

BundleWriter::BundleWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BundleWriter::~BundleWriter() = default;
Status BundleWriter::Add(std::string_view key, const TensorView& view) { return impl_->Add(key, view); }
Status BundleWriter::AddSlice(std::string_view full_key, const TensorShape& full_shape, const TensorSlice& slice,
                              const TensorView& view) {
  return impl_->AddSlice(full_key, full_shape, slice, view);
}
Status BundleWriter::Finish() { return impl_->Finish(); }
Status BundleWriter::AddEncoded(std::string_view key, const EncodedTensor& tensor) {
  return impl_->AddEncoded(key, std::nullopt, tensor);
}
Status BundleWriter::AddEncodedSlice(std::string_view full_key, const TensorShape& full_shape,
                                     const TensorSlice& slice, const EncodedTensor& tensor) {
  return impl_->AddEncoded(full_key, std::make_pair(full_shape, slice), tensor);
}
void BundleWriter::Abandon() { impl_->Abandon(); }
uint64_t BundleWriter::data_bytes() const { return impl_->data_bytes(); }
const std::string& BundleWriter::prefix() const { return impl_->prefix(); }

}  // namespace ckpt
