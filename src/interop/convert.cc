// ConvertTensorFile: plan (what the output can hold), then stream one tensor
// at a time from a TensorSource into a TensorSink.
#include "ckpt/convert.h"

#include "ckpt/status_macros.h"
#include "interop/json_value.h"
#include "interop/npy.h"
#include "interop/safetensors.h"
#include "interop/tensor_files.h"

namespace ckpt {
namespace interop {
namespace {

class BundleSink : public TensorSink {
 public:
  BundleSink(std::string prefix, FileSystem* fs, bool sync) : prefix_(std::move(prefix)), fs_(fs), sync_(sync) {}
  ~BundleSink() override { Abandon(); }

  Result<std::vector<std::string>> Plan(const std::vector<TensorEntry>& entries) override {
    return std::vector<std::string>{MetaFilename(prefix_), DataFilename(prefix_, 0, 1)};
  }
  Status Begin() override {
    BundleWriterOptions o;
    o.fs = fs_;
    o.sync = sync_;
    CKPT_ASSIGN_OR_RETURN(writer_, BundleWriter::Create(prefix_, o));
    return OkStatus();
  }
  Status Add(const TensorEntry& e, const Tensor& t) override { return writer_->Add(e.key, t); }
  Status Finish() override {
    Status st = writer_->Finish();
    writer_.reset();
    return st;
  }
  void Abandon() override {
    if (writer_) writer_->Abandon();
    writer_.reset();
  }

