// CheckpointOptions::experimental_sharding_callback through Checkpoint and
// CheckpointManager: several data files, values cut into slices, restored by
// ckpt; async saves write what sync saves write; ShardByTaskPolicy changes
// nothing; a failure in any shard's writer publishes nothing; distributed
// saves accept ShardByTaskPolicy only.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/checkpoint.h"
#include "ckpt/checkpoint_manager.h"
#include "ckpt/sharding.h"
#include "ckpt/variable.h"
#include "distributed/in_process_communicator.h"
#include "graph/graph_test_helpers.h"
#include "testing/fault_injection_file_system.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

using graph::testing::MemOptions;
using graph::testing::OpenBundle;

struct Model : Module {
  Variable big{DType::kFloat, {40, 9}};
  Variable ints{DType::kInt32, {300}};
  Variable small{DType::kDouble, {}};
  Variable words{DType::kString, {3}};
  Variable wide{DType::kFloat, {3, 100}};
  Model() {
    Track("big", big).IgnoreError();
    Track("ints", ints).IgnoreError();
    Track("small", small).IgnoreError();
    Track("words", words).IgnoreError();
    Track("wide", wide).IgnoreError();
  }
  void Fill(float seed) {
    for (size_t i = 0; i < big.flat<float>().size(); ++i) big.flat<float>()[i] = seed + static_cast<float>(i);
    for (size_t i = 0; i < ints.flat<int32_t>().size(); ++i) ints.flat<int32_t>()[i] = static_cast<int32_t>(i) * 7;
    small.flat<double>()[0] = seed * 2.5;
    words.strings() = {std::string(50, 'x'), "", std::string("\x00\x01", 2)};
    for (size_t i = 0; i < wide.flat<float>().size(); ++i) wide.flat<float>()[i] = seed - static_cast<float>(i);
  }
  bool Equals(Model& o) {
    return std::equal(big.flat<float>().begin(), big.flat<float>().end(), o.big.flat<float>().begin()) &&
           std::equal(ints.flat<int32_t>().begin(), ints.flat<int32_t>().end(), o.ints.flat<int32_t>().begin()) &&
           small.flat<double>()[0] == o.small.flat<double>()[0] && words.strings() == o.words.strings() &&
           std::equal(wide.flat<float>().begin(), wide.flat<float>().end(), o.wide.flat<float>().begin());
  }
};

CheckpointOptions WithPolicy(FileSystem* fs, std::shared_ptr<const ShardingCallback> cb) {
  CheckpointOptions o = MemOptions(fs);
  o.experimental_sharding_callback = std::move(cb);
  return o;
}

std::vector<std::string> Children(FileSystem* fs, const std::string& dir) {
  auto c = fs->GetChildren(dir);
  if (!c.ok()) return {};
  std::sort(c->begin(), c->end());
  return *c;
}

class ShardedSaveTest : public ::testing::Test {
 protected:
  void SetUp() override { fs_ = NewMemoryFileSystem(); }
  std::unique_ptr<FileSystem> fs_;
};

TEST_F(ShardedSaveTest, MaxShardSizeWritesSeveralDataFilesThatRestore) {
  Model m;
  m.Fill(1);
  Checkpoint ck({{"m", &m}}, MemOptions(fs_.get()));
  auto path = ck.Save("/d/ck", WithPolicy(fs_.get(), std::make_shared<MaxShardSizePolicy>(1000)));
  ASSERT_OK(path);
  auto r = OpenBundle(fs_.get(), *path);
  ASSERT_TRUE(r);
  // 1440 + 1200 + 8 + 52 + 1200 bytes, at most 1000 per shard.
  EXPECT_GE(r->num_shards(), 4);
  for (int s = 0; s < r->num_shards(); ++s) EXPECT_OK(fs_->FileExists(DataFilename(*path, s, r->num_shards())));
  EXPECT_CODE(fs_->FileExists("/d/ck-1_temp"), StatusCode::kNotFound);  // parts merged, directory gone
  auto big = r->Lookup("m/big/.ATTRIBUTES/VARIABLE_VALUE");
  ASSERT_OK(big);
  EXPECT_GT(big->slices.size(), 1u);
  EXPECT_OK(r->VerifyAll());

  Model back;
  Checkpoint ck2({{"m", &back}}, MemOptions(fs_.get()));
  auto status = ck2.Restore(*path);
  ASSERT_OK(status);
  EXPECT_OK(status->AssertConsumed());
  EXPECT_TRUE(back.Equals(m));
}

