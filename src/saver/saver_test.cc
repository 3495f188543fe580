// The name-based Saver: construction, files, state, deletion, restore,
// SaverDef. Each test cites the SV items it pins.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "ckpt/bundle.h"
#include "ckpt/checkpoint_reader.h"
#include "ckpt/proto/trackable_object_graph.pb.h"
#include "ckpt/saver.h"
#include "io/uri_file_system.h"
#include "testing/call_recording_file_system.h"
#include "testing/fault_injection_file_system.h"
#include "testing/status_matchers.h"

namespace ckpt {
namespace {

std::shared_ptr<TensorVariable> Var(std::string name, std::vector<float> values, TensorShape shape = {},
                                    std::string device = {}) {
  if (shape.rank() == 0 && values.size() != 1) shape = TensorShape{static_cast<int64_t>(values.size())};
  Tensor t = *Tensor::Make(DType::kFloat, shape);
  std::memcpy(t.data(), values.data(), values.size() * 4);
  return std::make_shared<TensorVariable>(std::move(name), std::move(t), std::move(device));
}

std::vector<float> Values(const TensorVariable& v) {
  auto f = v.tensor().flat<float>();
  return {f.begin(), f.end()};
}

class SaverTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(fs_->RecursivelyCreateDir("/d")); }
  SaverOptions Opts() {
    SaverOptions o;
    o.fs = fs_.get();
    o.clock = [this] { return now_; };
    o.log = [this](std::string_view sev, std::string_view msg) { log_.push_back(std::string(sev) + ": " + std::string(msg)); };
    return o;
  }
  std::vector<std::string> Ls(const std::string& dir = "/d") {
    auto c = *fs_->GetChildren(dir);
    std::sort(c.begin(), c.end());
    return c;
  }
  CheckpointState State(const std::string& name = "checkpoint") {
    auto s = GetCheckpointState("/d", name, fs_.get());
    EXPECT_TRUE(s.ok() && s->has_value());
    return s.ok() && s->has_value() ? **s : CheckpointState{};
  }
  std::unique_ptr<FileSystem> fs_ = NewMemoryFileSystem();
  double now_ = 1000.0;
  std::vector<std::string> log_;
};

// SV-01, SV-09, SV-24, SV-42, SV-55: list keys by own name; V2 files;
// state file; restore into fresh variables.
TEST_F(SaverTest, SaveRestoreBasic) {
  auto v0 = Var("v0", {1.f}), v1 = Var("v1", {2.f, 3.f});
  auto saver = *Saver::Create(VarList::List({v1, v0}), Opts());
  EXPECT_EQ(saver->keys(), (std::vector<std::string>{"v0", "v1"}));
  auto path = saver->Save("/d/model");
  ASSERT_OK(path);
  EXPECT_EQ(**path, "/d/model");
  EXPECT_EQ(Ls(), (std::vector<std::string>{"checkpoint", "model.data-00000-of-00001", "model.index", "model.meta"}));
  EXPECT_EQ(State().model_checkpoint_path, "/d/model");
  EXPECT_EQ(State().all_model_checkpoint_paths, std::vector<std::string>{"/d/model"});
  EXPECT_TRUE(State().all_model_checkpoint_timestamps.empty());

  auto w0 = Var("v0", {0.f}), w1 = Var("v1", {0.f, 0.f});
  auto restorer = *Saver::Create(VarList::List({w0, w1}), Opts());
  ASSERT_OK(restorer->Restore("/d/model"));
  EXPECT_EQ(Values(*w0), std::vector<float>{1.f});
  EXPECT_EQ(Values(*w1), (std::vector<float>{2.f, 3.f}));
  EXPECT_NE(std::find(log_.begin(), log_.end(), "INFO: Restoring parameters from /d/model"), log_.end());
}

