// AtomicFile: how ckpt publishes a file. A file written through it appears
// under its name complete or not at all, and (with `sync`) stays so across a
// power cut.
//
// Protocol (each step is one FileSystem call; the first failure stops it):
//   1. Create the temporary file TempFileName(path) =
//      "<path>.tmp<32 random lowercase hex digits>" in the same directory.
//      This is the project's only temporary-name spelling (it is also the
//      one TensorFlow's Python atomic writes use for the `checkpoint` file).
//   2. The caller appends the contents through file().
//   3. Commit(): fsync the temporary file [sync], close it.
//   4. [sync and sync_dir_before_rename] fsync the directory. Whatever the
//      caller changed in the directory earlier (the data files a bundle index
//      names) is durable before the new name can be.
//   5. Rename the temporary file over `path`: an atomic replace, so readers
//      see the old file or the new one, never a mix. This publishes the file.
//   6. [sync and sync_dir_after_rename] fsync the directory, so the rename
//      itself is durable.
//
// Cleanup: a failure in steps 1-5, Abandon(), or destroying an AtomicFile
// that was not committed closes the temporary file and deletes it (best
// effort); `path` keeps what it held. A failure in step 6 is reported, but
// the file is already published (published() is true) and stays: nothing is
// rolled back.
//
// Crash outcomes with sync: until step 6 completes, a power cut leaves `path`
// as it was before (or, once step 5 has happened, possibly the new file,
// complete); after step 6 it holds the new file. The temporary name can
// survive a power cut only after step 4 made it durable: a stray file that no
// reader opens. Without sync the same steps run with no fsync, and a power
// cut may leave the new file empty or missing.
//
// Every writer that publishes a file uses this: the `checkpoint` state file,
// the Saver's .meta, V1 tables, safetensors and npz outputs, and the bundle
// writers. A bundle (BundleWriter, MergeBundles) is two files published in
// order, so it runs the protocol twice with the directory syncs placed for
// the pair: the data file with sync_dir_after_rename off (its rename is made
// durable by the index's step 4), then the index with sync_dir_before_rename
// on, so a durable index never names a data file that a power cut can take
// away.
//
// Thread-safety: one AtomicFile is used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ckpt/file_system.h"
#include "ckpt/status.h"

namespace ckpt::io {

// "<path>.tmp<32 random lowercase hex digits>": the temporary name under
// which a file is written before it is renamed to `path` (step 1).
std::string TempFileName(std::string_view path);

struct AtomicFileOptions {
  // fsync the file before the rename (step 3) and the directory around it
  // (steps 4 and 6, as selected below). Off: no fsync at all.
  bool sync = true;
  // Step 4: also fsync the directory before the rename.
  bool sync_dir_before_rename = false;
  // Step 6: fsync the directory after the rename. Turn off only when the
  // caller publishes another file in the same directory next, whose step 4
  // makes this rename durable.
  bool sync_dir_after_rename = true;
  // How the temporary file is opened (e.g. direct_io).
  WritableFileOptions file;
};

class AtomicFile {
 public:
  // Step 1: creates the temporary file next to `path` (the directory must
  // exist). `fs` must outlive the AtomicFile.
  static Result<std::unique_ptr<AtomicFile>> Create(FileSystem* fs, std::string path,
                                                    AtomicFileOptions options = {});
  // Abandons the file unless it was committed.
  ~AtomicFile();

  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Step 2: where the contents go. Valid until Commit() or Abandon().
  WritableFile* file() const { return file_.get(); }

  // Steps 3-6. On a failure before the rename the temporary file is deleted;
  // on a failure of step 6 the file stays published. FailedPrecondition when
  // called again after Commit() or after Abandon().
  Status Commit();
  // Closes and deletes the temporary file, unless the file was published.
  // Idempotent.
  void Abandon();

  // True once step 5 has renamed the file to path().
  bool published() const { return state_ == State::kPublished; }
  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_; }

 private:
  enum class State { kOpen, kPublished, kAbandoned };
  AtomicFile(FileSystem* fs, std::string path, std::string temp, AtomicFileOptions options,
             std::unique_ptr<WritableFile> file);
  Status CloseAndRename();  // steps 3-5
  std::string Directory() const;

  FileSystem* fs_;
  std::string path_, temp_;
  AtomicFileOptions options_;
  std::unique_ptr<WritableFile> file_;
  State state_ = State::kOpen;
};

// Steps 1-6 for contents already in memory.
Status WriteFileAtomically(FileSystem* fs, const std::string& path, std::string_view contents,
                           const AtomicFileOptions& options = {});

}  // namespace ckpt::io
