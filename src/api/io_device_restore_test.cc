// Checkpoint::Restore/Read with CheckpointOptions::experimental_io_device
// naming a task in a group: the io rank reads for everyone, the other ranks
// make no file-system call; every dtype, sharded blocks and replicated
// values, bit for bit on any M; the io rank's errors on every rank; a
// stalled rank fails at the deadline.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ckpt/checkpoint.h"
#include "ckpt/sharded_variable.h"
#include "ckpt/status_macros.h"
#include "distributed/in_process_communicator.h"
#include "testing/call_recording_file_system.h"
#include "testing/rank_model.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

using distributed::InjectedFault;
using distributed::InProcessGroup;
using namespace std::chrono_literals;
using test::RankModel;


CheckpointOptions Options(FileSystem* fs, Communicator* comm, std::string io_device,
                          std::chrono::milliseconds timeout = 60s) {
  CheckpointOptions o;
  o.fs = fs;
  o.sync = false;
  o.communicator = comm;
  o.collective_timeout = timeout;
  o.experimental_io_device = std::move(io_device);
  return o;
}

// Saves a RankModel from n ranks (each writing its own part) at
// `prefix`-1.
void SaveOnN(FileSystem* fs, int n, const std::string& prefix) {
  InProcessGroup group(n);
  auto results = group.Run([&](Communicator& comm) -> Result<std::string> {
    RankModel model(comm.rank(), n);
    Checkpoint ck(model.named, Options(fs, &comm, ""));
    return ck.Save(prefix);
  });
  for (const auto& r : results) ASSERT_OK(r);
}

// Restores `prefix` on m ranks with io rank `io`: the io rank reads `fs`,
// every other rank a recording file system that refuses every call.
std::vector<Status> RestoreOnM(FileSystem* fs, int m, int io, const std::string& prefix, bool read = false,
                               std::vector<std::unique_ptr<test::CallRecordingFileSystem>>* recording = nullptr) {
  std::vector<std::unique_ptr<test::CallRecordingFileSystem>> own(static_cast<size_t>(m));
  if (recording == nullptr) recording = &own;
  recording->resize(static_cast<size_t>(m));
  for (auto& r : *recording) r = std::make_unique<test::CallRecordingFileSystem>();
  InProcessGroup group(m);
  return group.Run([&](Communicator& comm) -> Status {
    RankModel model(comm.rank(), m, /*zero=*/true);
    FileSystem* mine = comm.rank() == io ? fs : (*recording)[static_cast<size_t>(comm.rank())].get();
    Checkpoint ck(model.named, Options(mine, &comm, "/job:worker/replica:0/task:" + std::to_string(io) + "/device:CPU:0"));
    CKPT_ASSIGN_OR_RETURN(LoadStatus status, read ? ck.Read(prefix) : ck.Restore(prefix));
    // Read creates no save_counter, so the saved one stays unconsumed.
    CKPT_RETURN_IF_ERROR(read ? status.AssertExistingObjectsMatched() : status.AssertConsumed());
    return model.CheckRestored();
  });
}

TEST(IoDeviceRestoreTest, TheIoRankReadsForEveryRankBitExactOnAnyMAndTheOthersTouchNoFile) {
  auto fs = NewMemoryFileSystem();
  for (int n = 2; n <= 4; ++n) {
    const std::string prefix = "/d/n" + std::to_string(n) + "/ck";
    SaveOnN(fs.get(), n, prefix);
    const std::string path = prefix + "-1";
    for (int m = 2; m <= 4; ++m) {
      for (int io : {0, m - 1}) {
        std::vector<std::unique_ptr<test::CallRecordingFileSystem>> recording;
        auto results = RestoreOnM(fs.get(), m, io, path, /*read=*/m == 3, &recording);
        for (int r = 0; r < m; ++r) {
          EXPECT_TRUE(results[static_cast<size_t>(r)].ok()) << results[static_cast<size_t>(r)].ToString() << " N=" << n << " M=" << m << " io " << io << " rank " << r;
          if (r != io) {
            EXPECT_TRUE(recording[static_cast<size_t>(r)]->calls().empty())
                << "N=" << n << " M=" << m << " io " << io << " rank " << r << " called the file system";
          }
        }
      }
    }
  }
}