// SV-02, SV-03, SV-04, SV-05, SV-06.
TEST_F(SaverTest, ConstructionErrors) {
  auto v = Var("v1", {1.f});
  auto dup = Saver::Create(VarList::List({v, Var("v1", {2.f})}), Opts());
  EXPECT_EQ(dup.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(dup.status().message().find("same name: v1"), std::string::npos);
  auto two_names = Saver::Create(VarList::Map({{"a", v}, {"b", v}}), Opts());
  EXPECT_EQ(two_names.status().message(), "The same saveable will be restored with two names: b");

  SaverOptions deferred = Opts();
  deferred.defer_build = true;
  auto bad = Saver::Create(VarList::List({v}), deferred);
  EXPECT_EQ(bad.status().message(),
            "If `var_list` is provided then build cannot be deferred. Either set defer_build=False or var_list=None.");

  std::vector<VariablePtr> all;
  auto lazy = *Saver::Create(VarList::AllVariables([&] { return all; }), deferred);
  auto early = lazy->Save("/d/x");
  EXPECT_EQ(early.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(early.status().message(), "`build()` should be called before save if defer_build==True");
  all.push_back(Var("late", {4.f}));  // created after construction, captured by Build (SV-04)
  ASSERT_OK(lazy->Build());
  EXPECT_EQ(lazy->keys(), std::vector<std::string>{"late"});

  auto empty = Saver::Create(VarList(), Opts());
  EXPECT_EQ(empty.status().message(), "No variables to save");
  SaverOptions allow = Opts();
  allow.allow_empty = true;
  auto e = *Saver::Create(VarList(), allow);
  auto r = e->Save("/d/empty");
  ASSERT_OK(r);
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(Ls(), std::vector<std::string>{"empty.meta"});  // graph mode still writes .meta
  EXPECT_OK(e->Restore("/d/nothing"));
}

// SV-10, SV-11, SV-17, SV-18, SV-19, SV-35, SV-37.
TEST_F(SaverTest, NamingAndSaveErrors) {
  auto v = Var("v", {1.f});
  SaverOptions pad = Opts();
  pad.pad_step_number = true;
  auto saver = *Saver::Create(VarList::List({v}), pad);
  SaverSaveOptions so;
  so.global_step = 5;
  EXPECT_EQ(**saver->Save("/d/ckpt_with_global_step", so), "/d/ckpt_with_global_step-00000005");
  EXPECT_OK(fs_->FileExists("/d/ckpt_with_global_step-00000005.meta"));

  auto plain = *Saver::Create(VarList::List({v}), Opts());
  EXPECT_EQ(**plain->Save("/d/m", so), "/d/m-5");
  auto collide = plain->Save("/d/checkpoint");
  EXPECT_EQ(collide.status().message(), "'latest_filename' collides with 'save_path': 'checkpoint' and '/d/checkpoint'");
  EXPECT_EQ(**plain->Save("/d/checkpoint", so), "/d/checkpoint-5");
  SaverSaveOptions bad_latest;
  bad_latest.latest_filename = "sub/x";
  EXPECT_EQ(plain->Save("/d/m", bad_latest).status().message(), "'latest_filename' must not contain path components");

  SaverSaveOptions no_meta;
  no_meta.write_meta_graph = false;
  no_meta.write_state = false;
  no_meta.global_step = 9;
  ASSERT_OK(plain->Save("/d/n", no_meta));
  EXPECT_FALSE(fs_->FileExists("/d/n-9.meta").ok());
  EXPECT_EQ(State().model_checkpoint_path, "/d/checkpoint-5");  // write_state=false left it alone

  SaverSaveOptions other_state;
  other_state.latest_filename = "x";
  ASSERT_OK(plain->Save("/d/o", other_state));
  EXPECT_EQ(State("x").model_checkpoint_path, "/d/o");

  // V2 creates missing directories (as TF's BundleWriter does); V1 cannot.
  EXPECT_OK(plain->Save("/d/new/dir/m"));
  SaverOptions v1 = Opts();
  v1.write_version = CheckpointFormat::kV1;
  auto v1saver = *Saver::Create(VarList::List({v}), v1);
  auto missing = v1saver->Save("/nodir/m");
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(), "Parent directory of /nodir/m doesn't exist, can't save.");
}

// SV-12, SV-13, SV-14, SV-15, SV-16, SV-52: sharded and V1 layouts, and
// cross-restores.
TEST_F(SaverTest, ShardedAndV1Layouts) {
  auto a = Var("a", {1.f}, {}, "/cpu:0"), b = Var("b", {2.f}, {}, "/job:localhost/replica:0/task:0/device:CPU:1");
  SaverOptions sh = Opts();
  sh.sharded = true;
  auto v2s = *Saver::Create(VarList::List({a, b}), sh);
  EXPECT_EQ(v2s->AsSaverDef().save_tensor_name, "save/Identity:0");
  EXPECT_TRUE(v2s->AsSaverDef().sharded);  // SV-58
  SaverSaveOptions step;
  step.global_step = 3;
  EXPECT_EQ(**v2s->Save("/d/s", step), "/d/s-3");
  EXPECT_EQ(Ls(), (std::vector<std::string>{"checkpoint", "s-3.data-00000-of-00002", "s-3.data-00001-of-00002",
                                            "s-3.index", "s-3.meta"}));

  sh.write_version = CheckpointFormat::kV1;
  auto v1s = *Saver::Create(VarList::List({a, b}), sh);
  EXPECT_EQ(v1s->AsSaverDef().save_tensor_name, "save/ShardedFilespec:0");
  EXPECT_EQ(**v1s->Save("/d/t", step), "/d/t-3-????\?-of-00002");
  EXPECT_OK(fs_->FileExists("/d/t-3-00000-of-00002"));
  EXPECT_OK(fs_->FileExists("/d/t-3-00001-of-00002"));
  EXPECT_OK(fs_->FileExists("/d/t-3.meta"));
  EXPECT_EQ(State().model_checkpoint_path, "/d/t-3-????\?-of-00002");

  SaverOptions v1 = Opts();
  v1.write_version = CheckpointFormat::kV1;
  auto v1n = *Saver::Create(VarList::List({a, b}), v1);
  EXPECT_EQ(**v1n->Save("/d/u"), "/d/u");
  EXPECT_OK(fs_->FileExists("/d/u"));
  EXPECT_FALSE(fs_->FileExists("/d/u.index").ok());
  EXPECT_EQ(std::count(log_.begin(), log_.end(), "WARNING: TensorFlow's V1 checkpoint format has been deprecated."), 2);

  // Every layout restores through a plain (V2, unsharded) Saver.
  for (const char* p : {"/d/s-3", "/d/t-3-????\?-of-00002", "/d/u"}) {
    auto a2 = Var("a", {0.f}), b2 = Var("b", {0.f});
    auto r = *Saver::Create(VarList::List({a2, b2}), Opts());
    ASSERT_TRUE(r->Restore(p).ok()) << p;
    EXPECT_EQ(Values(*a2)[0], 1.f);
    EXPECT_EQ(Values(*b2)[0], 2.f);
  }
  // One V1 shard restores only its own variables (SV-14).
  auto a3 = Var("a", {0.f});
  ASSERT_OK((*Saver::Create(VarList::List({a3}), Opts()))->Restore("/d/t-3-00000-of-00002"));
  EXPECT_EQ(Values(*a3)[0], 1.f);
}

// SV-25, SV-26, SV-27, SV-29, SV-38.
TEST_F(SaverTest, MaxToKeep) {
  auto v = Var("v", {1.f});
  SaverOptions o = Opts();
  o.max_to_keep = 2;
  auto saver = *Saver::Create(VarList::List({v}), o);
  ASSERT_OK(saver->Save("/d/s1"));
  ASSERT_OK(saver->Save("/d/s2"));
  ASSERT_OK(saver->Save("/d/s3"));
  EXPECT_EQ(saver->last_checkpoints(), (std::vector<std::string>{"/d/s2", "/d/s3"}));
  EXPECT_FALSE(CheckpointExists("/d/s1", fs_.get()));
  EXPECT_FALSE(fs_->FileExists("/d/s1.meta").ok());
  EXPECT_EQ(State().all_model_checkpoint_paths, (std::vector<std::string>{"/d/s2", "/d/s3"}));
  ASSERT_OK(saver->Save("/d/s2"));
  EXPECT_EQ(saver->last_checkpoints(), (std::vector<std::string>{"/d/s3", "/d/s2"}));
  EXPECT_TRUE(CheckpointExists("/d/s3", fs_.get()));
  ASSERT_OK(saver->Save("/d/s1"));
  EXPECT_EQ(saver->last_checkpoints(), (std::vector<std::string>{"/d/s2", "/d/s1"}));
  EXPECT_FALSE(CheckpointExists("/d/s3", fs_.get()));

  // A fresh Saver knows nothing of the others' files (SV-27).
  auto fresh = *Saver::Create(VarList::List({v}), o);
  ASSERT_OK(fresh->Save("/d/s2"));
  EXPECT_EQ(fresh->last_checkpoints(), std::vector<std::string>{"/d/s2"});
  EXPECT_EQ(State().all_model_checkpoint_paths, std::vector<std::string>{"/d/s2"});
  EXPECT_TRUE(CheckpointExists("/d/s1", fs_.get()));
}

// SV-28, SV-30, SV-39, SV-40, SV-41, and the opt-in prune.
TEST_F(SaverTest, LastCheckpointsManagement) {
  auto v = Var("v", {1.f});
  SaverOptions keep_all = Opts();
  keep_all.max_to_keep = 0;
  auto all = *Saver::Create(VarList::List({v}), keep_all);
  EXPECT_EQ(all->AsSaverDef().max_to_keep, 0);
  for (const char* p : {"/d/a1", "/d/a2", "/d/a3"}) ASSERT_OK(all->Save(p));
  EXPECT_TRUE(all->last_checkpoints().empty());
  EXPECT_EQ(State().all_model_checkpoint_paths, std::vector<std::string>{"/d/a3"});
  EXPECT_TRUE(CheckpointExists("/d/a1", fs_.get()));

  SaverOptions o = Opts();
  o.max_to_keep = 2;
  auto saver = *Saver::Create(VarList::List({v}), o);
  // set_last_checkpoints: infinite timestamps, so never deleted (SV-39);
  // the list shrinks by one per save at most (SV-30).
  saver->SetLastCheckpoints({"/d/a1", "/d/a2", "/d/a3"});
  ASSERT_OK(saver->Save("/d/b1"));
  EXPECT_EQ(saver->last_checkpoints(), (std::vector<std::string>{"/d/a2", "/d/a3", "/d/b1"}));
  EXPECT_TRUE(CheckpointExists("/d/a1", fs_.get()));

  saver->SetLastCheckpointsWithTime({{"/d/a1", 0.0}, {"/d/a2", 0.0}, {"/d/a3", 0.0}});
  ASSERT_OK(saver->Save("/d/b2"));
  EXPECT_FALSE(CheckpointExists("/d/a1", fs_.get()));
  EXPECT_EQ(saver->last_checkpoints().size(), 3u);

  // recover: only existing paths survive (SV-41).
  saver->RecoverLastCheckpoints({"/d/a1", "/d/a2", "/d/a3"});
  EXPECT_EQ(saver->last_checkpoints(), (std::vector<std::string>{"/d/a2", "/d/a3"}));
  ASSERT_OK(saver->Save("/d/b3"));
  EXPECT_EQ(State().all_model_checkpoint_paths, (std::vector<std::string>{"/d/a3", "/d/b3"}));

  SaverOptions prune = o;
  prune.prune_beyond_max_to_keep = true;
  auto pruner = *Saver::Create(VarList::List({v}), prune);
  pruner->SetLastCheckpointsWithTime({{"/d/a3", 0.0}, {"/d/b1", 0.0}, {"/d/b2", 0.0}});
  ASSERT_OK(pruner->Save("/d/c1"));
  EXPECT_EQ(pruner->last_checkpoints(), (std::vector<std::string>{"/d/b2", "/d/c1"}));
  EXPECT_FALSE(CheckpointExists("/d/a3", fs_.get()));
  EXPECT_FALSE(CheckpointExists("/d/b1", fs_.get()));
}

// SV-31, SV-32, SV-33: TF's mocked-time example and the fixed-step catch-up.
TEST_F(SaverTest, KeepEveryNHours) {
  auto v = Var("v", {1.f});
  SaverOptions o = Opts();
  o.max_to_keep = 2;
  o.keep_checkpoint_every_n_hours = 0.7 / 3600;
  now_ = 1000.0;  // built at T
  auto saver = *Saver::Create(VarList::List({v}), o);
  now_ = 1001.0;  // all saves at T+1
  for (const char* p : {"/d/s1", "/d/s2", "/d/s3", "/d/s4"}) ASSERT_OK(saver->Save(p));
  EXPECT_TRUE(CheckpointExists("/d/s1", fs_.get()));   // kept: 1001 > 1000.7
  EXPECT_FALSE(CheckpointExists("/d/s2", fs_.get()));  // deadline now 1001.4: deleted
  EXPECT_EQ(State().all_model_checkpoint_paths, (std::vector<std::string>{"/d/s3", "/d/s4"}));

  // After a long gap the deadline advances by one step per kept checkpoint.
  now_ = 5000.0;
  for (const char* p : {"/d/s5", "/d/s6", "/d/s7", "/d/s8"}) ASSERT_OK(saver->Save(p));
  EXPECT_FALSE(CheckpointExists("/d/s3", fs_.get()));  // 1001 < 1001.4
  EXPECT_FALSE(CheckpointExists("/d/s4", fs_.get()));
  EXPECT_TRUE(CheckpointExists("/d/s5", fs_.get()));  // 5000 > 1001.4: kept, deadline 1002.1
  EXPECT_TRUE(CheckpointExists("/d/s6", fs_.get()));  // 5000 > 1002.1: kept too (SV-32)
  EXPECT_EQ(State().all_model_checkpoint_paths, (std::vector<std::string>{"/d/s7", "/d/s8"}));  // SV-33
}

// SV-36: relative paths survive moving the directory.
TEST_F(SaverTest, RelativePaths) {
  auto v = Var("v", {7.f});
  SaverOptions o = Opts();
  o.save_relative_paths = true;
  auto saver = *Saver::Create(VarList::List({v}), o);
  SaverSaveOptions so;
  so.global_step = 1;
  ASSERT_OK(saver->Save("/d/m", so));
  auto text = *fs_->ReadFileToString("/d/checkpoint");
  EXPECT_EQ(text, "model_checkpoint_path: \"m-1\"\nall_model_checkpoint_paths: \"m-1\"\n");
}

// SV-43, SV-44, SV-45, SV-46, SV-47, SV-48, SV-49: restore errors and reshape.
TEST_F(SaverTest, RestoreErrorsAndReshape) {
  Tensor t = *Tensor::Make(DType::kFloat, {2, 3});
  for (int i = 0; i < 6; ++i) t.flat<float>()[i] = static_cast<float>(i + 1);
  auto v = std::make_shared<TensorVariable>("v", t);
  auto saver = *Saver::Create(VarList::Map({{"save_prefix/v", v}}), Opts());
  ASSERT_OK(saver->Save("/d/m"));

  EXPECT_EQ(saver->Restore("").message(), "Can't load save_path when it is None.");
  EXPECT_EQ(saver->Restore("/d/none").message(), "The passed save_path is not a valid checkpoint: /d/none");

  auto b = Var("b", {0.f});
  auto s = (*Saver::Create(VarList::List({b}), Opts()))->Restore("/d/m");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message().rfind(
                "Restoring from checkpoint failed. This is most likely due to a Variable name or other graph key that "
                "is missing from the checkpoint. Please ensure that you have not altered the graph expected based on "
                "the checkpoint. Original error:\n\nKey b not found in checkpoint",
                0),
            0u)
      << s.message();

  auto wrong_shape = std::make_shared<TensorVariable>("restore_prefix/v", *Tensor::Make(DType::kFloat, {3, 2}));
  auto strict = *Saver::Create(VarList::Map({{"save_prefix/v", wrong_shape}}), Opts());
  s = strict->Restore("/d/m");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().rfind("Restoring from checkpoint failed. This is most likely due to a mismatch between the current graph and the graph from the checkpoint.", 0), 0u);
  EXPECT_NE(s.message().find("lhs shape= [3,2] rhs shape= [2,3]"), std::string::npos);

  SaverOptions reshape = Opts();
  reshape.reshape = true;
  auto loose = *Saver::Create(VarList::Map({{"save_prefix/v", wrong_shape}}), reshape);
  ASSERT_OK(loose->Restore("/d/m"));
  EXPECT_EQ(wrong_shape->tensor().shape(), (TensorShape{3, 2}));
  EXPECT_EQ(Values(*wrong_shape), (std::vector<float>{1, 2, 3, 4, 5, 6}));  // row-major (SV-48)

  auto too_small = std::make_shared<TensorVariable>("x", *Tensor::Make(DType::kFloat, {2, 2}));
  s = (*Saver::Create(VarList::Map({{"save_prefix/v", too_small}}), reshape))->Restore("/d/m");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("[2,3]"), std::string::npos);
  EXPECT_NE(s.message().find("[2,2]"), std::string::npos);

  auto int_var = std::make_shared<TensorVariable>("x", *Tensor::Make(DType::kInt32, {2, 3}));
  s = (*Saver::Create(VarList::Map({{"save_prefix/v", int_var}}), Opts()))->Restore("/d/m");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("original dtype"), std::string::npos);
}

