// TempDir: a fresh directory on the real disk that deletes itself.
//
//   Result<TempDir> dir = TempDir::Create();
//   ASSERT_TRUE(dir.ok()) << dir.status().ToString();
//   std::string path = dir->Join("model.ckpt");   // "<tmp>/ckpt_test_XXXXXX/model.ckpt"
//
// The directory is made by mkdtemp(3) under $TMPDIR (or /tmp when it is unset
// or empty), so concurrent tests never share one. The destructor removes it
// recursively, ignoring errors (a test that fails half-way still cleans up).
// Movable, not copyable; a moved-from TempDir owns nothing and removes nothing.
//
// Thread-safety: a value; distinct TempDirs may be used from different threads.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "ckpt/status.h"

namespace ckpt::test {

class TempDir {
 public:
  // Creates "<$TMPDIR or /tmp>/<prefix>XXXXXX". Errors carry errno's code
  // (e.g. PermissionDenied, NotFound when $TMPDIR does not exist).
  static Result<TempDir> Create(std::string_view prefix = "ckpt_test_");

  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  // Absolute path of the directory, without a trailing '/'.
  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string Join(std::string_view name) const;

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  void Remove();

  std::string path_;  // empty once moved from
};

}  // namespace ckpt::test
