// Saves with an io rank (experimental_io_device naming a task) over N
// in-process ranks: the io rank writes everything, the other ranks stream
// their values to it and touch no file, and the checkpoint is byte for byte
// the one the same save without an io rank writes. Failures mid-stream give
// every rank an error and publish nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>

#include "base/io_device_name.h"
#include "ckpt/status_macros.h"
#include "ckpt/bundle.h"
#include "distributed/distributed_save.h"
#include "distributed/in_process_communicator.h"
#include "distributed/io_rank_stream.h"
#include "testing/call_recording_file_system.h"
#include "testing/fault_injection_file_system.h"
#include "testing/status_matchers.h"

namespace ckpt::distributed {
namespace {

using namespace std::chrono_literals;

// Small chunks, so that modest tensors span many messages.
constexpr size_t kChunk = 1000;

std::vector<DType> AllDTypes() {
  std::vector<DType> out;
  for (int d = 1; d <= 64; ++d) {
    const auto dt = static_cast<DType>(d);
    if (DTypeSize(dt) > 0 || dt == DType::kString) out.push_back(dt);
  }
  return out;
}

uint8_t ValidByte(DType dt, uint8_t b) {
  switch (dt) {
    case DType::kBool: return b & 1;
    case DType::kInt4: case DType::kUInt4: case DType::kFloat4E2M1FN: return b & 0x0f;
    case DType::kInt2: case DType::kUInt2: return b & 0x03;
    default: return b;
  }
}

// A [rows, cols] tensor whose element (i, j) depends on (seed, i, j).
Tensor Pattern(DType dt, int64_t rows, int64_t cols, int64_t row0, uint32_t seed, int64_t full_cols = -1) {
  if (full_cols < 0) full_cols = cols;
  const TensorShape shape = cols == 0 ? TensorShape{rows} : TensorShape{rows, cols};
  const int64_t per_row = std::max<int64_t>(cols, 1);
  if (dt == DType::kString) {
    std::vector<std::string> s;
    for (int64_t i = 0; i < rows * per_row; ++i) {
      const uint64_t v = (static_cast<uint64_t>(row0 * full_cols + i) * 2654435761u) ^ seed;
      s.emplace_back(v % 29, static_cast<char>(v & 0xff));  // lengths 0..28, NULs included
    }
    return Tensor::FromStrings(shape, std::move(s));
  }
  Tensor t = *Tensor::Make(dt, shape);
  auto* p = static_cast<uint8_t*>(t.data());
  const size_t es = DTypeSize(dt), row_bytes = static_cast<size_t>(per_row) * es;
  for (size_t b = 0; b < t.byte_size(); ++b) {
    const uint64_t global = static_cast<uint64_t>(row0) * row_bytes + b;
    p[b] = ValidByte(dt, static_cast<uint8_t>((global * 37 + seed) >> 1));
  }
  return t;
}

std::pair<int64_t, int64_t> SplitRange(int64_t count, int r, int n) {
  const int64_t base = count / n, extra = count % n;
  return {r * base + std::min<int64_t>(r, extra), base + (r < extra ? 1 : 0)};
}

// What each rank holds: for every dtype a [7, 3] split by rows (uneven;
// empty shares at n = 4 for none, but 7 rows over 4 ranks are uneven) and a
// replicated [3]; a [300, 40] float32 split by rows (48 KB, dozens of
// chunks); a replicated [500] string tensor (several chunks); the graph.
struct Job {
  std::vector<std::vector<Tensor>> tensors;
  std::vector<std::vector<NamedView>> views;
};

Job MakeJob(int n) {
  Job job;
  job.tensors.resize(static_cast<size_t>(n));
  job.views.resize(static_cast<size_t>(n));
  for (int r = 0; r < n; ++r) {
    auto& ts = job.tensors[static_cast<size_t>(r)];
    auto& vs = job.views[static_cast<size_t>(r)];
    ts.reserve(200);
    for (DType dt : AllDTypes()) {
      const std::string id = std::to_string(static_cast<int>(dt));
      const auto [start, len] = SplitRange(7, r, n);
      ts.push_back(Pattern(dt, len, 3, start, static_cast<uint32_t>(dt)));
      vs.push_back({"rows/" + id, ts.back().view(), SaveSliceInfo{{7, 3}, TensorSlice({{start, len}, {0, 3}})}});
      ts.push_back(Pattern(dt, 3, 0, 0, 1000u + static_cast<uint32_t>(dt)));
      vs.push_back({"repl/" + id, ts.back().view()});
    }
    const auto [start, len] = SplitRange(300, r, n);
    ts.push_back(Pattern(DType::kFloat, len, 40, start, 7));
    vs.push_back({"big", ts.back().view(), SaveSliceInfo{{300, 40}, TensorSlice({{start, len}, {0, 40}})}});
    ts.push_back(Pattern(DType::kString, 500, 0, 0, 99));
    vs.push_back({"big_strings", ts.back().view()});
    ts.push_back(Tensor::FromStrings({}, {"graph"}));
    vs.push_back({std::string(kPlannerObjectGraphKey), ts.back().view()});
  }
  return job;
}

// Forwards to another communicator and remembers the largest message sent.
class MeasuringCommunicator final : public Communicator {
 public:
  explicit MeasuringCommunicator(Communicator& inner) : inner_(inner) {}
  int rank() const override { return inner_.rank(); }
  int size() const override { return inner_.size(); }
  Result<std::vector<std::string>> AllGather(std::string_view mine, Deadline d) override {
    return inner_.AllGather(mine, d);
  }
  Result<std::string> Broadcast(std::string_view b, int root, Deadline d) override {
    return inner_.Broadcast(b, root, d);
  }
  Status Barrier(Deadline d) override { return inner_.Barrier(d); }
  void Abort(std::string_view reason) override { inner_.Abort(reason); }
  bool SupportsPointToPoint() const override { return inner_.SupportsPointToPoint(); }
  Status Send(std::string_view bytes, int dest, Deadline d) override {
    largest_ = std::max(largest_.load(), bytes.size());
    sent_ += bytes.size();
    return inner_.Send(bytes, dest, d);
  }
  Result<std::string> Recv(int src, Deadline d) override { return inner_.Recv(src, d); }
  size_t largest() const { return largest_; }
  uint64_t sent() const { return sent_; }

