// Fuzz target saver_def: the SaverDef a `.meta` MetaGraphDef carries and
// what a Saver built from it does. The input is a MetaGraphDef (seeds are
// .meta files written by Saver::ExportMetaGraph). The target parses the
// input as a SaverDef (SaverDef::Parse) and as a MetaGraphDef; a parsed
// MetaGraphDef's saver_def goes through SaverDef::Parse, Saver::FromProto
// (TF's Saver.from_proto after import_meta_graph), three saves (retention
// with the def's max_to_keep / keep_checkpoint_every_n_hours / version /
// sharded), a restore checked bit-exact, and ExportMetaGraph read back.
// The input is also handed to CheckpointReader as a checkpoint file (a
// .meta given where a checkpoint was expected): a clean error.
// (ckpt has no importer of .meta graphs; the SaverDef is what it reads.)
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ckpt/checkpoint_reader.h"
#include "ckpt/file_system.h"
#include "ckpt/proto/meta_graph.pb.h"
#include "ckpt/saver.h"
#include "engine/checks.h"
#include "engine/fuzz_target.h"
#include "support/memory_files.h"
#include "testing/pattern_tensor.h"

namespace ckpt::fuzz {
namespace {

struct Vars {
  std::shared_ptr<TensorVariable> a = std::make_shared<TensorVariable>(
      "a", test::PatternTensor(DType::kFloat, {2, 3}, 1), "/job:ps/task:0/device:CPU:0");
  std::shared_ptr<TensorVariable> b = std::make_shared<TensorVariable>(
      "b", test::PatternTensor(DType::kInt64, {4}, 2), "/job:ps/task:1/device:CPU:0");
  VarList List() const { return VarList::List({a, b}); }
};

SaverOptions Options(FileSystem* fs) {
  SaverOptions o;
  o.fs = fs;
  o.sync = false;
  o.clock = [] { return 1.0e9; };
  return o;
}

bool Same(const SaverDef& x, const SaverDef& y) {
  if (std::isnan(x.keep_checkpoint_every_n_hours) || std::isnan(y.keep_checkpoint_every_n_hours)) {
    return x.filename_tensor_name == y.filename_tensor_name && x.max_to_keep == y.max_to_keep;
  }
  return x == y;
}

// The error of a Saver call on a SaverDef it cannot use.
void CheckSaverError(const Status& s, const std::string& where) {
  FUZZ_CHECK(!s.ok() && !s.message().empty(), where);
  FUZZ_CHECK(s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kFailedPrecondition ||
                 s.code() == StatusCode::kUnimplemented || s.code() == StatusCode::kOutOfRange,
             where + ": unexpected error code: " + s.ToString());
}

std::string RunSaver(const SaverDef& def, FileSystem* fs) {
  Vars vars;
  auto saver = Saver::FromProto(def, "", vars.List(), Options(fs));
  if (!saver.ok()) {
    CheckSaverError(saver.status(), "FromProto");
    return "from_proto:" + Sig(saver.status(), 40);
  }
  std::string last;
  for (int64_t step = 1; step <= 3; ++step) {
    SaverSaveOptions so;
    so.global_step = step;
    auto p = (*saver)->Save("/d/model", so);
    if (!p.ok()) {
      CheckSaverError(p.status(), "Save");
      return "save:" + Sig(p.status(), 40);
    }
    FUZZ_CHECK(p->has_value(), "a Saver with variables saved nothing");
    last = **p;
  }
  FUZZ_CHECK(!(*saver)->last_checkpoints().empty() || def.max_to_keep <= 0,
             "no checkpoint remembered with max_to_keep " + std::to_string(def.max_to_keep));
  const Tensor a0 = vars.a->tensor(), b0 = vars.b->tensor();
  std::memset(vars.a->tensor().data(), 0, vars.a->tensor().byte_size());
  Status r = (*saver)->Restore(last);
  FUZZ_CHECK(r.ok(), "restoring what the Saver just saved: " + r.ToString());
  FUZZ_CHECK(vars.a->tensor().Equals(a0) && vars.b->tensor().Equals(b0), "restore is not bit-exact");
  Status e = (*saver)->ExportMetaGraph("/d/export.meta");
  if (!e.ok()) {
    CheckSaverError(e, "ExportMetaGraph");
    return "export:" + Sig(e, 40);
  }
  proto::MetaGraphDef mg;
  FUZZ_CHECK(mg.ParseFromString(GetFile(fs, "/d/export.meta")), "exported .meta does not parse");
  auto again = SaverDef::Parse(mg.saver_def().SerializeAsString());
  FUZZ_CHECK(again.ok() && Same(*again, (*saver)->AsSaverDef()), "exported SaverDef differs from AsSaverDef");
  return "saver:OK:" + std::to_string((*saver)->last_checkpoints().size());
}

std::string Run(const uint8_t* bytes, size_t size) {
  const std::string input = InputString(bytes, size);
  std::string sig;
  auto raw = SaverDef::Parse(input);
  if (raw.ok()) {
    auto again = SaverDef::Parse(raw->SerializeAsString());
    FUZZ_CHECK(again.ok() && Same(*again, *raw), "SaverDef serialize/parse round trip changed it");
    sig = "def:OK";
  } else {
    FUZZ_CHECK(raw.status().code() == StatusCode::kInvalidArgument && !raw.status().message().empty(),
               raw.status().ToString());
    sig = "def:bad";
  }
  auto fs = NewMemoryFileSystem();
  FUZZ_CHECK(fs->CreateDir("/d").ok(), "mkdir");
  PutFile(fs.get(), "/d/in.meta", input);
  CheckpointReaderOptions co;
  co.fs = fs.get();
  auto cr = CheckpointReader::Open("/d/in.meta", co);
  if (!cr.ok()) CheckBadInputError(cr.status(), "CheckpointReader::Open of a .meta file");
  proto::MetaGraphDef mg;
  if (!mg.ParseFromString(input)) return sig + "|meta:bad";
  if (!mg.has_saver_def()) return sig + "|meta:no saver_def";
  auto def = SaverDef::Parse(mg.saver_def().SerializeAsString());
  FUZZ_CHECK(def.ok(), "a parsed MetaGraphDef's saver_def does not parse: " + def.status().ToString());
  return sig + "|" + RunSaver(*def, fs.get());
}

// Field edits of the SaverDef inside a MetaGraphDef.
bool Mutate(std::string* s, Rng& rng, const Mutator& m, const std::vector<std::string>& corpus) {
  proto::MetaGraphDef mg;
  if (!mg.ParseFromString(*s) || Below(rng, 4) == 0) return false;
  proto::SaverDef* d = mg.mutable_saver_def();
  switch (Below(rng, 9)) {
    case 0: d->set_max_to_keep(static_cast<int32_t>(Interesting(rng))); break;
    case 1: d->set_max_to_keep(static_cast<int32_t>(Below(rng, 4)) - 1); break;
    case 2: {
      static const float hours[] = {0.0f, -1.0f, 1e-9f, 1e30f, INFINITY, -INFINITY, NAN, 0.0001f};
      d->set_keep_checkpoint_every_n_hours(hours[Below(rng, std::size(hours))]);
      break;
    }
    case 3: d->set_version(static_cast<proto::SaverDef::CheckpointFormatVersion>(Below(rng, 5) - 1)); break;
    case 4: d->set_sharded(!d->sharded()); break;
    case 5: m.Mutate(d->mutable_filename_tensor_name(), rng, corpus); break;
    case 6: m.Mutate(d->mutable_save_tensor_name(), rng, corpus); break;
    case 7: m.Mutate(d->mutable_restore_op_name(), rng, corpus); break;
    default: mg.clear_graph_def(); break;  // smaller inputs
  }
  *s = mg.SerializeAsString();
  return true;
}

std::vector<std::string> Seeds() {
  std::vector<std::string> out;
  auto fs = NewMemoryFileSystem();
  FUZZ_CHECK(fs->CreateDir("/s").ok(), "mkdir");
  int i = 0;
  for (CheckpointFormat version : {CheckpointFormat::kV2, CheckpointFormat::kV1}) {
    for (bool sharded : {false, true}) {
      Vars vars;
      SaverOptions o = Options(fs.get());
      o.write_version = version;
      o.sharded = sharded;
      o.max_to_keep = 2;
      auto saver = Saver::Create(vars.List(), o);
      FUZZ_CHECK(saver.ok(), saver.status().ToString());
      const std::string path = "/s/m" + std::to_string(i++) + ".meta";
      FUZZ_CHECK((*saver)->ExportMetaGraph(path).ok(), "export");
      out.push_back(GetFile(fs.get(), path));
    }
  }
  // The SaverDef alone, without the graph.
  proto::MetaGraphDef mg;
  FUZZ_CHECK(mg.ParseFromString(out[0]), "parse");
  mg.clear_graph_def();
  mg.clear_collection_def();
  out.push_back(mg.SerializeAsString());
  return out;
}

std::vector<std::string> Dictionary() {
  return {"save/Const:0", "save/control_dependency:0", "save/restore_all", ":1", ":0", "save/", "/"};
}

}  // namespace

CKPT_FUZZ_TARGET(saver_def) {
  return {.name = "saver_def", .seeds = Seeds, .run = Run, .mutate = Mutate, .dict = Dictionary()};
}

}  // namespace ckpt::fuzz