TEST_F(ShardedSaveTest, AsyncWritesWhatSyncWrites) {
  Model m;
  m.Fill(3);
  Checkpoint ck({{"m", &m}}, MemOptions(fs_.get()));
  auto policy = std::make_shared<MaxShardSizePolicy>(700);
  ASSERT_OK(ck.Write("/d/sync", WithPolicy(fs_.get(), policy)));
  CheckpointOptions async = WithPolicy(fs_.get(), policy);
  async.enable_async = true;
  ASSERT_OK(ck.Write("/d/async", async));
  m.Fill(99);  // after staging: must not show in the files
  ASSERT_OK(ck.Sync());
  m.Fill(3);
  auto a = OpenBundle(fs_.get(), "/d/sync");
  auto b = OpenBundle(fs_.get(), "/d/async");
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->num_shards(), b->num_shards());
  const auto la = a->List(), lb = b->List();
  ASSERT_EQ(la.size(), lb.size());
  for (size_t i = 0; i < la.size(); ++i) {
    EXPECT_EQ(la[i].key, lb[i].key);
    EXPECT_EQ(la[i].slices, lb[i].slices) << la[i].key;
    EXPECT_EQ(la[i].shard_id, lb[i].shard_id) << la[i].key;
    EXPECT_EQ(la[i].masked_crc32c, lb[i].masked_crc32c) << la[i].key;
  }
}

TEST_F(ShardedSaveTest, ShardByTaskWritesTheSameFilesAsNoCallback) {
  Model m;
  m.Fill(2);
  Checkpoint ck({{"m", &m}}, MemOptions(fs_.get()));
  ASSERT_OK(ck.Write("/d/plain"));
  ASSERT_OK(ck.Write("/d/task", WithPolicy(fs_.get(), std::make_shared<ShardByTaskPolicy>())));
  for (const char* suffix : {".index", ".data-00000-of-00001"}) {
    auto read = [&](const std::string& p) {
      auto f = fs_->NewRandomAccessFile(p);
      std::string s(f.ok() ? (*f)->Size() : 0, '\0');
      if (f.ok()) EXPECT_OK((*f)->Read(0, s.size(), s.data()));
      return s;
    };
    EXPECT_EQ(read(std::string("/d/plain") + suffix), read(std::string("/d/task") + suffix)) << suffix;
  }
}

TEST_F(ShardedSaveTest, BadPolicyFailsTheCallAndWritesNothing) {
  Model m;
  m.Fill(2);
  Checkpoint ck({{"m", &m}}, MemOptions(fs_.get()));
  for (bool async : {false, true}) {
    CheckpointOptions o = WithPolicy(fs_.get(), std::make_shared<MaxShardSizePolicy>(0));
    o.enable_async = async;
    EXPECT_CODE(ck.Save("/d/ck", o).status(), StatusCode::kInvalidArgument);
    EXPECT_OK(ck.Sync());
  }
  EXPECT_TRUE(Children(fs_.get(), "/d").empty());
  // The counter was put back: the next save is ckpt-1.
  auto path = ck.Save("/d/ck");
  ASSERT_OK(path);
  EXPECT_EQ(*path, "/d/ck-1");
}

TEST_F(ShardedSaveTest, AFailureInAnyShardWriterPublishesNothing) {
  Model m;
  m.Fill(5);
  auto policy = std::make_shared<MaxShardSizePolicy>(600);
  // Count the mutating calls of one save, then fail each one in turn.
  uint64_t calls = 0;
  {
    test::FaultInjectionFileSystem fault(fs_.get());
    Checkpoint ck({{"m", &m}}, WithPolicy(&fault, nullptr));
    ASSERT_OK(ck.Write("/count/ck", WithPolicy(&fault, policy)));
    calls = fault.mutating_calls();
  }
  ASSERT_GT(calls, 20u);
  int failed = 0;
  for (uint64_t k = 1; k <= calls; ++k) {
    auto mem = NewMemoryFileSystem();
    test::FaultInjectionFileSystem fault(mem.get());
    Checkpoint ck({{"m", &m}}, WithPolicy(&fault, nullptr));
    fault.FailAfter(k, StatusCode::kInternal);
    Result<std::string> path = ck.Write("/d/ck", WithPolicy(&fault, policy));
    fault.ClearFaults();
    if (path.ok()) {
      // The failed call was a best-effort one (a cleanup step): the
      // checkpoint must then be complete.
      auto r = OpenBundle(mem.get(), "/d/ck");
      ASSERT_TRUE(r) << k;
      EXPECT_OK(r->VerifyAll());
      continue;
    }
    ++failed;
    SCOPED_TRACE("failing call " + std::to_string(k) + ": " + path.status().ToString());
    EXPECT_CODE(mem->FileExists("/d/ck.index"), StatusCode::kNotFound);
    // No part of it is left under the temporary directory.
    for (const std::string& f : Children(mem.get(), "/d/ck_temp")) {
      EXPECT_EQ(f.find(".index"), std::string::npos) << k << ": " << f;
    }
    // The next save succeeds and restores.
    ASSERT_OK(ck.Write("/d/ck", WithPolicy(&fault, policy)));
    Model back;
    Checkpoint ck2({{"m", &back}}, MemOptions(mem.get()));
    ASSERT_OK(ck2.Restore("/d/ck"));
    EXPECT_TRUE(back.Equals(m)) << k;
  }
  EXPECT_GT(failed, 20);
}

