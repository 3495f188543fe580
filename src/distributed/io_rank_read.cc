#include "distributed/io_rank_read.h"

#include <cstring>
#include <map>
#include <mutex>

#include "base/coding.h"
#include "ckpt/status_macros.h"

namespace ckpt::distributed {
namespace {

enum class Op : uint8_t { kFileExists = 1, kGetFileSize, kGetModificationTime, kIsDirectory, kGetChildren, kOpen, kRead, kDone };
constexpr size_t kRequestHeader = 1 + 3 * 8;

std::string Request(Op op, uint64_t handle, uint64_t offset, uint64_t length, std::string_view path) {
  std::string out;
  out.reserve(kRequestHeader + path.size());
  out.push_back(static_cast<char>(op));
  coding::PutFixed64(&out, handle);
  coding::PutFixed64(&out, offset);
  coding::PutFixed64(&out, length);
  out += path;
  return out;
}

std::string ErrorReply(const Status& s) {
  std::string out(1, static_cast<char>(s.code()));
  out += s.message();
  return out;
}

std::string OkReply(std::string_view payload = {}) {
  std::string out(1, static_cast<char>(StatusCode::kOk));
  out += payload;
  return out;
}

Status ReadOnly(std::string_view what, const std::string& path) {
  return FailedPreconditionError("cannot " + std::string(what) + " " + path +
                                 ": this rank reads through the io rank (experimental_io_device), read-only");
}

}  // namespace

struct IoRankClient::Link {
  std::mutex mu;
  Communicator* comm;  // null after Finish
  int io_rank;
  std::chrono::milliseconds timeout;
  size_t chunk_bytes;
  Status broken;  // the first communicator failure

  // Sends `request` to R and returns the reply's payload, or R's error.
  Result<std::string> Call(const std::string& request) {
    std::lock_guard<std::mutex> lock(mu);
    CKPT_RETURN_IF_ERROR(broken);
    if (comm == nullptr) {
      return FailedPreconditionError("the io rank " + std::to_string(io_rank) +
                                     " (experimental_io_device) served this restore until it returned; values of "
                                     "objects attached later cannot be read (attach every object before Restore)");
    }
    Status sent = comm->Send(request, io_rank, DeadlineAfter(timeout));
    Result<std::string> reply = sent.ok() ? comm->Recv(io_rank, DeadlineAfter(timeout)) : Result<std::string>(sent);
    if (!reply.ok()) {
      broken = reply.status().WithContext("restore through the io rank " + std::to_string(io_rank));
      comm->Abort(broken.message());
      return broken;
    }
    if (reply->empty() || static_cast<uint8_t>((*reply)[0]) > 16) {
      broken = DataLossError("malformed reply from the io rank " + std::to_string(io_rank));
      comm->Abort(broken.message());
      return broken;
    }
    const auto code = static_cast<StatusCode>(static_cast<uint8_t>((*reply)[0]));
    if (code != StatusCode::kOk) return Status(code, reply->substr(1));
    reply->erase(0, 1);
    return std::move(*reply);
  }
};

namespace {

class RemoteFile final : public RandomAccessFile {
 public:
  RemoteFile(std::shared_ptr<IoRankClient::Link> link, uint64_t handle, uint64_t size, std::string path)
      : link_(std::move(link)), handle_(handle), size_(size), path_(std::move(path)) {}

  Status Read(uint64_t offset, size_t n, void* dst) const override {
    char* out = static_cast<char*>(dst);
    while (n > 0) {
      const size_t piece = std::min(n, link_->chunk_bytes);
      CKPT_ASSIGN_OR_RETURN(std::string bytes, link_->Call(Request(Op::kRead, handle_, offset, piece, path_)));
      if (bytes.size() != piece) {
        return DataLossError("the io rank returned " + std::to_string(bytes.size()) + " bytes of " + path_ +
                             " where " + std::to_string(piece) + " were asked");
      }
      std::memcpy(out, bytes.data(), piece);
      out += piece;
      offset += piece;
      n -= piece;
    }
    return OkStatus();
  }
  uint64_t Size() const override { return size_; }
  const std::string& path() const override { return path_; }

