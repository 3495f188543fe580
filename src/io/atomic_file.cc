#include "io/atomic_file.h"

#include <cstdio>
#include <random>
#include <utility>

#include "ckpt/status_macros.h"

namespace ckpt::io {

std::string TempFileName(std::string_view path) {
  // Per-thread generator: no lock, and two threads never share a sequence.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const unsigned long long hi = rng(), lo = rng();
  char hex[33];
  std::snprintf(hex, sizeof(hex), "%016llx%016llx", hi, lo);
  return std::string(path) + ".tmp" + hex;
}

AtomicFile::AtomicFile(FileSystem* fs, std::string path, std::string temp, AtomicFileOptions options,
                       std::unique_ptr<WritableFile> file)
    : fs_(fs), path_(std::move(path)), temp_(std::move(temp)), options_(options), file_(std::move(file)) {}

AtomicFile::~AtomicFile() { Abandon(); }

Result<std::unique_ptr<AtomicFile>> AtomicFile::Create(FileSystem* fs, std::string path, AtomicFileOptions options) {
  std::string temp = TempFileName(path);
  CKPT_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs->NewWritableFile(temp, options.file));
  return std::unique_ptr<AtomicFile>(
      new AtomicFile(fs, std::move(path), std::move(temp), options, std::move(file)));
}

std::string AtomicFile::Directory() const {
  const std::string_view dir = Dirname(path_);
  return dir.empty() ? std::string(".") : std::string(dir);
}

Status AtomicFile::CloseAndRename() {
  if (options_.sync) CKPT_RETURN_IF_ERROR(file_->Sync());
  CKPT_RETURN_IF_ERROR(file_->Close());
  file_.reset();
  if (options_.sync && options_.sync_dir_before_rename) CKPT_RETURN_IF_ERROR(fs_->SyncDir(Directory()));
  return fs_->RenameFile(temp_, path_);
}

Status AtomicFile::Commit() {
  if (state_ != State::kOpen) {
    return FailedPreconditionError("publishing " + path_ + ": the file was already " +
                                   (published() ? "published" : "abandoned"));
  }
  if (Status s = CloseAndRename(); !s.ok()) {
    Abandon();
    return s;
  }
  state_ = State::kPublished;
  if (options_.sync && options_.sync_dir_after_rename) return fs_->SyncDir(Directory());
  return OkStatus();
}

void AtomicFile::Abandon() {
  if (state_ != State::kOpen) return;
  state_ = State::kAbandoned;
  file_.reset();  // the implicit close; its error does not matter any more
  fs_->DeleteFile(temp_).IgnoreError();
}

Status WriteFileAtomically(FileSystem* fs, const std::string& path, std::string_view contents,
                           const AtomicFileOptions& options) {
  CKPT_ASSIGN_OR_RETURN(std::unique_ptr<AtomicFile> out, AtomicFile::Create(fs, path, options));
  CKPT_RETURN_IF_ERROR(out->file()->Append(contents));
  return out->Commit();
}

}  // namespace ckpt::io
