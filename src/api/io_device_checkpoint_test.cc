// CheckpointOptions::experimental_io_device naming a task in a distributed
// Checkpoint save: that rank writes the checkpoint and the state file, the
// other ranks make no file-system call; bad device strings fail every rank
// alike; strings without a task and single processes save as before.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ckpt/checkpoint.h"
#include "ckpt/checkpoint_manager.h"
#include "ckpt/checkpoint_state.h"
#include "ckpt/sharded_variable.h"
#include "ckpt/status_macros.h"
#include "distributed/in_process_communicator.h"
#include "testing/call_recording_file_system.h"
#include "testing/fault_injection_file_system.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

using distributed::InProcessGroup;
using namespace std::chrono_literals;

// A [9, 4] float sharded by rows, a [5] string vector sharded too, and a
// replicated int64 [3]; `zero`: zeros / empty strings (to restore into).
struct Model {
  Model(int rank, int size, bool zero = false) {
    const int64_t rows = 9 / size + (rank < 9 % size ? 1 : 0);
    int64_t start = 0;
    for (int q = 0; q < rank; ++q) start += 9 / size + (q < 9 % size ? 1 : 0);
    Tensor w = *Tensor::Make(DType::kFloat, {rows, 4});
    for (int64_t i = 0; i < w.num_elements(); ++i) w.flat<float>()[i] = zero ? 0.f : static_cast<float>(start * 4 + i);
    weights = std::make_unique<ShardedVariable>(std::move(w), TensorShape{9, 4}, std::vector<int64_t>{start, 0}, "w");
    const int64_t srows = 5 / size + (rank < 5 % size ? 1 : 0);
    int64_t sstart = 0;
    for (int q = 0; q < rank; ++q) sstart += 5 / size + (q < 5 % size ? 1 : 0);
    std::vector<std::string> s;
    for (int64_t i = 0; i < srows; ++i) s.push_back(zero ? "" : "word" + std::string(static_cast<size_t>(sstart + i), 'x'));
    words = std::make_unique<ShardedVariable>(Tensor::FromStrings({srows}, std::move(s)), TensorShape{5},
                                              std::vector<int64_t>{sstart}, "words");
    Tensor c = *Tensor::Make(DType::kInt64, {3});
    for (int64_t i = 0; i < 3; ++i) c.flat<int64_t>()[i] = zero ? 0 : 100 + i;
    counts = std::make_unique<Variable>(std::move(c), "counts");
    named = {{"w", weights.get()}, {"words", words.get()}, {"counts", counts.get()}};
  }
  std::unique_ptr<ShardedVariable> weights, words;
  std::unique_ptr<Variable> counts;
  std::vector<std::pair<std::string, Trackable*>> named;
};

CheckpointOptions Options(FileSystem* fs, Communicator* comm, std::string io_device) {
  CheckpointOptions o;
  o.fs = fs;
  o.communicator = comm;
  o.collective_timeout = 60s;
  o.experimental_io_device = std::move(io_device);
  return o;
}

TEST(IoDeviceCheckpointTest, TheNamedTaskWritesEverythingAndTheOthersTouchNoFile) {
  for (int n : {2, 3}) {
    const int io = n - 1;
    auto fs = NewMemoryFileSystem();
    std::vector<std::unique_ptr<test::CallRecordingFileSystem>> recording(static_cast<size_t>(n));
    for (auto& r : recording) r = std::make_unique<test::CallRecordingFileSystem>();
    InProcessGroup group(n);
    auto results = group.Run([&](Communicator& comm) -> Result<std::string> {
      Model model(comm.rank(), n);
      FileSystem* mine = comm.rank() == io ? fs.get() : recording[static_cast<size_t>(comm.rank())].get();
      Checkpoint ck(model.named, Options(mine, &comm, "/job:worker/replica:0/task:" + std::to_string(io) +
                                                          "/device:CPU:0"));
      return ck.Save("/d/ck");
    });
    for (int r = 0; r < n; ++r) {
      ASSERT_OK(results[static_cast<size_t>(r)]);
      EXPECT_EQ(*results[static_cast<size_t>(r)], "/d/ck-1");
      if (r != io) EXPECT_TRUE(recording[static_cast<size_t>(r)]->calls().empty()) << "n=" << n << " rank " << r;
    }
    // The io rank wrote the state file too.
    auto latest = LatestCheckpoint("/d", kDefaultStateFilename, fs.get());
    ASSERT_OK(latest);
    EXPECT_EQ(latest->value_or(""), "/d/ck-1");
    // Restored on another rank count, bit for bit.
    const int m = n == 2 ? 3 : 2;
    InProcessGroup readers(m);
    auto restored = readers.Run([&](Communicator& comm) -> Status {
      Model want(comm.rank(), m), got(comm.rank(), m, /*zero=*/true);
      Checkpoint ck(got.named, Options(fs.get(), &comm, ""));
      CKPT_ASSIGN_OR_RETURN(LoadStatus status, ck.Restore("/d/ck-1"));
      CKPT_RETURN_IF_ERROR(status.AssertConsumed());
      const Variable& a = got.weights->shard(0);
      const Variable& b = want.weights->shard(0);
      if (std::memcmp(a.data(), b.data(), static_cast<size_t>(a.shape().num_elements()) * 4) != 0) {
        return InternalError("w differs");
      }
      if (const_cast<Variable&>(got.words->shard(0)).strings() != const_cast<Variable&>(want.words->shard(0)).strings()) {
        return InternalError("words differ");
      }
      if (std::memcmp(got.counts->data(), want.counts->data(), 24) != 0) return InternalError("counts differ");
      return OkStatus();
    });
    for (auto& s : restored) EXPECT_OK(s);
  }
}