// SV-51: partitioned variables restore into a full variable and into a
// different partitioning; a full variable restores into parts.
TEST_F(SaverTest, PartitionedVariables) {
  const TensorShape full{4, 2};
  auto part = [&](const std::string& name, const char* slice, std::vector<float> vals) {
    TensorSlice s = *TensorSlice::Parse(slice);
    Tensor t = *Tensor::Make(DType::kFloat, s.SliceShape(full));
    std::memcpy(t.data(), vals.data(), vals.size() * 4);
    return std::make_shared<TensorVariable>(name, std::move(t), "", PartitionInfo{"w", full, s});
  };
  for (auto version : {CheckpointFormat::kV2, CheckpointFormat::kV1}) {
    SaverOptions o = Opts();
    o.write_version = version;
    auto saver = *Saver::Create(VarList::List({part("w/part_0", "0,2:0,2", {1, 2, 3, 4}),
                                               part("w/part_1", "2,2:0,2", {5, 6, 7, 8})}),
                                o);
    EXPECT_EQ(saver->keys(), std::vector<std::string>{"w"});
    ASSERT_OK(saver->Save("/d/p"));

    auto whole = std::make_shared<TensorVariable>("w", *Tensor::Make(DType::kFloat, full));
    ASSERT_OK((*Saver::Create(VarList::List({whole}), Opts()))->Restore("/d/p"));
    EXPECT_EQ(Values(*whole), (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));

    auto p0 = part("w/part_0", "0,1:0,2", {0, 0}), p1 = part("w/part_1", "1,2:0,2", {0, 0, 0, 0}),
         p2 = part("w/part_2", "3,1:0,2", {0, 0});
    ASSERT_OK((*Saver::Create(VarList::List({p0, p1, p2}), Opts()))->Restore("/d/p"));
    EXPECT_EQ(Values(*p1), (std::vector<float>{3, 4, 5, 6}));
    EXPECT_EQ(Values(*p2), (std::vector<float>{7, 8}));
  }
  auto whole = std::make_shared<TensorVariable>("w", *Tensor::Make(DType::kFloat, full));
  whole->tensor().flat<float>()[7] = 9.f;
  ASSERT_OK((*Saver::Create(VarList::List({whole}), Opts()))->Save("/d/q"));
  auto p = part("w/part_1", "2,2:0,2", {0, 0, 0, 0});
  ASSERT_OK((*Saver::Create(VarList::List({p}), Opts()))->Restore("/d/q"));
  EXPECT_EQ(Values(*p), (std::vector<float>{0, 0, 0, 9}));
}