 private:
  std::shared_ptr<IoRankClient::Link> link_;
  uint64_t handle_;
  uint64_t size_;
  std::string path_;
};

}  // namespace

IoRankClient::IoRankClient(Communicator& comm, int io_rank, std::chrono::milliseconds timeout, size_t chunk_bytes)
    : link_(std::make_shared<Link>()) {
  link_->comm = &comm;
  link_->io_rank = io_rank;
  link_->timeout = timeout;
  link_->chunk_bytes = chunk_bytes == 0 ? 1 : chunk_bytes;
}

IoRankClient::~IoRankClient() = default;

Status IoRankClient::Finish() {
  std::lock_guard<std::mutex> lock(link_->mu);
  if (link_->comm == nullptr) return link_->broken;
  Communicator* comm = std::exchange(link_->comm, nullptr);
  CKPT_RETURN_IF_ERROR(link_->broken);
  Status sent = comm->Send(Request(Op::kDone, 0, 0, 0, {}), link_->io_rank, DeadlineAfter(link_->timeout));
  if (!sent.ok()) {
    link_->broken = sent.WithContext("restore through the io rank " + std::to_string(link_->io_rank));
    comm->Abort(link_->broken.message());
  }
  return link_->broken;
}

Result<std::unique_ptr<WritableFile>> IoRankClient::NewWritableFile(const std::string& path,
                                                                    const WritableFileOptions&) {
  return ReadOnly("create", path);
}

Result<std::unique_ptr<RandomAccessFile>> IoRankClient::NewRandomAccessFile(const std::string& path) {
  CKPT_ASSIGN_OR_RETURN(std::string payload, link_->Call(Request(Op::kOpen, 0, 0, 0, path)));
  if (payload.size() != 16) return DataLossError("malformed open reply from the io rank for " + path);
  return std::unique_ptr<RandomAccessFile>(std::make_unique<RemoteFile>(
      link_, coding::DecodeFixed64(payload.data()), coding::DecodeFixed64(payload.data() + 8), path));
}

Status IoRankClient::FileExists(const std::string& path) {
  return link_->Call(Request(Op::kFileExists, 0, 0, 0, path)).status();
}

Result<uint64_t> IoRankClient::GetFileSize(const std::string& path) {
  CKPT_ASSIGN_OR_RETURN(std::string payload, link_->Call(Request(Op::kGetFileSize, 0, 0, 0, path)));
  if (payload.size() != 8) return DataLossError("malformed size reply from the io rank for " + path);
  return coding::DecodeFixed64(payload.data());
}

Result<double> IoRankClient::GetModificationTime(const std::string& path) {
  CKPT_ASSIGN_OR_RETURN(std::string payload, link_->Call(Request(Op::kGetModificationTime, 0, 0, 0, path)));
  if (payload.size() != sizeof(double)) return DataLossError("malformed time reply from the io rank for " + path);
  double t;
  std::memcpy(&t, payload.data(), sizeof t);
  return t;
}

bool IoRankClient::IsDirectory(const std::string& path) {
  auto payload = link_->Call(Request(Op::kIsDirectory, 0, 0, 0, path));
  return payload.ok() && *payload == "1";
}

Result<std::vector<std::string>> IoRankClient::GetChildren(const std::string& dir) {
  CKPT_ASSIGN_OR_RETURN(std::string payload, link_->Call(Request(Op::kGetChildren, 0, 0, 0, dir)));
  std::vector<std::string> names;
  const char* p = payload.data();
  const char* end = p + payload.size();
  while (p < end) {
    if (end - p < 8) return DataLossError("malformed listing from the io rank for " + dir);
    const uint64_t len = coding::DecodeFixed64(p);
    p += 8;
    if (len > static_cast<uint64_t>(end - p)) return DataLossError("malformed listing from the io rank for " + dir);
    names.emplace_back(p, static_cast<size_t>(len));
    p += len;
  }
  return names;
}

Status IoRankClient::RenameFile(const std::string& from, const std::string&) { return ReadOnly("rename", from); }
Status IoRankClient::DeleteFile(const std::string& path) { return ReadOnly("delete", path); }
Status IoRankClient::CreateDir(const std::string& path) { return ReadOnly("create", path); }
Status IoRankClient::DeleteDir(const std::string& path) { return ReadOnly("delete", path); }
Status IoRankClient::SyncDir(const std::string& dir) { return ReadOnly("sync", dir); }

namespace {

// Serves rank r until Done. Returns a communicator failure only; file
// errors go back to r in the replies.
Status ServeRank(Communicator& comm, FileSystem* fs, int r, std::chrono::milliseconds timeout, size_t chunk_bytes) {
  std::map<uint64_t, std::unique_ptr<RandomAccessFile>> files;
  uint64_t next_handle = 1;
  std::string buffer;
  for (;;) {
    CKPT_ASSIGN_OR_RETURN(std::string request, comm.Recv(r, DeadlineAfter(timeout)));
    if (request.size() < kRequestHeader) return DataLossError("malformed read request from rank " + std::to_string(r));
    const auto op = static_cast<Op>(static_cast<uint8_t>(request[0]));
    const uint64_t handle = coding::DecodeFixed64(request.data() + 1);
    const uint64_t offset = coding::DecodeFixed64(request.data() + 9);
    const uint64_t length = coding::DecodeFixed64(request.data() + 17);
    const std::string path = request.substr(kRequestHeader);
    std::string reply;
    switch (op) {
      case Op::kDone:
        return OkStatus();
      case Op::kFileExists: {
        Status s = fs->FileExists(path);
        reply = s.ok() ? OkReply() : ErrorReply(s);
        break;
      }
      case Op::kGetFileSize: {
        auto size = fs->GetFileSize(path);
        std::string payload;
        if (size.ok()) coding::PutFixed64(&payload, *size);
        reply = size.ok() ? OkReply(payload) : ErrorReply(size.status());
        break;
      }
      case Op::kGetModificationTime: {
        auto t = fs->GetModificationTime(path);
        std::string payload(sizeof(double), '\0');
        if (t.ok()) std::memcpy(payload.data(), &*t, sizeof(double));
        reply = t.ok() ? OkReply(payload) : ErrorReply(t.status());
        break;
      }
      case Op::kIsDirectory:
        reply = OkReply(fs->IsDirectory(path) ? "1" : "0");
        break;
      case Op::kGetChildren: {
        auto names = fs->GetChildren(path);
        std::string payload;
        if (names.ok()) {
          for (const std::string& n : *names) {
            coding::PutFixed64(&payload, n.size());
            payload += n;
          }
        }
        reply = names.ok() ? OkReply(payload) : ErrorReply(names.status());
        break;
      }
      case Op::kOpen: {
        auto file = fs->NewRandomAccessFile(path);
        if (!file.ok()) {
          reply = ErrorReply(file.status());
          break;
        }
        std::string payload;
        coding::PutFixed64(&payload, next_handle);
        coding::PutFixed64(&payload, (*file)->Size());
        files[next_handle++] = std::move(*file);
        reply = OkReply(payload);
        break;
      }
      case Op::kRead: {
        auto it = files.find(handle);
        if (it == files.end() || length > chunk_bytes) {
          return DataLossError("malformed read request from rank " + std::to_string(r));
        }
        buffer.assign(1 + static_cast<size_t>(length), '\0');
        Status s = it->second->Read(offset, static_cast<size_t>(length), buffer.data() + 1);
        if (s.ok()) {
          buffer[0] = static_cast<char>(StatusCode::kOk);
          CKPT_RETURN_IF_ERROR(comm.Send(buffer, r, DeadlineAfter(timeout)));
          continue;
        }
        reply = ErrorReply(s);
        break;
      }
      default:
        return DataLossError("malformed read request from rank " + std::to_string(r));
    }
    CKPT_RETURN_IF_ERROR(comm.Send(reply, r, DeadlineAfter(timeout)));
  }
}

}  // namespace

Status ServeIoRankReads(Communicator& comm, FileSystem* fs, std::chrono::milliseconds timeout, size_t chunk_bytes) {
  for (int r = 0; r < comm.size(); ++r) {
    if (r == comm.rank()) continue;
    Status s = ServeRank(comm, fs, r, timeout, chunk_bytes == 0 ? 1 : chunk_bytes);
    if (!s.ok()) {
      Status failed = s.WithContext("io rank " + std::to_string(comm.rank()) + " serving the restore of rank " +
                                    std::to_string(r));
      comm.Abort(failed.message());
      return failed;
    }
  }
  return OkStatus();
}

}  // namespace ckpt::distributed
