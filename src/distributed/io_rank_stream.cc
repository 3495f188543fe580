#include "distributed/io_rank_stream.h"

#include <algorithm>
#include <optional>

#include "base/coding.h"
#include "base/crc32c.h"
#include "ckpt/bundle.h"
#include "ckpt/status_macros.h"
#include "distributed/distributed_save.h"
#include "format/string_encoding.h"

namespace ckpt::distributed {
namespace {

std::string EncodeHeader(uint64_t size, crc32c::Crc entry, crc32c::Crc bytes) {
  std::string out;
  coding::PutVarint64(&out, size);
  coding::PutFixed32(&out, entry.value);
  coding::PutFixed32(&out, bytes.value);
  return out;
}

// Sends string values through one buffer of at most `chunk` bytes.
class ChunkedSender {
 public:
  ChunkedSender(Communicator& comm, int dest, size_t chunk, const DeadlineFn& deadline)
      : comm_(comm), dest_(dest), chunk_(chunk), deadline_(deadline) {}

  Status Append(std::string_view bytes) {
    while (!bytes.empty()) {
      const size_t n = std::min(bytes.size(), chunk_ - buf_.size());
      buf_.append(bytes.data(), n);
      bytes.remove_prefix(n);
      if (buf_.size() == chunk_) CKPT_RETURN_IF_ERROR(Flush());
    }
    return OkStatus();
  }
  Status Flush() {
    if (buf_.empty()) return OkStatus();
    Status s = comm_.Send(buf_, dest_, deadline_());
    buf_.clear();
    return s;
  }

 private:
  Communicator& comm_;
  const int dest_;
  const size_t chunk_;
  const DeadlineFn& deadline_;
  std::string buf_;
};

Status SendValue(Communicator& comm, int dest, const NamedView& v, size_t chunk, const DeadlineFn& deadline) {
  if (v.view.dtype == DType::kString) {
    crc32c::Crc entry;
    const std::string header = format::EncodeStringTensorHeader(v.view.strings, &entry);
    crc32c::Crc bytes = crc32c::Value(header.data(), header.size());
    uint64_t size = header.size();
    for (std::string_view s : v.view.strings) {
      entry = crc32c::Extend(entry, s.data(), s.size());
      bytes = crc32c::Extend(bytes, s.data(), s.size());
      size += s.size();
    }
    CKPT_RETURN_IF_ERROR(comm.Send(EncodeHeader(size, entry, bytes), dest, deadline()));
    ChunkedSender out(comm, dest, chunk, deadline);
    CKPT_RETURN_IF_ERROR(out.Append(header));
    for (std::string_view s : v.view.strings) CKPT_RETURN_IF_ERROR(out.Append(s));
    return out.Flush();
  }
  // Fixed-size dtypes: straight from the caller's buffer.
  const size_t n = v.view.byte_size();
  const char* data = static_cast<const char*>(v.view.data);
  if (n > 0 && data == nullptr) return InvalidArgumentError("value \"" + v.key + "\" has no data");
  const crc32c::Crc crc = crc32c::Value(data, n);
  CKPT_RETURN_IF_ERROR(comm.Send(EncodeHeader(n, crc, crc), dest, deadline()));
  for (size_t off = 0; off < n; off += chunk) {
    CKPT_RETURN_IF_ERROR(comm.Send(std::string_view(data + off, std::min(chunk, n - off)), dest, deadline()));
  }
  return OkStatus();
}

// The io rank's view of one sender's stream (see the header's format).
class SourceStream {
 public:
  SourceStream(Communicator& comm, int src, const DeadlineFn& deadline) : comm_(comm), src_(src), deadline_(deadline) {}

  // Receives the next value's header.
  Status Begin() {
    CKPT_ASSIGN_OR_RETURN(std::string h, Receive());
    const char* p = h.data();
    const char* end = p + h.size();
    if (!coding::GetVarint64(&p, end, &remaining_) || end - p != 8) {
      return DataLossError("malformed value header from rank " + std::to_string(src_));
    }
    entry_crc_ = coding::DecodeFixed32(p);
    bytes_crc_ = coding::DecodeFixed32(p + 4);
    size_ = remaining_;
    seen_ = crc32c::Crc{};
    return OkStatus();
  }
  uint64_t size() const { return size_; }
  uint32_t entry_crc() const { return entry_crc_; }

  // The next piece of the current value; the last one only if the bytes'
  // crc matches.
  Result<std::string_view> Next() {
    if (remaining_ == 0) return DataLossError("read past the end of a value from rank " + std::to_string(src_));
    CKPT_ASSIGN_OR_RETURN(msg_, Receive());
    if (msg_.empty() || msg_.size() > remaining_) {
      return DataLossError("rank " + std::to_string(src_) + " sent " + std::to_string(msg_.size()) +
                           " bytes where " + std::to_string(remaining_) + " remained of a value");
    }
    remaining_ -= msg_.size();
    seen_ = crc32c::Extend(seen_, msg_.data(), msg_.size());
    if (remaining_ == 0 && seen_.value != bytes_crc_) {
      return DataLossError("the bytes of a value from rank " + std::to_string(src_) + " arrived damaged (crc32c)");
    }
    return std::string_view(msg_);
  }