// SV-57, SV-58, SV-59, SV-60, SV-61, SV-62: SaverDef contents, scopes
// (to_proto), from_proto, re-created Savers.
TEST_F(SaverTest, SaverDefs) {
  auto v = Var("v", {1.f});
  auto saver = *Saver::Create(VarList::List({v}), Opts());
  SaverDef d = saver->AsSaverDef();
  EXPECT_EQ(d.filename_tensor_name, "save/Const:0");
  EXPECT_EQ(d.save_tensor_name, "save/control_dependency:0");
  EXPECT_EQ(d.restore_op_name, "save/restore_all");
  EXPECT_EQ(d.max_to_keep, 5);
  EXPECT_EQ(d.keep_checkpoint_every_n_hours, 10000.f);
  EXPECT_EQ(d.version, 2);
  EXPECT_EQ(d.DebugString(),
            "filename_tensor_name: \"save/Const:0\"\nsave_tensor_name: \"save/control_dependency:0\"\n"
            "restore_op_name: \"save/restore_all\"\nmax_to_keep: 5\nkeep_checkpoint_every_n_hours: 10000\n"
            "version: V2\n");
  EXPECT_EQ(*SaverDef::Parse(d.SerializeAsString()), d);
  EXPECT_EQ(*saver->ToProto(), d);
  EXPECT_FALSE(saver->ToProto("other").has_value());
  EXPECT_EQ(saver->ToProto("save")->filename_tensor_name, "Const:0");

  SaverOptions named = Opts();
  named.name = "saver0";
  EXPECT_EQ((*Saver::Create(VarList::List({v}), named))->AsSaverDef().restore_op_name, "saver0/restore_all");

  SaverDef v1def = d;
  v1def.version = 1;
  v1def.max_to_keep = 1;
  auto from_r = Saver::FromProto(v1def, "imported", VarList::List({v}), Opts());
  ASSERT_OK(from_r);
  auto from = *std::move(from_r);
  EXPECT_EQ(from->AsSaverDef().filename_tensor_name, "imported/save/Const:0");
  auto f1 = from->Save("/d/f1");
  ASSERT_OK(f1);
  EXPECT_EQ(**f1, "/d/f1");
  EXPECT_OK(fs_->FileExists("/d/f1"));  // V1 from the def (SV-61)
  ASSERT_OK(from->Save("/d/f2"));
  EXPECT_FALSE(fs_->FileExists("/d/f1").ok());  // max_to_keep from the def (SV-62)

  SaverDef incomplete;
  SaverOptions with_def = Opts();
  with_def.saver_def = incomplete;
  auto bad = Saver::Create(VarList::List({v}), with_def);
  EXPECT_EQ(bad.status().message().rfind("saver_def must specify the save_tensor_name: ", 0), 0u);
  EXPECT_EQ(SaverDef::Parse("\xff\xff").status().code(), StatusCode::kInvalidArgument);
}