// TF's restore(path, options=...): a Checkpoint built without a group gets
// the communicator and the io rank with the call, and reads through it.
TEST(IoDeviceRestoreTest, PerCallOptionsNameTheIoRank) {
  auto fs = NewMemoryFileSystem();
  SaveOnN(fs.get(), 3, "/d/call/ck");
  const int m = 3, io = 1;
  std::vector<std::unique_ptr<test::CallRecordingFileSystem>> recording(m);
  for (auto& r : recording) r = std::make_unique<test::CallRecordingFileSystem>();
  InProcessGroup group(m);
  auto results = group.Run([&](Communicator& comm) -> Status {
    RankModel model(comm.rank(), m, /*zero=*/true);
    FileSystem* mine = comm.rank() == io ? fs.get() : recording[static_cast<size_t>(comm.rank())].get();
    Checkpoint ck(model.named, Options(mine, nullptr, ""));
    const CheckpointOptions call = Options(nullptr, &comm, "/task:1");
    CKPT_ASSIGN_OR_RETURN(LoadStatus status, comm.rank() == 2 ? ck.Read("/d/call/ck-1", call)
                                                              : ck.Restore("/d/call/ck-1", call));
    CKPT_RETURN_IF_ERROR(comm.rank() == 2 ? status.AssertExistingObjectsMatched() : status.AssertConsumed());
    return model.CheckRestored();
  });
  for (int r = 0; r < m; ++r) {
    EXPECT_TRUE(results[static_cast<size_t>(r)].ok()) << results[static_cast<size_t>(r)].ToString() << " rank " << r;
    if (r != io) EXPECT_TRUE(recording[static_cast<size_t>(r)]->calls().empty()) << "rank " << r;
  }
}

TEST(IoDeviceRestoreTest, AMissingCheckpointGivesTheIoRanksNotFoundOnEveryRank) {
  auto fs = NewMemoryFileSystem();
  auto results = RestoreOnM(fs.get(), 3, 1, "/nowhere/ck-1");
  for (const Status& s : results) {
    EXPECT_CODE(s, StatusCode::kNotFound);
    EXPECT_EQ(s, results[1]);  // the io rank's own error, word for word
    EXPECT_NE(s.message().find("/nowhere/ck-1"), std::string::npos) << s.ToString();
  }
}

TEST(IoDeviceRestoreTest, AMissingDataFileGivesTheIoRanksErrorNamingItOnEveryRank) {
  auto fs = NewMemoryFileSystem();
  SaveOnN(fs.get(), 2, "/d/ck");
  auto children = fs->GetChildren("/d");
  ASSERT_OK(children);
  std::string data;
  for (const std::string& c : *children) {
    if (c.find(".data-00001-of-") != std::string::npos) data = "/d/" + c;
  }
  ASSERT_FALSE(data.empty());
  ASSERT_OK(fs->DeleteFile(data));
  auto results = RestoreOnM(fs.get(), 3, 2, "/d/ck-1");
  for (size_t r = 0; r < results.size(); ++r) {
    EXPECT_FALSE(results[r].ok()) << "rank " << r;
    EXPECT_EQ(results[r].code(), results[2].code()) << results[r].ToString();
    EXPECT_NE(results[r].message().find(std::string(Basename(data))), std::string::npos) << results[r].ToString();
  }
}

TEST(IoDeviceRestoreTest, BadOrDisagreeingIoDevicesFailEveryRankAlikeBeforeReading) {
  auto fs = NewMemoryFileSystem();
  SaveOnN(fs.get(), 2, "/d/ck");
  for (int variant = 0; variant < 3; ++variant) {
    InProcessGroup group(3);
    auto results = group.Run([&](Communicator& comm) -> Status {
      RankModel model(comm.rank(), 3, /*zero=*/true);
      const std::string device = variant == 0   ? "/task:3"
                                 : variant == 1 ? "/task:x"
                                                : "/task:" + std::to_string(comm.rank() == 2 ? 1 : 0);
      Checkpoint ck(model.named, Options(fs.get(), &comm, device));
      return ck.Restore("/d/ck-1").status();
    });
    for (const Status& s : results) {
      EXPECT_CODE(s, StatusCode::kInvalidArgument);
      EXPECT_EQ(s, results[0]);
    }
  }
}