  // Receives and drops the rest of the current value.
  Status Skip() {
    while (remaining_ > 0) {
      Result<std::string_view> piece = Next();
      if (!piece.ok() && !comm_error_.ok()) return comm_error_;
      if (!piece.ok()) remaining_ = 0;  // damaged: the write already failed
    }
    return OkStatus();
  }

  const Status& comm_error() const { return comm_error_; }

 private:
  Result<std::string> Receive() {
    Result<std::string> m = comm_.Recv(src_, deadline_());
    if (!m.ok()) comm_error_ = m.status();
    return m;
  }

  Communicator& comm_;
  const int src_;
  const DeadlineFn& deadline_;
  std::string msg_;
  uint64_t remaining_ = 0, size_ = 0;
  uint32_t entry_crc_ = 0, bytes_crc_ = 0;
  crc32c::Crc seen_;
  Status comm_error_;
};

bool IsEmptyShareDesc(const ValueDesc& d) {
  return !d.slice.IsFull() && d.slice.SliceShape(d.full_shape).num_elements() == 0 &&
         d.full_shape.num_elements() > 0;
}

Status AddOwn(BundleWriter& w, const NamedView& v) {
  if (IsEmptyShare(v)) return OkStatus();
  return v.slice ? w.AddSlice(v.key, v.slice->full_shape, v.slice->slice, v.view) : w.Add(v.key, v.view);
}

}  // namespace

Status SendValuesToIoRank(Communicator& comm, int io_rank, std::span<const NamedView> values,
                          std::span<const size_t> indices, size_t chunk_bytes, const DeadlineFn& deadline) {
  for (size_t i : indices) {
    if (IsEmptyShare(values[i])) continue;
    CKPT_RETURN_IF_ERROR(SendValue(comm, io_rank, values[i], chunk_bytes, deadline));
  }
  return OkStatus();
}

IoRankWrite WritePartsAtIoRank(Communicator& comm, FileSystem* fs, bool sync, const std::string& prefix,
                               std::span<const NamedView> own_values, std::span<const std::vector<ValueDesc>> lists,
                               const SavePlan& plan, const DeadlineFn& deadline) {
  IoRankWrite out;
  const int me = comm.rank(), size = comm.size();
  BundleWriterOptions wo;
  wo.fs = fs;
  wo.sync = sync;
  auto note = [&](const Status& s, int r) {
    if (!s.ok() && out.write.ok()) {
      out.write = s.WithContext("io rank " + std::to_string(me) + " writing the part of rank " + std::to_string(r));
    }
  };
  note(fs->RecursivelyCreateDir(TempDir(prefix)), me);
  for (int r = 0; r < size; ++r) {
    const std::vector<size_t>& writes = plan.writes[static_cast<size_t>(r)];
    if (writes.empty()) continue;
    std::unique_ptr<BundleWriter> writer;
    if (out.write.ok()) {
      auto w = BundleWriter::Create(PartPrefix(prefix, r, size), wo);
      if (w.ok()) writer = std::move(*w);
      note(w.status(), r);
    }
    if (r == me) {
      for (size_t i : writes) {
        if (writer && out.write.ok()) note(AddOwn(*writer, own_values[i]), r);
      }
    } else {
      SourceStream stream(comm, r, deadline);
      for (size_t i : writes) {
        const ValueDesc& d = lists[static_cast<size_t>(r)][i];
        if (IsEmptyShareDesc(d)) continue;
        if (Status s = stream.Begin(); !s.ok()) {
          if (!stream.comm_error().ok()) return {stream.comm_error(), out.write};
          note(s, r);
          continue;  // a malformed header: nothing more of this rank can be trusted
        }
        if (writer && out.write.ok()) {
          EncodedTensor t;
          t.dtype = d.dtype;
          t.shape = d.slice.SliceShape(d.full_shape);
          t.size = stream.size();
          t.crc32c = stream.entry_crc();
          t.next = [&stream] { return stream.Next(); };
          Status s = d.slice.IsFull() ? writer->AddEncoded(d.key, t)
                                      : writer->AddEncodedSlice(d.key, d.full_shape, d.slice, t);
          if (!stream.comm_error().ok()) return {stream.comm_error(), out.write};
          note(s, r);
        }
        if (Status s = stream.Skip(); !s.ok()) return {s, out.write};
      }
    }
    if (writer && out.write.ok()) note(writer->Finish(), r);
  }
  return out;
}

}  // namespace ckpt::distributed