 private:
  Communicator& inner_;
  std::atomic<size_t> largest_{0};
  std::atomic<uint64_t> sent_{0};
};

// Every file of `fs` under `dir`, with its bytes, sorted by name.
std::vector<std::pair<std::string, std::string>> Files(FileSystem* fs, const std::string& dir) {
  std::vector<std::pair<std::string, std::string>> out;
  auto children = fs->GetChildren(dir);
  if (!children.ok()) return out;
  for (const std::string& c : *children) {
    const std::string path = JoinPath(dir, c);
    if (fs->IsDirectory(path)) {
      for (auto& f : Files(fs, path)) out.push_back(std::move(f));
    } else {
      out.emplace_back(path, fs->ReadFileToString(path).value_or("<unreadable>"));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct SaveRun {
  std::vector<Result<std::string>> results;
  std::vector<size_t> largest_message;
  std::vector<uint64_t> sent;
};

// One save of MakeJob(n) on n ranks; rank r uses fs_for(r).
SaveRun Save(InProcessGroup& group, const Job& job, const std::string& prefix, int io_rank,
             const std::function<FileSystem*(int)>& fs_for, std::chrono::milliseconds timeout = 20000ms) {
  SaveRun run;
  run.largest_message.resize(static_cast<size_t>(group.size()));
  run.sent.resize(static_cast<size_t>(group.size()));
  run.results = group.Run([&](Communicator& inner) {
    MeasuringCommunicator comm(inner);
    DistributedSaveOptions o;
    o.fs = fs_for(comm.rank());
    o.collective_timeout = timeout;
    o.io_rank = io_rank;
    o.io_chunk_bytes = kChunk;
    auto r = SaveDistributed(comm, job.views[static_cast<size_t>(comm.rank())], prefix, o);
    run.largest_message[static_cast<size_t>(comm.rank())] = comm.largest();
    run.sent[static_cast<size_t>(comm.rank())] = comm.sent();
    return r;
  });
  return run;
}

TEST(IoDeviceNameTest, TaskIndexIsTheRank) {
  EXPECT_EQ(*IoDeviceTask("/job:worker/replica:0/task:1/device:CPU:0"), 1);
  EXPECT_EQ(*IoDeviceTask("/task:3"), 3);
  EXPECT_EQ(*IoDeviceTask("/job:w/task:0"), 0);
  EXPECT_EQ(*IoDeviceTask("/task:2/cpu:0"), 2);
  EXPECT_EQ(*IoDeviceTask(""), -1);
  EXPECT_EQ(*IoDeviceTask("/cpu:0"), -1);
  EXPECT_EQ(*IoDeviceTask("/job:localhost/replica:0/device:CPU:0"), -1);
  EXPECT_CODE(IoDeviceTask("/task:x"), StatusCode::kInvalidArgument);
  EXPECT_CODE(IoDeviceTask("/task:"), StatusCode::kInvalidArgument);
  EXPECT_CODE(IoDeviceTask("/task:1/task:2"), StatusCode::kInvalidArgument);
  EXPECT_CODE(IoDeviceTask("/task:-1"), StatusCode::kInvalidArgument);

  EXPECT_EQ(*IoRankFor("/task:1", 2), 1);
  EXPECT_EQ(*IoRankFor("/task:7", 1), -1);  // one process: ignored, as before
  EXPECT_EQ(*IoRankFor("/task:x", 1), -1);
  EXPECT_EQ(*IoRankFor("/cpu:0", 4), -1);
  EXPECT_CODE(IoRankFor("/task:4", 4), StatusCode::kInvalidArgument);
  EXPECT_EQ(LeadRankFor("/task:2", 3), 2);
  EXPECT_EQ(LeadRankFor("/task:9", 3), 0);
  EXPECT_EQ(LeadRankFor("", 3), 0);
}

// The core property: for N = 2..4 and io rank 0 or N-1, the files are the
// files of the save without an io rank, byte for byte; the other ranks made
// no file-system call at all; every message was at most a chunk.
TEST(IoRankSaveTest, WritesTheSameBytesAsTheSaveWithoutAnIoRankAndOnlyTheIoRankTouchesFiles) {
  for (int n = 2; n <= 4; ++n) {
    const Job job = MakeJob(n);
    auto plain_fs = NewMemoryFileSystem();
    {
      InProcessGroup group(n);
      auto run = Save(group, job, "/ck/p", -1, [&](int) { return plain_fs.get(); });
      for (auto& r : run.results) ASSERT_OK(r);
    }
    const auto expected = Files(plain_fs.get(), "/ck");
    ASSERT_GE(expected.size(), 3u);  // index + one data file per writing rank
    for (int io : {0, n - 1}) {
      SCOPED_TRACE("n=" + std::to_string(n) + " io rank " + std::to_string(io));
      auto io_fs = NewMemoryFileSystem();
      std::vector<std::unique_ptr<test::CallRecordingFileSystem>> others(static_cast<size_t>(n));
      for (auto& o : others) o = std::make_unique<test::CallRecordingFileSystem>();
      InProcessGroup group(n);
      auto run = Save(group, job, "/ck/p", io, [&](int r) -> FileSystem* {
        return r == io ? io_fs.get() : others[static_cast<size_t>(r)].get();
      });
      for (auto& r : run.results) ASSERT_OK(r);
      EXPECT_EQ(Files(io_fs.get(), "/ck"), expected);
      for (int r = 0; r < n; ++r) {
        if (r == io) continue;
        EXPECT_TRUE(others[static_cast<size_t>(r)]->calls().empty()) << "rank " << r;
        EXPECT_LE(run.largest_message[static_cast<size_t>(r)], kChunk) << "rank " << r;
        EXPECT_GT(run.sent[static_cast<size_t>(r)], 10 * kChunk) << "rank " << r;
      }
      EXPECT_EQ(run.sent[static_cast<size_t>(io)], 0u);
      BundleReaderOptions ro;
      ro.fs = io_fs.get();
      auto reader = BundleReader::Open("/ck/p", ro);
      ASSERT_OK(reader);
      EXPECT_OK((*reader)->VerifyAll());
    }
  }
}

// A rank that stalls, fails or aborts in the middle of its stream, or an io
// rank whose Recv fails: every rank fails, nothing is published, the io
// rank leaves no part behind.
TEST(IoRankSaveTest, AFaultMidStreamFailsEveryRankAndPublishesNothing) {
  const int n = 3;
  const Job job = MakeJob(n);
  using Kind = InjectedFault::Kind;
  struct Case {
    int rank;
    int call;  // 0 is the plan all-gather; Send/Recv calls follow
    Kind kind;
  };
  for (int io : {0, 2}) {
    const int sender = io == 0 ? 1 : 0;
    for (const Case c : {Case{sender, 1, Kind::kStall}, Case{sender, 9, Kind::kStall}, Case{sender, 5, Kind::kFail},
                         Case{sender, 5, Kind::kAbort}, Case{io, 7, Kind::kFail}, Case{io, 7, Kind::kStall}}) {
      SCOPED_TRACE("io " + std::to_string(io) + " fault at rank " + std::to_string(c.rank) + " call " +
                   std::to_string(c.call) + " kind " + std::to_string(static_cast<int>(c.kind)));
      auto fs = NewMemoryFileSystem();
      InProcessGroup group(n);
      group.InjectFault({.rank = c.rank, .call = c.call, .kind = c.kind});
      auto run = Save(group, job, "/ck/f", io, [&](int) { return fs.get(); }, 500ms);
      for (int r = 0; r < n; ++r) {
        ASSERT_FALSE(run.results[static_cast<size_t>(r)].ok()) << "rank " << r;
        const StatusCode code = run.results[static_cast<size_t>(r)].status().code();
        EXPECT_TRUE(code == StatusCode::kDeadlineExceeded || code == StatusCode::kAborted ||
                    code == StatusCode::kUnavailable)
            << run.results[static_cast<size_t>(r)].status().ToString();
      }
      EXPECT_FALSE(fs->FileExists("/ck/f.index").ok());
      EXPECT_TRUE(Files(fs.get(), "/ck").empty()) << Files(fs.get(), "/ck").front().first;
    }
  }
}

// The io rank cannot write: every rank returns the same voted error naming
// the io rank; nothing is published and no part is left.
TEST(IoRankSaveTest, AWriteFailureAtTheIoRankIsVotedAndNamesIt) {
  const int n = 3;
  const Job job = MakeJob(n);
  for (uint64_t k : {1u, 3u, 8u, 30u}) {
    SCOPED_TRACE("failing mutating call " + std::to_string(k));
    auto base = NewMemoryFileSystem();
    test::FaultInjectionFileSystem faulty(base.get());
    faulty.FailAfter(k, StatusCode::kResourceExhausted);
    InProcessGroup group(n);
    auto run = Save(group, job, "/ck/w", 1, [&](int r) -> FileSystem* { return r == 1 ? &faulty : base.get(); });
    for (auto& r : run.results) {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status(), run.results[0].status());
    }
    const Status& s = run.results[0].status();
    EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
    EXPECT_NE(s.message().find("rank 1: RESOURCE_EXHAUSTED"), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find("nothing was published"), std::string::npos) << s.ToString();
    faulty.FailAfter(0, StatusCode::kOk);
    EXPECT_FALSE(base->FileExists("/ck/w.index").ok());
    EXPECT_TRUE(Files(base.get(), "/ck").empty()) << Files(base.get(), "/ck").front().first;
  }
}

// Ranks that disagree about the io rank, an io rank outside the group, and a
// transport without Send/Recv: InvalidArgument / Unimplemented on every rank
// alike before anything is written.
TEST(IoRankSaveTest, DisagreementAndMissingPointToPointFailEveryRankBeforeWriting) {
  const int n = 3;
  const Job job = MakeJob(n);
  auto fs = NewMemoryFileSystem();
  {
    InProcessGroup group(n);
    auto results = group.Run([&](Communicator& comm) {
      DistributedSaveOptions o;
      o.fs = fs.get();
      o.collective_timeout = 20000ms;
      o.io_rank = comm.rank() == 2 ? 0 : 1;
      return SaveDistributed(comm, job.views[static_cast<size_t>(comm.rank())], "/ck/d", o);
    });
    for (auto& r : results) {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status(), results[0].status());
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
    EXPECT_NE(results[0].status().message().find("rank(s) 2 disagree with rank 0 about the io rank"),
              std::string::npos)
        << results[0].status().ToString();
  }
  {
    // A transport with collectives only.
    class CollectivesOnly final : public Communicator {
     public:
      explicit CollectivesOnly(Communicator& inner) : inner_(inner) {}
      int rank() const override { return inner_.rank(); }
      int size() const override { return inner_.size(); }
      Result<std::vector<std::string>> AllGather(std::string_view m, Deadline d) override {
        return inner_.AllGather(m, d);
      }
      Result<std::string> Broadcast(std::string_view b, int root, Deadline d) override {
        return inner_.Broadcast(b, root, d);
      }
      Status Barrier(Deadline d) override { return inner_.Barrier(d); }
      void Abort(std::string_view reason) override { inner_.Abort(reason); }

     private:
      Communicator& inner_;
    };
    InProcessGroup group(n);
    auto results = group.Run([&](Communicator& inner) {
      CollectivesOnly comm(inner);
      EXPECT_CODE(comm.Send("x", 0, kNoDeadline), StatusCode::kUnimplemented);
      DistributedSaveOptions o;
      o.fs = fs.get();
      o.collective_timeout = 20000ms;
      o.io_rank = 1;
      return SaveDistributed(comm, job.views[static_cast<size_t>(comm.rank())], "/ck/u", o);
    });
    for (auto& r : results) {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status(), results[0].status());
      EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
    }
  }
  EXPECT_TRUE(Files(fs.get(), "/ck").empty());
}

TEST(InProcessPointToPointTest, MessagesArriveInOrderAndASenderWaitsForRoom) {
  InProcessGroup group(2);
  auto results = group.Run([&](Communicator& comm) -> Status {
    if (comm.rank() == 0) {
      for (int i = 0; i < 50; ++i) CKPT_RETURN_IF_ERROR(comm.Send(std::string(i, 'a' + i % 26), 1, kNoDeadline));
      // The receiver takes nothing more: the queue fills, the send times out.
      for (size_t i = 0; i < InProcessGroup::kInFlightMessages; ++i) {
        CKPT_RETURN_IF_ERROR(comm.Send("x", 1, kNoDeadline));
      }
      Status late = comm.Send("y", 1, DeadlineAfter(50ms));
      if (late.code() != StatusCode::kDeadlineExceeded) return InternalError("expected a deadline: " + late.ToString());
      return comm.Send("z", 1, kNoDeadline).code() == StatusCode::kDeadlineExceeded
                 ? OkStatus()
                 : InternalError("not sticky");
    }
    for (int i = 0; i < 50; ++i) {
      CKPT_ASSIGN_OR_RETURN(std::string m, comm.Recv(0, kNoDeadline));
      if (m != std::string(i, 'a' + i % 26)) return InternalError("message " + std::to_string(i) + " out of order");
    }
    if (comm.Send("x", 1, kNoDeadline).code() != StatusCode::kInvalidArgument) return InternalError("self send");
    return OkStatus();
  });
  EXPECT_OK(results[0]);
  EXPECT_OK(results[1]);
}

}  // namespace
}  // namespace ckpt::distributed