TEST(SaverDevices, CanonicalNames) {
  EXPECT_EQ(CanonicalDeviceName("/cpu:0"), "/device:CPU:0");
  EXPECT_EQ(CanonicalDeviceName("/gpu:1"), "/device:GPU:1");
  EXPECT_EQ(CanonicalDeviceName("/job:ps/task:1/cpu:0"), "/job:ps/task:1/device:CPU:0");
  EXPECT_EQ(CanonicalDeviceName("/replica:0/job:w"), "/job:w/replica:0");
  EXPECT_EQ(CanonicalDeviceName("CPU:0"), "/device:CPU:0");
  EXPECT_EQ(CanonicalDeviceName(""), "");
  EXPECT_EQ(CanonicalDeviceName("/job:a/device:GPU:*"), "/job:a/device:GPU:*");
}

// SV-44: an invalid path is reported the same way by a V1 Saver.
TEST_F(SaverTest, InvalidPathV1Saver) {
  SaverOptions v1 = Opts();
  v1.write_version = CheckpointFormat::kV1;
  auto saver = *Saver::Create(VarList::List({Var("v", {1.f})}), v1);
  Status s = saver->Restore("/d/none");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "The passed save_path is not a valid checkpoint: /d/none");
}

// SV-21: file:// URIs as save paths. The caller's spelling is kept in the
// returned path and in last_checkpoints; the state file holds a path
// relative to the (non-absolute, in Python's sense) directory, as TF writes
// it; deletion and restore work through the URI.
TEST_F(SaverTest, FileUriSavePaths) {
  auto v = Var("v", {3.f});
  SaverOptions o = Opts();
  o.max_to_keep = 1;
  auto saver = *Saver::Create(VarList::List({v}), o);
  SaverSaveOptions so;
  so.global_step = 1;
  EXPECT_EQ(**saver->Save("file:///d/u", so), "file:///d/u-1");
  EXPECT_OK(fs_->FileExists("/d/u-1.index"));
  EXPECT_OK(fs_->FileExists("/d/u-1.meta"));
  so.global_step = 2;
  EXPECT_EQ(**saver->Save("file:///d/u", so), "file:///d/u-2");
  EXPECT_FALSE(fs_->FileExists("/d/u-1.index").ok());  // evicted through the URI
  EXPECT_EQ(saver->last_checkpoints(), std::vector<std::string>{"file:///d/u-2"});
  EXPECT_EQ(*fs_->ReadFileToString("/d/checkpoint"),
            "model_checkpoint_path: \"u-2\"\nall_model_checkpoint_paths: \"u-2\"\n");
  auto w = Var("v", {0.f});
  ASSERT_OK((*Saver::Create(VarList::List({w}), Opts()))->Restore("file:///d/u-2"));
  EXPECT_EQ(Values(*w)[0], 3.f);
  EXPECT_EQ(io::StripFileScheme("file:///a/b"), "/a/b");
  EXPECT_EQ(io::StripFileScheme("/a/file://b"), "/a/file://b");
}

