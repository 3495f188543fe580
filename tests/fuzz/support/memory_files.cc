// PutFile / GetFile (support/memory_files.h).
#include "support/memory_files.h"

#include "engine/checks.h"

namespace ckpt::fuzz {

void PutFile(FileSystem* fs, const std::string& path, const std::string& bytes) {
  auto f = fs->NewWritableFile(path);
  FUZZ_CHECK(f.ok(), "memory fs: " + f.status().ToString());
  FUZZ_CHECK((*f)->Append(bytes).ok(), "memory fs append");
  FUZZ_CHECK((*f)->Close().ok(), "memory fs close");
}

std::string GetFile(FileSystem* fs, const std::string& path) {
  auto s = fs->ReadFileToString(path);
  FUZZ_CHECK(s.ok(), s.status().ToString());
  return *s;
}

}  // namespace ckpt::fuzz
