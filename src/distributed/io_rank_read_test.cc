// IoRankClient / ServeIoRankReads: the other ranks' file-system calls served
// by the io rank, with its errors passed through unchanged, reads split into
// chunks, and no call reaching storage after Finish.
#include "distributed/io_rank_read.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "ckpt/status_macros.h"
#include "distributed/in_process_communicator.h"
#include "testing/status_matchers.h"

namespace ckpt::distributed {
namespace {

using namespace std::chrono_literals;

std::string Bytes(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 31 + 7);
  return s;
}

// What a client rank sees; every check returns an error naming itself.
Status ExerciseClient(IoRankClient& fs) {
  CKPT_RETURN_IF_ERROR(fs.FileExists("/d/f"));
  if (fs.FileExists("/d/nope").code() != StatusCode::kNotFound) return InternalError("FileExists of a missing file");
  CKPT_ASSIGN_OR_RETURN(uint64_t size, fs.GetFileSize("/d/f"));
  if (size != 100) return InternalError("size " + std::to_string(size));
  if (!fs.IsDirectory("/d") || fs.IsDirectory("/d/f")) return InternalError("IsDirectory");
  CKPT_ASSIGN_OR_RETURN(auto names, fs.GetChildren("/d"));
  std::sort(names.begin(), names.end());
  if (names != std::vector<std::string>{"e", "f"}) return InternalError("children");
  CKPT_ASSIGN_OR_RETURN(auto file, fs.NewRandomAccessFile("/d/f"));
  if (file->Size() != 100 || file->path() != "/d/f") return InternalError("file size/path");
  std::string got(90, '\0');
  CKPT_RETURN_IF_ERROR(file->Read(3, 90, got.data()));  // 13 requests of at most 7 bytes
  if (got != Bytes(100).substr(3, 90)) return InternalError("bytes differ");
  uint32_t crc = 0;
  CKPT_RETURN_IF_ERROR(file->ReadWithCrc32c(0, 0, got.data(), &crc));
  CKPT_ASSIGN_OR_RETURN(auto empty, fs.NewRandomAccessFile("/d/e"));
  if (empty->Size() != 0) return InternalError("empty file size");
  // The io rank's errors, unchanged (code and path).
  Status past_end = file->Read(95, 10, got.data());
  if (past_end.code() != StatusCode::kOutOfRange || past_end.message().find("/d/f") == std::string::npos) {
    return InternalError("read past the end: " + past_end.ToString());
  }
  auto missing = fs.NewRandomAccessFile("/d/missing");
  if (missing.status().code() != StatusCode::kNotFound ||
      missing.status().message().find("/d/missing") == std::string::npos) {
    return InternalError("open of a missing file: " + missing.status().ToString());
  }
  // Read-only: refused here, nothing sent.
  if (fs.NewWritableFile("/d/w", {}).status().code() != StatusCode::kFailedPrecondition ||
      fs.DeleteFile("/d/f").code() != StatusCode::kFailedPrecondition ||
      fs.RenameFile("/d/f", "/d/g").code() != StatusCode::kFailedPrecondition ||
      fs.CreateDir("/x").code() != StatusCode::kFailedPrecondition) {
    return InternalError("a mutating call was not refused");
  }
  CKPT_RETURN_IF_ERROR(fs.Finish());
  // After Finish the io rank no longer serves: a clear error, no wait.
  if (file->Read(0, 1, got.data()).code() != StatusCode::kFailedPrecondition ||
      fs.FileExists("/d/f").code() != StatusCode::kFailedPrecondition) {
    return InternalError("a call after Finish did not fail");
  }
  return OkStatus();
}

TEST(IoRankReadTest, TheIoRankServesEveryOtherRanksCallsAndPassesItsErrorsThrough) {
  for (int io : {0, 2}) {
    auto storage = NewMemoryFileSystem();
    ASSERT_OK(storage->RecursivelyCreateDir("/d"));
    {
      auto f = *storage->NewWritableFile("/d/f");
      ASSERT_OK(f->Append(Bytes(100)));
      ASSERT_OK(f->Close());
      auto e = *storage->NewWritableFile("/d/e");
      ASSERT_OK(e->Close());
    }
    InProcessGroup group(3);
    auto results = group.Run([&](Communicator& comm) -> Status {
      if (comm.rank() == io) return ServeIoRankReads(comm, storage.get(), 60s, 7);
      IoRankClient fs(comm, io, 60s, 7);
      return ExerciseClient(fs);
    });
    for (int r = 0; r < 3; ++r) {
      EXPECT_TRUE(results[static_cast<size_t>(r)].ok()) << results[static_cast<size_t>(r)].ToString() << " io " << io << " rank " << r;
    }
  }
}

// A client that never asks: the io rank fails at its deadline naming the
// rank and aborts the group, no hang.
TEST(IoRankReadTest, ARankThatNeverTakesPartFailsTheIoRankAtTheDeadline) {
  auto storage = NewMemoryFileSystem();
  InProcessGroup group(2);
  group.InjectFault({.rank = 1, .call = 0, .kind = InjectedFault::Kind::kStall});
  auto results = group.Run([&](Communicator& comm) -> Status {
    if (comm.rank() == 0) return ServeIoRankReads(comm, storage.get(), 200ms, 7);
    IoRankClient fs(comm, 0, 60s, 7);  // its stalled Send outwaits the io rank's deadline
    Status s = fs.FileExists("/x");  // stalls in its Send
    return s.ok() ? fs.Finish() : s;
  });
  EXPECT_CODE(results[0], StatusCode::kDeadlineExceeded);
  EXPECT_NE(results[0].message().find("rank 1"), std::string::npos) << results[0].ToString();
  EXPECT_FALSE(results[1].ok());
}

}  // namespace
}  // namespace ckpt::distributed