// SV-21: every FileSystem call through the file:// view reaches the wrapped
// file system, without the scheme (a path without one is passed as is).
TEST(FileUriFileSystemTest, EveryCallReachesTheBaseWithoutTheScheme) {
  test::CallRecordingFileSystem base;
  io::FileUriFileSystem uri(&base);
  test::CallEveryVirtual(&uri, "file:///d/p");
  test::CallEveryVirtual(&uri, "rel/p");
  const std::vector<std::string> methods = base.methods();
  const std::vector<std::string> calls = base.calls();
  ASSERT_EQ(calls.size() % 2, 0u);
  const size_t n = calls.size() / 2;
  for (size_t i = 0; i < n; ++i) {
    std::string with_scheme = calls[i], plain = calls[n + i];
    EXPECT_EQ(with_scheme.find("file:"), std::string::npos) << with_scheme;
    EXPECT_NE(with_scheme.find(" /d/p"), std::string::npos) << with_scheme;
    EXPECT_NE(plain.find(" rel/p"), std::string::npos) << plain;
  }
  const std::vector<std::string> every = test::CallEveryVirtual(&base, "x");
  EXPECT_EQ(std::vector<std::string>(methods.begin(), methods.begin() + static_cast<long>(n)), every);
}

// SV-22: a save path that is an existing directory: files go next to it.
TEST_F(SaverTest, SavePathIsADirectory) {
  ASSERT_OK(fs_->CreateDir("/d/dirp"));
  auto v = Var("v", {5.f});
  auto saver = *Saver::Create(VarList::List({v}), Opts());
  EXPECT_EQ(**saver->Save("/d/dirp"), "/d/dirp");
  EXPECT_EQ(Ls(), (std::vector<std::string>{"checkpoint", "dirp", "dirp.data-00000-of-00001", "dirp.index",
                                            "dirp.meta"}));
  auto w = Var("v", {0.f});
  ASSERT_OK((*Saver::Create(VarList::List({w}), Opts()))->Restore("/d/dirp"));
  EXPECT_EQ(Values(*w)[0], 5.f);
}

