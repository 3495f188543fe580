// TensorSource over a NumPy .npz archive: every "<key>.npy" member is a
// tensor. The .npy headers are read (and validated against the member
// sizes) at open; data is read on demand.
#include <algorithm>
#include <cstring>
#include <map>

#include "ckpt/status_macros.h"
#include "interop/npy.h"
#include "interop/tensor_files.h"
#include "interop/zip_archive.h"

namespace ckpt::interop {
namespace {

struct Member {
  size_t zip_index = 0;
  NpyHeader header;
};

class NpzSource : public TensorSource {
 public:
  NpzSource(std::string path, std::unique_ptr<ZipReader> zip) : path_(std::move(path)), zip_(std::move(zip)) {}

  Status Init() {
    const auto& members = zip_->members();
    for (size_t i = 0; i < members.size(); ++i) {
      const ZipMember& m = members[i];
      if (m.name.ends_with("/")) continue;  // a directory entry
      // np.load names arrays after their member, minus ".npy".
      std::string key = m.name.ends_with(".npy") ? m.name.substr(0, m.name.size() - 4) : m.name;
      if (by_key_.count(key)) return DataLossError("npz archive " + path_ + " holds \"" + key + "\" twice");
      Member entry{i, {}};
      Status st = ReadHeader(m, &entry.header);
      if (!st.ok()) return DataLossError("npz member " + m.name + " of " + path_ + ": " + st.message());
      by_key_.emplace(std::move(key), std::move(entry));
    }
    for (const auto& [key, member] : by_key_) {
      TensorEntry e;
      e.key = key;
      e.dtype = member.header.dtype;
      e.shape = member.header.shape;
      e.unsupported = member.header.unsupported;
      if (e.unsupported.empty() && member.header.kind == NpyHeader::Kind::kFixed) {
        e.byte_size = static_cast<int64_t>(member.header.data_size);
      }
      entries_.push_back(std::move(e));
    }
    return OkStatus();
  }

  TensorFileFormat format() const override { return TensorFileFormat::kNpz; }
  const std::string& path() const override { return path_; }
  const std::vector<TensorEntry>& entries() const override { return entries_; }

  Result<Tensor> Read(std::string_view key) const override {
    auto it = by_key_.find(std::string(key));
    if (it == by_key_.end()) return NotFoundError("Key " + std::string(key) + " not found in " + path_);
    const NpyHeader& h = it->second.header;
    const ZipMember& m = zip_->members()[it->second.zip_index];
    if (!h.unsupported.empty()) return UnimplementedError("cannot read " + std::string(key) + ": " + h.unsupported);
    if (m.method == 0 && h.kind == NpyHeader::Kind::kFixed) {
      // Stored: straight into the tensor's buffer, then the CRC over header + data.
      CKPT_ASSIGN_OR_RETURN(Tensor t, Tensor::MakeUninitialized(h.dtype, h.shape));
      std::string head(h.header_size, '\0');
      CKPT_RETURN_IF_ERROR(zip_->ReadStored(m, 0, head.size(), head.data()));
      if (t.byte_size() > 0) CKPT_RETURN_IF_ERROR(zip_->ReadStored(m, h.header_size, t.byte_size(), t.data()));
      uint32_t crc = ZipCrc32(0, head.data(), head.size());
      crc = ZipCrc32(crc, t.data(), t.byte_size());
      if (crc != m.crc32) return DataLossError("npz member " + m.name + " of " + path_ + ": CRC-32 mismatch");
      CKPT_RETURN_IF_ERROR(FinishNpyFixed(h, &t));
      return t;
    }
    CKPT_ASSIGN_OR_RETURN(std::string bytes, zip_->ReadAll(m));
    if (bytes.size() != h.header_size + h.data_size) {
      return DataLossError("npz member " + m.name + " of " + path_ + " changed size while reading");
    }
    const std::string_view data = std::string_view(bytes).substr(h.header_size);
    if (h.kind != NpyHeader::Kind::kFixed) return DecodeNpyStrings(h, data);
    CKPT_ASSIGN_OR_RETURN(Tensor t, Tensor::MakeUninitialized(h.dtype, h.shape));
    if (t.byte_size() > 0) std::memcpy(t.data(), data.data(), t.byte_size());
    CKPT_RETURN_IF_ERROR(FinishNpyFixed(h, &t));
    return t;
  }

 private:
  // The .npy header at the start of a member, checked against the member's size.
  Status ReadHeader(const ZipMember& m, NpyHeader* out) {
    CKPT_ASSIGN_OR_RETURN(std::string prefix, zip_->ReadPrefix(m, kNpyPrefixSize));
    CKPT_ASSIGN_OR_RETURN(const uint64_t size, NpyHeaderSize(prefix));
    if (size > m.uncompressed_size) return DataLossError("member shorter than its .npy header");
    CKPT_ASSIGN_OR_RETURN(std::string head, zip_->ReadPrefix(m, size));
    CKPT_ASSIGN_OR_RETURN(*out, ParseNpyHeader(head));
    if (out->unsupported.empty() && out->header_size + out->data_size != m.uncompressed_size) {
      return DataLossError("the .npy header describes " + std::to_string(out->data_size) + " data bytes but the member holds " +
                           std::to_string(m.uncompressed_size - std::min(m.uncompressed_size, out->header_size)));
    }
    return OkStatus();
  }

  std::string path_;
  std::unique_ptr<ZipReader> zip_;
  std::map<std::string, Member> by_key_;
  std::vector<TensorEntry> entries_;
};

}  // namespace

Result<std::unique_ptr<TensorSource>> OpenNpzSource(const std::string& path, FileSystem* fs) {
  CKPT_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, fs->NewRandomAccessFile(path));
  CKPT_ASSIGN_OR_RETURN(std::unique_ptr<ZipReader> zip, ZipReader::Open(std::move(file)));
  auto src = std::make_unique<NpzSource>(path, std::move(zip));
  CKPT_RETURN_IF_ERROR(src->Init());
  return std::unique_ptr<TensorSource>(std::move(src));
}

}  // namespace ckpt::interop