 private:
  std::string prefix_;
  FileSystem* fs_;
  bool sync_;
  std::unique_ptr<BundleWriter> writer_;
};

}  // namespace

std::unique_ptr<TensorSink> NewBundleSink(std::string prefix, FileSystem* fs, bool sync) {
  return std::make_unique<BundleSink>(std::move(prefix), fs, sync);
}

}  // namespace interop

std::string UnrepresentableReason(const TensorEntry& e, TensorFileFormat to) {
  if (!e.unsupported.empty()) return e.unsupported;
  const std::string dtype(DTypeName(e.dtype));
  switch (to) {
    case TensorFileFormat::kAuto:
    case TensorFileFormat::kCheckpoint:
      if (e.key.empty()) return "empty key";
      if (e.key[0] == '\0') return "key starts with a NUL byte (reserved for slice keys in bundles)";
      if (!IsStorableDType(e.dtype)) return "dtype " + dtype + " cannot be stored in a bundle";
      return "";
    case TensorFileFormat::kSafetensors:
    case TensorFileFormat::kSafetensorsSharded:
      if (e.dtype == DType::kString) return "safetensors cannot hold string tensors";
      if (interop::SafetensorsDType(e.dtype).empty()) return "safetensors has no " + dtype + " dtype";
      if (!interop::IsUtf8(e.key)) return "key is not UTF-8 (safetensors names are JSON strings)";
      if (e.key == "__metadata__") return "the name __metadata__ is reserved in safetensors";
      return "";
    case TensorFileFormat::kNpz: {
      if (!interop::IsUtf8(e.key)) return "key is not UTF-8 (npz member names are UTF-8)";
      if (e.key.size() > 0xffff - 4) return "key longer than a zip member name can be";
      bool raw_bits;
      if (e.dtype != DType::kString && interop::NpyDescr(e.dtype, &raw_bits).empty()) {
        return "npz cannot hold dtype " + dtype;
      }
      return "";
    }
  }
  return "unknown output format";
}

Result<ConvertReport> ConvertTensorFile(const std::string& src, const std::string& dst, const ConvertOptions& options) {
  FileSystem* fs = options.fs != nullptr ? options.fs : FileSystem::Default();
  CKPT_ASSIGN_OR_RETURN(std::unique_ptr<TensorSource> source, OpenTensorSource(src, options.from, fs));

  TensorFileFormat to = options.to;
  if (to == TensorFileFormat::kAuto) {
    to = fs->IsDirectory(dst) ? TensorFileFormat::kSafetensors : OutputTensorFileFormat(dst);
    if (to == TensorFileFormat::kSafetensors && options.max_shard_bytes > 0) to = TensorFileFormat::kSafetensorsSharded;
  }
  std::string out = dst;
  if (to == TensorFileFormat::kSafetensors && fs->IsDirectory(dst)) out = JoinPath(dst, "model.safetensors");
  if (to == TensorFileFormat::kSafetensorsSharded && !dst.ends_with(".index.json")) {
    out = fs->IsDirectory(dst)          ? JoinPath(dst, "model.safetensors.index.json")
          : dst.ends_with(".safetensors") ? dst + ".index.json"
                                          : dst + ".safetensors.index.json";
  }

  ConvertReport report;
  report.from = source->format();
  report.to = to;
  report.source = source->path();

  std::vector<TensorEntry> kept;
  for (const TensorEntry& e : source->entries()) {
    std::string why = UnrepresentableReason(e, to);
    if (!why.empty()) {
      report.skipped.push_back({e.key, e.dtype, std::move(why)});
      continue;
    }
    bool raw_bits = false;
    if (to == TensorFileFormat::kNpz && e.dtype != DType::kString) {
      const std::string descr = interop::NpyDescr(e.dtype, &raw_bits);
      if (raw_bits) {
        report.notes.push_back({e.key, e.dtype, "numpy has no " + std::string(DTypeName(e.dtype)) +
                                                    ": stored as raw bits, dtype " + descr});
      }
    }
    kept.push_back(e);
  }
  auto refuse_all = [&]() {
    std::string msg = std::to_string(report.skipped.size()) + " tensor(s) of " + src + " cannot be stored as " +
                      std::string(TensorFileFormatName(to)) + ":";
    for (const auto& s : report.skipped) msg += "\n  " + s.key + " (" + std::string(DTypeName(s.dtype)) + "): " + s.reason;
    return InvalidArgumentError(msg);
  };
  if (!options.skip_unrepresentable && !report.skipped.empty()) return refuse_all();

  std::unique_ptr<interop::TensorSink> sink;
  switch (to) {
    case TensorFileFormat::kSafetensors:
      sink = interop::NewSafetensorsSink(out, fs);
      break;
    case TensorFileFormat::kSafetensorsSharded:
      sink = interop::NewShardedSafetensorsSink(
          out, options.max_shard_bytes > 0 ? options.max_shard_bytes : int64_t{5'000'000'000}, fs);
      break;
    case TensorFileFormat::kNpz:
      sink = interop::NewNpzSink(out, fs, options.force_zip64);
      break;
    default:
      sink = interop::NewBundleSink(out, fs, options.sync);
      break;
  }
  CKPT_ASSIGN_OR_RETURN(report.outputs, sink->Plan(kept));
  if (!options.overwrite) {
    for (const std::string& f : report.outputs) {
      if (fs->FileExists(f).ok()) return AlreadyExistsError("output " + f + " exists (use overwrite to replace it)");
    }
  }
  if (options.dry_run) return report;

  ConvertProgress progress;
  progress.tensors_total = static_cast<int64_t>(kept.size());
  for (const TensorEntry& e : kept) progress.bytes_total += e.byte_size > 0 ? e.byte_size : 0;
  CKPT_RETURN_IF_ERROR(sink->Begin());
  for (const TensorEntry& e : kept) {
    auto t = source->Read(e.key);
    if (!t.ok()) {
      sink->Abandon();
      return Status(t.status().code(), "reading " + e.key + " from " + source->path() + ": " + t.status().message());
    }
    if (std::string why = sink->Refuse(e, *t); !why.empty()) {
      report.skipped.push_back({e.key, e.dtype, std::move(why)});
      if (!options.skip_unrepresentable) {
        sink->Abandon();
        return refuse_all();
      }
      continue;
    }
    if (Status st = sink->Add(e, *t); !st.ok()) {
      sink->Abandon();
      return Status(st.code(), "writing " + e.key + ": " + st.message());
    }
    int64_t bytes = static_cast<int64_t>(t->byte_size());
    if (t->dtype() == DType::kString) {
      for (const auto& s : t->strings()) bytes += static_cast<int64_t>(s.size());
    }
    ++report.tensors_written;
    report.bytes_written += bytes;
    ++progress.tensors_done;
    progress.bytes_done += e.byte_size > 0 ? e.byte_size : 0;
    progress.key = e.key;
    if (options.progress) options.progress(progress);
  }
  if (Status st = sink->Finish(); !st.ok()) {
    sink->Abandon();
    return st;
  }
  return report;
}

}  // namespace ckpt
