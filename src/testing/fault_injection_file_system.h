// FaultInjectionFileSystem: a FileSystem wrapper that remembers what a disk
// would still hold after a power cut, can cut the power at any call, and can
// make any single call fail. The crash tests are built on it.
//
// Typical use (over an in-memory file system):
//
//   auto fs = std::make_unique<FaultInjectionFileSystem>(NewMemoryFileSystem());
//   fs->CrashAfter(k);            // the k-th mutating call from now on, and every later one, fails
//   RunProtocol(fs.get());        // e.g. write temp, Sync, Close, rename, SyncDir
//   ASSERT_TRUE(fs->SimulateCrash().ok());   // drop everything that was not durable, power back on
//   CheckWhatAReaderSees(fs.get());
//
// Running a protocol once without faults and reading mutating_calls() gives
// the number of steps N; looping k = 1..N+1 then cuts the power before every
// step in turn (and once after the last).
//
// ---------------------------------------------------------------------------
// What is durable when (the model, after LevelDB's FaultInjectionTestEnv)
// ---------------------------------------------------------------------------
// File contents belong to the file (an "inode"), names belong to directories.
//
//  * Contents. A file's durable contents are the bytes appended up to its last
//    successful WritableFile::Sync(). Append() and Close() make nothing durable.
//    After a crash a file holds exactly its synced prefix (unsynced appends are
//    lost; a never-synced file is empty). A Sync() made through a handle whose
//    file was meanwhile deleted, or re-created by a later NewWritableFile, does
//    not change the model.
//  * Truncation. NewWritableFile on an existing file keeps its directory entry
//    (nothing for the directory to sync) but the truncation is durable at once:
//    a crash before the next Sync() leaves the file empty, not with its old
//    contents. This is the pessimistic outcome a real file system allows.
//  * Names. Each directory's entries (files and subdirectories, by name) are
//    durable as of its last successful SyncDir(dir). Creating a file or a
//    directory, renaming, and deleting change only the live view; after a
//    crash every directory shows its entries as of its last SyncDir:
//      - a file or directory created since then disappears (with everything
//        beneath it), even if its contents were synced;
//      - a rename is undone: the old name comes back and the new name again
//        shows whatever it showed before (nothing, or the file it replaced);
//      - a deleted file comes back with its durable contents, a deleted
//        directory comes back (with its own durable entries).
//    Each directory is synced on its own: a rename from d1 to d2 with only d2
//    synced leaves the file under both names after a crash (with only d1
//    synced, under neither) -- the models a crash test must survive.
//  * What existed before. Files and directories already in `base` when they
//    are first touched count as fully durable.
//  * Directory renames are not modelled: RenameFile of a directory is
//    Unimplemented.
//
// Whatever `base` accepts, two calls behave as on POSIX because the model
// depends on them: RenameFile of a file onto a directory is FailedPrecondition,
// and SyncDir of a missing path is NotFound (of a file, FailedPrecondition).
//
// SimulateCrash() rewrites `base` so that it holds exactly the durable state,
// closes (and invalidates) every WritableFile opened before it -- later calls
// on such a handle are FailedPrecondition -- releases every lock, turns the
// power back on, cancels pending FailAfter/CrashAfter, and starts the model
// afresh (everything now in `base` is durable). Files untouched through this
// wrapper are left alone.
//
// ---------------------------------------------------------------------------
// Failure injection
// ---------------------------------------------------------------------------
// The mutating calls are: WritableFile::Append, Sync and Close, and
// FileSystem::NewWritableFile, RenameFile, DeleteFile, CreateDir, DeleteDir,
// SyncDir and LockFile (helpers such as RecursivelyCreateDir count through the
// calls they make; the implicit close in a WritableFile's destructor does not
// count and never fails). Every mutating call increments mutating_calls(),
// whether it succeeds or fails. Read-only calls (NewRandomAccessFile,
// NewReadOnlyMemoryRegion, FileExists, ...) go straight to `base` through the
// forwarding base class: they are never counted and never fail because of an
// injected fault (a process keeps reading its page cache until the power
// goes), and a mapped region stays readable across SimulateCrash() as the
// FileSystem contract promises.
//
// Locks. LockFile is a mutating call because it may create its file (POSIX
// does; the in-memory file system does not): a lock file created through this
// wrapper is a new, empty file whose name is durable only after a SyncDir, as
// for NewWritableFile. The lock itself is `base`'s, so wrappers over one
// `base` contend for it. A power cut ends the process that held a lock:
// SimulateCrash() releases every lock taken through this wrapper (destroying
// such a FileLock afterwards is harmless).
//
// A call failed by injection has no effect on `base` or on the model.
//
// Paths must be plain ('/' separated, no "./", "//" or trailing '/'), as for
// the wrapped file system; the model keys directories by Dirname().
//
// Thread-safety: the FileSystem calls may be made from several threads, as for
// any FileSystem; FailAfter / CrashAfter / mutating_calls / power_cut too.
// SimulateCrash() must not overlap any other call (it is the reboot). Each
// WritableFile and FileLock must be destroyed before the file system when
// `base` is not owned by this wrapper.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ckpt/file_system.h"
#include "ckpt/status.h"
#include "io/forwarding_file_system.h"

namespace ckpt::test {

class FaultInjectionFileSystem final : public io::ForwardingFileSystem {
 public:
  // Wraps `base`, which must outlive this object and every file it opens.
  explicit FaultInjectionFileSystem(FileSystem* base);
  // Wraps and owns `base`.
  explicit FaultInjectionFileSystem(std::unique_ptr<FileSystem> base);
  ~FaultInjectionFileSystem() override;

  FaultInjectionFileSystem(const FaultInjectionFileSystem&) = delete;
  FaultInjectionFileSystem& operator=(const FaultInjectionFileSystem&) = delete;

  // The wrapped file system. Changes made to it directly bypass the model.
  FileSystem* base() const;

  // ---- crash model ----

  // Drops everything not durable (see the top of this file) and reboots.
  // Errors are those of `base` while rewriting it.
  Status SimulateCrash();

  // ---- failure injection ----

  // The n-th mutating call from now on (n = 1: the next one) fails with `code`
  // and has no effect; later calls are unaffected. n = 0 behaves like 1;
  // code kOk cancels a pending FailAfter. A later FailAfter replaces this one.
  void FailAfter(uint64_t n, StatusCode code);
  // The n-th mutating call from now on, and every mutating call after it, fail
  // with Unavailable ("simulated power loss") and have no effect, until
  // SimulateCrash(). n = 0 behaves like 1. Takes precedence over FailAfter.
  void CrashAfter(uint64_t n);
  // Cancels a pending FailAfter / CrashAfter (a power cut that already
  // happened stays until SimulateCrash()).
  void ClearFaults();
  // True once a CrashAfter has triggered, until SimulateCrash().
  bool power_cut() const;
  // Mutating calls made so far (never reset; take differences).
  uint64_t mutating_calls() const;

  // ---- FileSystem: the mutating calls (the read-only ones are forwarded) ----
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        const WritableFileOptions& options = {}) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status DeleteFile(const std::string& path) override;
  Status CreateDir(const std::string& path) override;
  Status DeleteDir(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;

 private:
  class Impl;
  class File;  // the WritableFile it hands out
  class Lock;  // the FileLock it hands out
  // Shared with the WritableFiles this opens, so a handle outliving the
  // wrapper never touches freed state.
  std::shared_ptr<Impl> impl_;
};

}  // namespace ckpt::test
