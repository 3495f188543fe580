#include "testing/logging_file_system.h"

#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string_view>

#include "ckpt/status_macros.h"

namespace ckpt::test {
namespace {

class LoggingFile final : public WritableFile {
 public:
  LoggingFile(LoggingFileSystem* fs, std::unique_ptr<WritableFile> f) : fs_(fs), f_(std::move(f)) {}
  Status Append(const void* data, size_t n) override {
    fs_->log.push_back("append");
    CKPT_RETURN_IF_ERROR(fs_->Maybe("append"));
    return f_->Append(data, n);
  }
  Status Sync() override {
    fs_->log.push_back("sync");
    CKPT_RETURN_IF_ERROR(fs_->Maybe("sync"));
    return f_->Sync();
  }
  Status Close() override {
    fs_->log.push_back("close");
    CKPT_RETURN_IF_ERROR(fs_->Maybe("close"));
    return f_->Close();
  }
  uint64_t Size() const override { return f_->Size(); }

 private:
  LoggingFileSystem* fs_;
  std::unique_ptr<WritableFile> f_;
};

}  // namespace

Status LoggingFileSystem::Maybe(const std::string& kind) {
  if (kind != fail || failed_) return OkStatus();
  failed_ = true;
  return UnavailableError("injected " + kind + " failure");
}

Result<std::unique_ptr<WritableFile>> LoggingFileSystem::NewWritableFile(const std::string& path,
                                                                         const WritableFileOptions& options) {
  log.push_back("create " + path);
  direct_io.push_back(options.direct_io);
  CKPT_RETURN_IF_ERROR(Maybe("create"));
  CKPT_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, base_->NewWritableFile(path, options));
  return std::unique_ptr<WritableFile>(std::make_unique<LoggingFile>(this, std::move(f)));
}

Status LoggingFileSystem::RenameFile(const std::string& from, const std::string& to) {
  log.push_back("rename " + from + " -> " + to);
  CKPT_RETURN_IF_ERROR(Maybe("rename"));
  return base_->RenameFile(from, to);
}

Status LoggingFileSystem::DeleteFile(const std::string& path) {
  log.push_back("delete " + path);
  return base_->DeleteFile(path);
}

Status LoggingFileSystem::SyncDir(const std::string& dir) {
  log.push_back("syncdir " + dir);
  CKPT_RETURN_IF_ERROR(Maybe("syncdir"));
  return base_->SyncDir(dir);
}

std::unique_ptr<FileSystem> MemoryFileSystemWithDir(const std::string& dir) {
  auto fs = NewMemoryFileSystem();
  if (Status s = fs->RecursivelyCreateDir(dir); !s.ok()) {
    std::fprintf(stderr, "MemoryFileSystemWithDir(%s): %s\n", dir.c_str(), s.ToString().c_str());
    std::abort();  // a test fixture that cannot start has no result to report
  }
  return fs;
}

std::vector<std::string> LoggingFileSystem::LogWithTempOf(const std::string& path) const {
  std::string quoted;  // `path` as a regex matching itself
  for (char c : path) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) quoted += '\\';
    quoted += c;
  }
  const std::regex temp(quoted + R"(\.tmp[0-9a-f]{32})");
  std::vector<std::string> out;
  for (const std::string& line : log) out.push_back(std::regex_replace(line, temp, "T"));
  return out;
}

}  // namespace ckpt::test