// SV-23: re-saving other variables to the same prefix replaces the contents;
// the next restore reads the new files.
TEST_F(SaverTest, ResaveReplacesContents) {
  auto a = Var("a", {1.f});
  auto saver_a = *Saver::Create(VarList::List({a}), Opts());
  ASSERT_OK(saver_a->Save("/d/m"));
  ASSERT_OK(saver_a->Restore("/d/m"));
  auto b = Var("b", {2.f, 3.f});
  ASSERT_OK((*Saver::Create(VarList::List({b}), Opts()))->Save("/d/m"));
  auto b2 = Var("b", {0.f, 0.f});
  ASSERT_OK((*Saver::Create(VarList::List({b2}), Opts()))->Restore("/d/m"));
  EXPECT_EQ(Values(*b2), (std::vector<float>{2.f, 3.f}));
  EXPECT_EQ(saver_a->Restore("/d/m").code(), StatusCode::kNotFound);
}

// A file system whose deletions fail (SV-34).
class FailingDeletes : public io::FileUriFileSystem {
 public:
  using FileUriFileSystem::FileUriFileSystem;
  Status DeleteFile(const std::string& path) override { return PermissionDeniedError("cannot delete " + path); }
};

// SV-34: a failed deletion of an evicted checkpoint is logged "Ignoring: ..."
// and the save succeeds.
TEST_F(SaverTest, DeletionFailuresAreLogged) {
  FailingDeletes failing(fs_.get());
  SaverOptions o = Opts();
  o.fs = &failing;
  o.max_to_keep = 1;
  auto saver = *Saver::Create(VarList::List({Var("v", {1.f})}), o);
  ASSERT_OK(saver->Save("/d/s1"));
  auto r = saver->Save("/d/s2");
  ASSERT_OK(r);
  EXPECT_TRUE(CheckpointExists("/d/s1", fs_.get()));  // could not be deleted
  EXPECT_EQ(saver->last_checkpoints(), std::vector<std::string>{"/d/s2"});
  const bool logged = std::any_of(log_.begin(), log_.end(), [](const std::string& l) {
    return l.rfind("WARNING: Ignoring: ", 0) == 0 && l.find("cannot delete /d/s1") != std::string::npos;
  });
  EXPECT_TRUE(logged);
}

// SV-50: restore_sequentially restores the same values. Where it differs
// (documented): a failure part-way leaves the earlier variables assigned,
// while the default restore assigns nothing unless everything was read.
TEST_F(SaverTest, RestoreSequentially) {
  ASSERT_TRUE((*Saver::Create(VarList::List({Var("a", {1.f}), Var("b", {2.f})}), Opts()))->Save("/d/m").ok());
  for (bool sequential : {false, true}) {
    SaverOptions o = Opts();
    o.restore_sequentially = sequential;
    auto a = Var("a", {0.f}), b = Var("b", {0.f});
    ASSERT_OK((*Saver::Create(VarList::List({a, b}), o))->Restore("/d/m"));
    EXPECT_EQ(Values(*a)[0], 1.f);
    EXPECT_EQ(Values(*b)[0], 2.f);
    auto a2 = Var("a", {0.f}), z = Var("z", {0.f});  // "z" is not in the checkpoint
    EXPECT_EQ((*Saver::Create(VarList::List({a2, z}), o))->Restore("/d/m").code(), StatusCode::kNotFound);
    EXPECT_EQ(Values(*a2)[0], sequential ? 1.f : 0.f);
  }
}

// SV-53: an object-based checkpoint restored by name: names map through the
// stored object graph (full_name -> checkpoint_key), with TF's warning; names
// missing from the graph give TF's NotFound text.
TEST_F(SaverTest, ObjectBasedCheckpointRestoredByName) {
  proto::TrackableObjectGraph og;
  og.add_nodes();  // the root
  auto* attr = og.add_nodes()->add_attributes();
  attr->set_name("VARIABLE_VALUE");
  attr->set_full_name("dense/kernel");
  attr->set_checkpoint_key("model/layer/kernel/.ATTRIBUTES/VARIABLE_VALUE");
  {
    BundleWriterOptions bo;
    bo.fs = fs_.get();
    auto w = *BundleWriter::Create("/d/obj", bo);
    Tensor value = *Tensor::Make(DType::kFloat, {2});
    value.flat<float>()[0] = 4.f;
    value.flat<float>()[1] = 5.f;
    ASSERT_OK(w->Add("model/layer/kernel/.ATTRIBUTES/VARIABLE_VALUE", value));
    ASSERT_OK(w->Add("_CHECKPOINTABLE_OBJECT_GRAPH", Tensor::FromStrings({}, {og.SerializeAsString()})));
    ASSERT_OK(w->Finish());
  }
  auto k = Var("dense/kernel", {0.f, 0.f});
  Status s = (*Saver::Create(VarList::List({k}), Opts()))->Restore("/d/obj");
  ASSERT_OK(s);
  EXPECT_EQ(Values(*k), (std::vector<float>{4.f, 5.f}));
  const bool warned = std::any_of(log_.begin(), log_.end(), [](const std::string& l) {
    return l.rfind("WARNING: Restoring an object-based checkpoint using a name-based saver. This may be somewhat "
                   "fragile",
                   0) == 0;
  });
  EXPECT_TRUE(warned);

  auto k2 = Var("dense/kernel", {0.f, 0.f}), extra = Var("dense/bias", {0.f});
  s = (*Saver::Create(VarList::List({k2, extra}), Opts()))->Restore("/d/obj");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message().rfind("\n\nExisting variables not in the checkpoint: dense/bias\n\nVariables names when this "
                              "checkpoint was written which don't exist now: \n\n(1 variable name(s) did match)",
                              0),
            0u)
      << s.message();
  EXPECT_EQ(Values(*k2), (std::vector<float>{0.f, 0.f}));
}

