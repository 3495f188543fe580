// Restoring with an io rank (CheckpointOptions::experimental_io_device naming
// a task): the io rank R performs every file-system call of the restore; the
// other ranks read through an IoRankClient, a read-only FileSystem whose calls
// R serves over Communicator::Send/Recv.
//
// Why a file system rather than a key-level protocol: the restore code above
// the FileSystem (BundleReader, restore by intersection, the object graph,
// name-based restores, SavedModel directories) runs unchanged on every rank,
// and each rank still reads only the byte ranges its own objects need — R
// just performs those reads. A key-level protocol would duplicate the
// slice planning on R and need every rank's wanted slices up front.
//
// Messages (rank r -> R, one request, one reply; nothing else in flight):
//   request  op byte, fixed64 handle, fixed64 offset, fixed64 length, then
//            the path (the rest of the message)
//   reply    a status byte (StatusCode); OK: the payload, else the message
// Ops: FileExists, GetFileSize, GetModificationTime, IsDirectory,
// GetChildren, Open (payload: handle, size), Read (at most the chunk size
// per request: the client splits larger reads), Done (no reply).
// R's file-system errors (NotFound, DataLoss, OutOfRange, ... with R's path)
// come back to the requesting rank unchanged.
//
// Memory: a reply carries at most one chunk (4 MiB); the client copies it
// into the caller's buffer, so each side holds a chunk or two, never a
// tensor.
//
// Order and deadlines: R serves the ranks one after another in rank order,
// each until it sends Done; every Send/Recv waits up to the collective
// timeout, so the timeout must cover R serving the lower ranks.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "ckpt/distributed.h"
#include "ckpt/file_system.h"
#include "ckpt/status.h"

namespace ckpt::distributed {

// On a rank other than the io rank. Read-only: the mutating calls return
// FailedPrecondition without sending anything. A communicator failure is
// returned by the call that met it and every later one, and aborts the
// group (so R stops waiting). After Finish every call returns
// FailedPrecondition (R no longer serves): objects attached after a
// collective restore cannot read their deferred values. Thread-safe (one
// request at a time).
class IoRankClient final : public FileSystem {
 public:
  IoRankClient(Communicator& comm, int io_rank, std::chrono::milliseconds timeout, size_t chunk_bytes);
  ~IoRankClient() override;

  // Tells R this rank is done (once; later calls are no-ops). Returns the
  // communicator failure met during the restore, if any.
  Status Finish();

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        const WritableFileOptions& options) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  Status FileExists(const std::string& path) override;
  Result<uint64_t> GetFileSize(const std::string& path) override;
  Result<double> GetModificationTime(const std::string& path) override;
  bool IsDirectory(const std::string& path) override;
  Result<std::vector<std::string>> GetChildren(const std::string& dir) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status DeleteFile(const std::string& path) override;
  Status CreateDir(const std::string& path) override;
  Status DeleteDir(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;

  struct Link;  // shared with the open files

 private:
  std::shared_ptr<Link> link_;
};

// On the io rank: serves every other rank's requests from `fs`, in rank
// order, each until it sends Done. An error is a communicator failure (a
// rank that stalls past the timeout, an abort, a malformed request): the
// group is aborted and the error returned, naming the rank.
Status ServeIoRankReads(Communicator& comm, FileSystem* fs, std::chrono::milliseconds timeout, size_t chunk_bytes);

}  // namespace ckpt::distributed