TEST(IoDeviceCheckpointTest, ATaskOutsideTheGroupOrAMalformedOneFailsEveryRankAndWritesNothing) {
  for (const std::string device : {"/job:worker/replica:0/task:3/device:CPU:0", "/task:one"}) {
    auto fs = NewMemoryFileSystem();
    InProcessGroup group(3);
    auto results = group.Run([&](Communicator& comm) -> Result<std::string> {
      Model model(comm.rank(), 3);
      Checkpoint ck(model.named, Options(fs.get(), &comm, device));
      auto path = ck.Save("/d/ck");
      if (ck.save_counter().flat<int64_t>()[0] != 0) return InternalError("counter moved");
      return path;
    });
    for (const auto& r : results) {
      EXPECT_CODE(r, StatusCode::kInvalidArgument);
      EXPECT_EQ(r.status(), results[0].status());
    }
    EXPECT_NE(results[0].status().message().find("experimental_io_device"), std::string::npos)
        << results[0].status().ToString();
    auto children = fs->GetChildren("/d");
    EXPECT_TRUE(!children.ok() || children->empty());
  }
}

// No task in the string, or one process: the option changes nothing (TF's
// options round-trip), byte for byte.
TEST(IoDeviceCheckpointTest, NoTaskOrOneProcessSavesAsWithoutTheOption) {
  auto fs = NewMemoryFileSystem();
  {
    Model model(0, 1);
    Checkpoint plain(model.named, Options(fs.get(), nullptr, ""));
    ASSERT_OK(plain.Write("/d/plain"));
    Checkpoint named_task(model.named, Options(fs.get(), nullptr, "/job:worker/replica:0/task:7/device:CPU:0"));
    ASSERT_OK(named_task.Write("/d/one"));
  }
  EXPECT_EQ(*fs->ReadFileToString("/d/plain.index"), *fs->ReadFileToString("/d/one.index"));
  EXPECT_EQ(*fs->ReadFileToString("/d/plain.data-00000-of-00001"), *fs->ReadFileToString("/d/one.data-00000-of-00001"));
  for (const std::string device : {"", "/device:CPU:0"}) {
    InProcessGroup group(2);
    auto results = group.Run([&](Communicator& comm) -> Result<std::string> {
      Model model(comm.rank(), 2);
      Checkpoint ck(model.named, Options(fs.get(), &comm, device));
      return ck.Write("/d/g" + std::to_string(device.size()));
    });
    for (const auto& r : results) ASSERT_OK(r);
  }
  EXPECT_EQ(*fs->ReadFileToString("/d/g0.index"), *fs->ReadFileToString("/d/g13.index"));
}

// A CheckpointManager given the option: the io rank takes the lock, writes
// the state file and prunes; the other ranks adopt its state. (A manager
// reads the directory's state when it is created, on every rank: the other
// ranks may read the shared storage, but every mutating call of theirs
// fails.)
TEST(IoDeviceCheckpointTest, TheIoRankKeepsTheManagersStateAndEveryRankAgrees) {
  auto fs = NewMemoryFileSystem();
  const int n = 3, io = 1;
  std::vector<std::unique_ptr<test::FaultInjectionFileSystem>> read_only;
  for (int r = 0; r < n; ++r) {
    read_only.push_back(std::make_unique<test::FaultInjectionFileSystem>(fs.get()));
    read_only.back()->CrashAfter(1);
  }
  InProcessGroup group(n);
  auto results = group.Run([&](Communicator& comm) -> Result<std::vector<std::string>> {
    Model model(comm.rank(), n);
    FileSystem* mine = comm.rank() == io ? fs.get() : read_only[static_cast<size_t>(comm.rank())].get();
    CheckpointOptions o = Options(mine, &comm, "/task:" + std::to_string(io));
    Checkpoint ck(model.named, o);
    CheckpointManagerOptions mo;
    mo.save_options = o;
    CKPT_ASSIGN_OR_RETURN(auto manager, CheckpointManager::Create(ck, "/m", 1, mo));
    for (int i = 0; i < 3; ++i) CKPT_RETURN_IF_ERROR(manager->Save().status());
    return manager->checkpoints();
  });
  for (auto& r : results) {
    ASSERT_OK(r);
    EXPECT_EQ(*r, std::vector<std::string>{"/m/ckpt-3"});
  }
  auto latest = LatestCheckpoint("/m", kDefaultStateFilename, fs.get());
  ASSERT_OK(latest);
  EXPECT_EQ(latest->value_or(""), "/m/ckpt-3");
  EXPECT_FALSE(fs->FileExists("/m/ckpt-1.index").ok());  // pruned by the io rank
  EXPECT_FALSE(fs->FileExists("/m/ckpt-2.index").ok());
  for (int r = 0; r < n; ++r) EXPECT_EQ(read_only[static_cast<size_t>(r)]->mutating_calls(), 0u) << "rank " << r;
}

}  // namespace
}  // namespace ckpt