// A saveable that is not a TensorVariable: its value lives in two replicas
// (a mirrored variable), restored into both (SV-56).
class MirroredVariable : public SaveableVariable {
 public:
  MirroredVariable(std::string name, double value) : name_(std::move(name)) {
    for (auto& r : replicas_) {
      r = *Tensor::Make(DType::kDouble, {});
      r.flat<double>()[0] = value;
    }
  }
  std::string name() const override { return name_; }
  TensorView value() const override { return replicas_[0].view(); }
  Status Assign(Tensor restored) override {
    for (auto& r : replicas_) r.flat<double>()[0] = restored.flat<double>()[0];
    return OkStatus();
  }
  double replica(int i) const { return replicas_[i].flat<double>()[0]; }

 private:
  std::string name_;
  Tensor replicas_[2];
};

// SV-56: any SaveableVariable implementation can be listed and round-trips.
TEST_F(SaverTest, CustomSaveablesRoundTrip) {
  auto m = std::make_shared<MirroredVariable>("mirrored", 2.5);
  auto plain = Var("plain", {1.f});
  ASSERT_OK((*Saver::Create(VarList::List({m, plain}), Opts()))->Save("/d/m"));
  auto m2 = std::make_shared<MirroredVariable>("mirrored", 0.0);
  ASSERT_OK((*Saver::Create(VarList::Map({{"mirrored", m2}}), Opts()))->Restore("/d/m"));
  EXPECT_EQ(m2->replica(0), 2.5);
  EXPECT_EQ(m2->replica(1), 2.5);
}

// Regression (issue 14, power-cut campaign): a sharded V1 save to the same
// path replaced its shard files one at a time, so a power cut (or a reader)
// between two shards found a set mixing two saves that restored without any
// error. The old shards are now removed first: a cut leaves the old set, the
// new set, or an incomplete new set that fails to restore -- never a mix.
TEST(SaverCrashTest, ShardedV1RewriteNeverRestoresAMixOfTwoSaves) {
  auto make_vars = [](float base) {
    return std::vector<VariablePtr>{Var("x", {base, base + 1}, {}, "/cpu:0"), Var("y", {base + 2}, {}, "/cpu:1")};
  };
  auto save = [&](FileSystem* fs, float base) {
    SaverOptions o;
    o.fs = fs;
    o.sharded = true;
    o.write_version = CheckpointFormat::kV1;
    auto saver = Saver::Create(VarList::List(make_vars(base)), o);
    if (!saver.ok()) return saver.status();
    SaverSaveOptions so;
    so.write_meta_graph = false;
    return (*saver)->Save("/d/m", so).status();
  };
  uint64_t steps = 0;
  for (uint64_t k = 1; steps == 0 || k <= steps + 1; ++k) {
    test::FaultInjectionFileSystem fs(NewMemoryFileSystem());
    ASSERT_OK(fs.CreateDir("/d"));
    ASSERT_OK(fs.SyncDir("/"));
    ASSERT_OK(save(&fs, 10.f));
    const uint64_t before = fs.mutating_calls();
    if (steps > 0) fs.CrashAfter(k);
    const Status s = save(&fs, 20.f);
    if (steps == 0) {
      ASSERT_OK(s);
      steps = fs.mutating_calls() - before;
      continue;
    }
    ASSERT_OK(fs.SimulateCrash());
    std::vector<VariablePtr> got = make_vars(0.f);
    SaverOptions o;
    o.fs = &fs;
    o.sharded = true;
    auto saver = *Saver::Create(VarList::List(got), o);
    const Status r = saver->Restore("/d/m-?????-of-00002");
    if (!r.ok()) {
      EXPECT_FALSE(s.ok()) << "step " << k << ": " << r.ToString();
      continue;
    }
    const float x = Values(static_cast<TensorVariable&>(*got[0]))[0];
    const float y = Values(static_cast<TensorVariable&>(*got[1]))[0];
    EXPECT_TRUE(x == 10.f || x == 20.f) << "step " << k;
    EXPECT_EQ(y, x + 2) << "step " << k << ": shards of two saves restored together";
    if (s.ok()) EXPECT_EQ(x, 20.f) << "step " << k;
  }
}

}  // namespace
}  // namespace ckpt