TEST_F(ShardedSaveTest, ManagerSavesThroughThePolicy) {
  Model m;
  m.Fill(4);
  Checkpoint ck({{"m", &m}}, MemOptions(fs_.get()));
  CheckpointManagerOptions mo;
  mo.save_options = WithPolicy(fs_.get(), std::make_shared<MaxShardSizePolicy>(1000));
  auto manager = CheckpointManager::Create(ck, "/run", 2, mo);
  ASSERT_OK(manager);
  auto path = (*manager)->Save();
  ASSERT_OK(path);
  ASSERT_TRUE(path->has_value());
  auto r = OpenBundle(fs_.get(), **path);
  ASSERT_TRUE(r);
  EXPECT_GE(r->num_shards(), 4);
}

// A process killed during a sharded save leaves its parts in <path>_temp/:
// the manager's first save (holding the directory lock) removes the part
// files and the then empty directory, and nothing else.
TEST_F(ShardedSaveTest, TheManagersFirstSaveRemovesAKilledShardedSavesParts) {
  ASSERT_OK(fs_->RecursivelyCreateDir("/run/ckpt-4_temp"));
  ASSERT_OK(fs_->RecursivelyCreateDir("/run/ckpt-5_temp"));
  for (const std::string f : {"/run/ckpt-4_temp/part-00000-of-00003.index", "/run/ckpt-4_temp/part-00002-of-00003.data-00000-of-00001",
                              "/run/ckpt-5_temp/part-00001-of-00002.index.tmp9f", "/run/ckpt-5_temp/notes.txt"}) {
    auto file = fs_->NewWritableFile(f);
    ASSERT_OK(file);
    ASSERT_OK((*file)->Append("x"));
    ASSERT_OK((*file)->Close());
  }
  Model m;
  m.Fill(5);
  Checkpoint ck({{"m", &m}}, MemOptions(fs_.get()));
  CheckpointManagerOptions mo;
  mo.save_options = WithPolicy(fs_.get(), std::make_shared<MaxShardSizePolicy>(1000));
  auto manager = CheckpointManager::Create(ck, "/run", 2, mo);
  ASSERT_OK(manager);
  auto path = (*manager)->Save();
  ASSERT_OK(path);
  EXPECT_FALSE(fs_->FileExists("/run/ckpt-4_temp").ok());
  EXPECT_EQ(Children(fs_.get(), "/run/ckpt-5_temp"), std::vector<std::string>{"notes.txt"});
  EXPECT_FALSE(fs_->FileExists("/run/ckpt-1_temp").ok());  // the save's own parts are merged and gone
}

TEST_F(ShardedSaveTest, DistributedSavesAcceptShardByTaskOnly) {
  for (int n : {2, 3}) {
    distributed::InProcessGroup group(n);
    auto results = group.Run([&](Communicator& comm) -> Result<std::string> {
      Model m;
      m.Fill(1);
      Checkpoint ck({{"m", &m}}, MemOptions(fs_.get()));
      CheckpointOptions o = WithPolicy(fs_.get(), std::make_shared<MaxShardSizePolicy>(100));
      o.communicator = &comm;
      o.collective_timeout = std::chrono::seconds(30);
      return ck.Write("/dist" + std::to_string(n) + "/a", o);
    });
    for (auto& r : results) EXPECT_CODE(r.status(), StatusCode::kUnimplemented);
    EXPECT_TRUE(Children(fs_.get(), "/dist" + std::to_string(n)).empty());

    results = group.Run([&](Communicator& comm) -> Result<std::string> {
      Model m;
      m.Fill(1);
      Checkpoint ck({{"m", &m}}, MemOptions(fs_.get()));
      CheckpointOptions o = WithPolicy(fs_.get(), std::make_shared<ShardByTaskPolicy>());
      o.communicator = &comm;
      o.collective_timeout = std::chrono::seconds(30);
      return ck.Write("/dist" + std::to_string(n) + "/b", o);
    });
    for (auto& r : results) EXPECT_OK(r);
    Model back;
    Checkpoint ck2({{"m", &back}}, MemOptions(fs_.get()));
    ASSERT_OK(ck2.Restore("/dist" + std::to_string(n) + "/b"));
    Model want;
    want.Fill(1);
    EXPECT_TRUE(back.Equals(want));
  }
}

}  // namespace
}  // namespace ckpt