// A value deferred to an object attached after the collective restore: R
// still reads it, the other ranks get FailedPrecondition (R stopped serving
// when their restore returned), not a hang.
TEST(IoDeviceRestoreTest, AValueDeferredPastTheRestoreIsReadOnlyOnTheIoRank) {
  auto fs = NewMemoryFileSystem();
  {
    Variable a(DType::kInt64, TensorShape{2}, "a"), b(DType::kInt64, TensorShape{2}, "b");
    a.flat<int64_t>()[1] = 2;
    b.flat<int64_t>()[1] = 4;
    Checkpoint ck({{"a", &a}, {"b", &b}}, Options(fs.get(), nullptr, ""));
    ASSERT_OK(ck.Write("/d/ck"));
  }
  InProcessGroup group(2);
  auto results = group.Run([&](Communicator& comm) -> Status {
    Variable a(DType::kInt64, TensorShape{2}, "a"), b(DType::kInt64, TensorShape{2}, "b");
    test::CallRecordingFileSystem refusing;
    Checkpoint ck({{"a", &a}}, Options(comm.rank() == 0 ? fs.get() : &refusing, &comm, "/task:0"));
    CKPT_RETURN_IF_ERROR(ck.Read("/d/ck").status());
    if (a.flat<int64_t>()[1] != 2) return InternalError("a not restored");
    CKPT_RETURN_IF_ERROR(ck.root().Track("b", b));
    if (b.flat<int64_t>()[1] != 4) return InternalError("b not restored");
    return OkStatus();
  });
  EXPECT_OK(results[0]);
  EXPECT_CODE(results[1], StatusCode::kFailedPrecondition);
  EXPECT_NE(results[1].message().find("attach every object before"), std::string::npos) << results[1].ToString();
}

// A rank that stalls (never asks for its next bytes / never serves): the
// ranks waiting for it fail with DeadlineExceeded at collective_timeout or
// see the abort; nobody hangs.
TEST(IoDeviceRestoreTest, AStalledRankGivesADeadlineErrorNotAHang) {
  auto fs = NewMemoryFileSystem();
  SaveOnN(fs.get(), 2, "/d/ck");
  struct Case {
    int stalled;
    int call;
  };
  // Call 0 is the agreement all-gather; call 1 a client's first Send, or
  // the io rank's first Recv (rank 0 is the io rank).
  for (const Case c : {Case{2, 1}, Case{0, 1}, Case{1, 5}}) {
    InProcessGroup group(3);
    group.InjectFault({.rank = c.stalled, .call = c.call, .kind = InjectedFault::Kind::kStall});
    auto results = group.Run([&](Communicator& comm) -> Status {
      RankModel model(comm.rank(), 3, /*zero=*/true);
      // The stalled rank's own call waits far longer than the others'
      // deadline, so the ranks waiting for it are the ones that time out.
      Checkpoint ck(model.named, Options(fs.get(), &comm, "/task:0", comm.rank() == c.stalled ? 60s : 300ms));
      return ck.Restore("/d/ck-1").status();
    });
    // The ranks waiting for the stalled one fail with DeadlineExceeded
    // (one of them first; a rank waiting behind it may see its abort);
    // the stalled rank fails too; nobody hangs.
    int deadline = 0;
    for (int r = 0; r < 3; ++r) {
      const Status& s = results[static_cast<size_t>(r)];
      if (s.code() == StatusCode::kDeadlineExceeded) ++deadline;
      EXPECT_TRUE(s.ok() || s.code() == StatusCode::kDeadlineExceeded || s.code() == StatusCode::kAborted)
          << s.ToString();
    }
    EXPECT_GE(deadline, 1) << "stalled rank " << c.stalled << " at call " << c.call;
    EXPECT_FALSE(results[static_cast<size_t>(c.stalled)].ok());
  }
}

}  // namespace
}  // namespace ckpt
