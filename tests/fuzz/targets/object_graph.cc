// Fuzz target object_graph: a checkpoint's TrackableObjectGraph and what
// restore does with it. The input is the serialized graph; the target writes
// a bundle holding it under _CHECKPOINTABLE_OBJECT_GRAPH plus a value for
// every checkpoint key the graph names (float[2] mostly, sometimes another
// dtype or shape), then restores it into a small fixed tree of trackables
// (variables, a list, an optimizer with a slot), runs the load-status
// assertions, attaches objects afterwards (deferred restorations, slot
// creation), reads the graph with ReadObjectGraph, and finally writes the
// tree again and restores that into a fresh tree. Cycles, dangling node ids,
// huge child counts, deep chains and slot-variable references out of range
// must give a clean error or a sane restore, never a crash or a hang.
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/checkpoint.h"
#include "ckpt/file_system.h"
#include "ckpt/object_graph.h"
#include "ckpt/proto/trackable_object_graph.pb.h"
#include "ckpt/variable.h"
#include "engine/checks.h"
#include "engine/fuzz_target.h"
#include "support/memory_files.h"

namespace ckpt::fuzz {
namespace {

using Graph = proto::TrackableObjectGraph;
using Node = proto::TrackableObjectGraph::TrackableObject;

constexpr int kMaxValues = 64;  // checkpoint keys given a value

Tensor Floats(std::vector<float> v) {
  Tensor t = *Tensor::Make(DType::kFloat, TensorShape{static_cast<int64_t>(v.size())});
  std::memcpy(t.data(), v.data(), t.byte_size());
  return t;
}

// The fixed tree restored into: root -> model -> dense -> {kernel, bias},
// model -> layers (a list) -> [0] int64[3]; root -> opt (slot "m" of
// kernel, beta scalar).
struct Tree {
  Module model, dense;
  TrackableList layers;
  Variable kernel{Floats({1, 2}), "dense/kernel"};
  Variable bias{Floats({3, 4}), "dense/bias"};
  Variable steps{DType::kInt64, TensorShape{3}, "steps"};
  Variable beta{DType::kFloat, TensorShape{}, "beta"};
  SlotOptimizer opt;
  Tree() {
    FUZZ_CHECK(dense.Track("kernel", kernel).ok(), "track");
    FUZZ_CHECK(dense.Track("bias", bias).ok(), "track");
    FUZZ_CHECK(model.Track("dense", dense).ok(), "track");
    FUZZ_CHECK(layers.Append(steps).ok(), "append");
    FUZZ_CHECK(model.Track("layers", layers).ok(), "track");
    FUZZ_CHECK(opt.Track("beta", beta).ok(), "track");
    FUZZ_CHECK(opt.CreateSlot(kernel, "m").ok(), "slot");
  }
  std::vector<std::pair<std::string, Trackable*>> Named() { return {{"model", &model}, {"opt", &opt}}; }
};

CheckpointOptions Options(FileSystem* fs) {
  CheckpointOptions o;
  o.fs = fs;
  o.sync = false;
  return o;
}

// The value stored for `key`: mostly what the tree's variables hold
// (float[2]), sometimes a mismatching dtype or shape.
Tensor ValueFor(const std::string& key) {
  switch (Fnv1a(key) % 8) {
    case 0: return *Tensor::Make(DType::kInt64, TensorShape{3});
    case 1: return *Tensor::Make(DType::kFloat, TensorShape{});
    case 2: return Tensor::FromStrings(TensorShape{1}, {"s"});
    case 3: return Floats({1, 2, 3});
    default: return Floats({5, 6});
  }
}

// Restore problems and load-status assertion failures are the only errors.
void CheckRestoreError(const Status& s, const std::string& where) {
  FUZZ_CHECK(!s.ok() && !s.message().empty(), where);
  const StatusCode c = s.code();
  FUZZ_CHECK(c == StatusCode::kDataLoss || c == StatusCode::kNotFound || c == StatusCode::kInvalidArgument ||
                 c == StatusCode::kFailedPrecondition || c == StatusCode::kUnimplemented ||
                 c == StatusCode::kOutOfRange,
             where + ": unexpected error code: " + s.ToString());
}

std::string Run(const uint8_t* bytes, size_t size) {
  const std::string input = InputString(bytes, size);
  const uint64_t h = Fnv1a(input);
  auto fs = NewMemoryFileSystem();
  FUZZ_CHECK(fs->CreateDir("/c").ok(), "mkdir");
  {
    BundleWriterOptions wo;
    wo.fs = fs.get();
    wo.sync = false;
    auto w = BundleWriter::Create("/c/p", wo);
    FUZZ_CHECK(w.ok(), w.status().ToString());
    FUZZ_CHECK((*w)->Add(std::string(kObjectGraphKey), Tensor::FromStrings({}, {input})).ok(), "add graph");
    Graph g;
    std::set<std::string> keys;
    if (g.ParseFromString(input)) {
      for (const Node& n : g.nodes()) {
        for (const auto& a : n.attributes()) {
          // Keys a writer cannot store (empty, or a NUL first byte: slice
          // keys) stay without a value: restore reports them missing.
          const std::string& k = a.checkpoint_key();
          if (keys.size() < kMaxValues && k != kObjectGraphKey && !k.empty() && k[0] != '\0') keys.insert(k);
        }
      }
    }
    for (const std::string& k : keys) FUZZ_CHECK((*w)->Add(k, ValueFor(k)).ok(), "add value");
    Status s = (*w)->Finish();
    FUZZ_CHECK(s.ok(), s.ToString());
  }
  std::string sig;
  {  // the public reader of the graph (ckpt inspect, Python's object graph view)
    BundleReaderOptions ro;
    ro.fs = fs.get();
    auto reader = BundleReader::Open("/c/p", ro);
    FUZZ_CHECK(reader.ok(), reader.status().ToString());
    auto og = ReadObjectGraph(**reader);
    if (!og.ok()) CheckBadInputError(og.status(), "ReadObjectGraph");
    sig = "graph:" + Sig(og.status(), 30);
  }
  Tree tree;
  Checkpoint ck(tree.Named(), Options(fs.get()));
  FUZZ_CHECK(ck.status().ok(), ck.status().ToString());
  auto st = (h & 1) ? ck.Read("/c/p") : ck.Restore("/c/p");
  if (!st.ok()) {
    CheckRestoreError(st.status(), "restore");
    sig += "|restore:" + Sig(st.status(), 40);
  } else {
    sig += "|restore:OK";
    for (const Status& a : {st->AssertConsumed(), st->AssertExistingObjectsMatched(), st->AssertNontrivialMatch()}) {
      if (!a.ok()) CheckRestoreError(a, "load-status assertion");
      sig += a.ok() ? "|ok" : "|fail";
    }
    // Objects attached after the restore receive queued values (or an error).
    Variable late(Floats({0, 0}), "late");
    Status t = tree.model.Track("dense2", late);
    if (!t.ok()) CheckRestoreError(t, "deferred Track");
    Module more;
    Status t2 = tree.dense.Track("more", more);
    if (!t2.ok()) CheckRestoreError(t2, "deferred Track");
    auto slot = tree.opt.CreateSlot(tree.bias, "m");
    if (!slot.ok()) CheckRestoreError(slot.status(), "CreateSlot after restore");
    auto slot2 = tree.opt.CreateSlot(tree.kernel, "v");
    if (!slot2.ok()) CheckRestoreError(slot2.status(), "CreateSlot after restore");
    if ((h >> 1) % 4 != 0) st->ExpectPartial();  // else the unused-value warning runs
  }
  // Whatever the restore did, the tree saves and restores cleanly.
  auto written = ck.Write("/c/again");
  FUZZ_CHECK(written.ok(), "Write after restoring a hostile graph: " + written.status().ToString());
  Tree fresh;
  Checkpoint ck2(fresh.Named(), Options(fs.get()));
  auto st2 = ck2.Read("/c/again");
  FUZZ_CHECK(st2.ok(), "reading back the re-written tree: " + st2.status().ToString());
  Status consumed = st2->AssertConsumed();
  FUZZ_CHECK(consumed.ok() || consumed.code() == StatusCode::kFailedPrecondition, consumed.ToString());
  st2->ExpectPartial();
  FUZZ_CHECK(std::memcmp(fresh.kernel.data(), tree.kernel.data(), fresh.kernel.byte_size()) == 0,
             "the re-written kernel differs");
  return sig;
}

// A node id near the graph's range: inside, just outside, negative, huge.
int32_t SomeId(Rng& rng, int n) {
  switch (Below(rng, 6)) {
    case 0: return n;
    case 1: return -1;
    case 2: return static_cast<int32_t>(Interesting(rng));
    case 3: return 0;
    default: return static_cast<int32_t>(Below(rng, static_cast<size_t>(n) + 1));
  }
}

bool Mutate(std::string* s, Rng& rng, const Mutator& m, const std::vector<std::string>& corpus) {
  Graph g;
  if (!g.ParseFromString(*s) || Below(rng, 10) == 0) return false;
  const int n = g.nodes_size();
  if (n == 0) {
    g.add_nodes();
    *s = g.SerializeAsString();
    return true;
  }
  const int index = static_cast<int>(Below(rng, static_cast<size_t>(n)));
  Node* node = g.mutable_nodes(index);
  switch (Below(rng, 12)) {
    case 0:  // re-point a child: dangling, self (cycle), the root (cycle), another node
      if (node->children_size()) {
        node->mutable_children(static_cast<int>(Below(rng, node->children_size())))->set_node_id(SomeId(rng, n));
      }
      break;
    case 1: {  // a new child, perhaps with the name of an existing one
      auto* c = node->add_children();
      c->set_node_id(SomeId(rng, n));
      c->set_local_name(node->children_size() > 1 && (rng() & 1) ? node->children(0).local_name()
                                                                  : "c" + std::to_string(Below(rng, 4)));
      break;
    }
    case 2: {  // a huge child count
      const int k = static_cast<int>(100 + Below(rng, 5000));
      for (int i = 0; i < k; ++i) {
        auto* c = node->add_children();
        c->set_node_id(static_cast<int32_t>(Below(rng, static_cast<size_t>(n))));
        c->set_local_name(rng() & 1 ? "x" : std::to_string(i));
      }
      break;
    }
    case 3: {  // a deep chain hung under this node (recursion depth)
      const int depth = static_cast<int>(100 + Below(rng, 3000));
      int parent = index;
      for (int i = 0; i < depth; ++i) {
        const int id = g.nodes_size();
        auto* c = g.mutable_nodes(parent)->add_children();
        c->set_node_id(id);
        c->set_local_name("d");
        g.add_nodes();
        parent = id;
      }
      if (rng() & 1) {  // closing the chain into a cycle
        auto* c = g.mutable_nodes(parent)->add_children();
        c->set_node_id(0);
        c->set_local_name("back");
      }
      break;
    }
    case 4: {  // slot variable references, in or out of range
      auto* sv = node->add_slot_variables();
      sv->set_original_variable_node_id(SomeId(rng, n));
      sv->set_slot_variable_node_id(SomeId(rng, n));
      sv->set_slot_name(rng() & 1 ? "m" : "v");
      break;
    }
    case 5:
      if (node->slot_variables_size()) {
        auto* sv = node->mutable_slot_variables(static_cast<int>(Below(rng, node->slot_variables_size())));
        if (rng() & 1) sv->set_original_variable_node_id(SomeId(rng, n));
        else sv->set_slot_variable_node_id(SomeId(rng, n));
      }
      break;
    case 6: {  // an attribute: another node's key, a new key, a renamed one
      auto* a = node->add_attributes();
      a->set_name(rng() & 1 ? "VARIABLE_VALUE" : "OTHER");
      const Node& other = g.nodes(static_cast<int>(Below(rng, static_cast<size_t>(n))));
      a->set_checkpoint_key(other.attributes_size() ? other.attributes(0).checkpoint_key()
                                                    : "k" + std::to_string(Below(rng, 8)));
      a->set_optional_restore(rng() & 1);
      break;
    }
    case 7:
      if (node->attributes_size()) {
        auto* a = node->mutable_attributes(static_cast<int>(Below(rng, node->attributes_size())));
        if (rng() & 1) m.Mutate(a->mutable_checkpoint_key(), rng, corpus);
        else m.Mutate(a->mutable_name(), rng, corpus);
      }
      break;
    case 8: *g.add_nodes() = *node; break;  // a duplicate node
    case 9: g.mutable_nodes()->erase(g.mutable_nodes()->begin() + Below(rng, static_cast<size_t>(n))); break;
    case 10:
      if (rng() & 1) node->mutable_registered_saver()->set_name("tf.saver");
      else node->mutable_has_checkpoint_values()->set_value(rng() & 1);
      break;
    default:
      if (node->children_size()) m.Mutate(node->mutable_children(0)->mutable_local_name(), rng, corpus);
      break;
  }
  *s = g.SerializeAsString();
  return true;
}

std::vector<std::string> Seeds() {
  std::vector<std::string> out;
  auto fs = NewMemoryFileSystem();
  FUZZ_CHECK(fs->CreateDir("/s").ok(), "mkdir");
  auto graph_of = [&](const std::string& prefix) {
    BundleReaderOptions ro;
    ro.fs = fs.get();
    auto r = BundleReader::Open(prefix, ro);
    FUZZ_CHECK(r.ok(), r.status().ToString());
    auto blob = (*r)->ReadStrings(kObjectGraphKey);
    FUZZ_CHECK(blob.ok() && blob->size() == 1, "object graph");
    return (*blob)[0];
  };
  {
    Tree tree;
    Checkpoint ck(tree.Named(), Options(fs.get()));
    auto p = ck.Save("/s/tree");
    FUZZ_CHECK(p.ok(), p.status().ToString());
    out.push_back(graph_of(*p));
  }
  {  // another tree: a list of lists and a map
    Module root;
    TrackableList outer, inner;
    Variable a(Floats({1, 2}), "a"), b(Floats({3, 4}), "b");
    FUZZ_CHECK(inner.Append(a).ok() && outer.Append(inner).ok() && outer.Append(b).ok(), "append");
    TrackableMap map;
    FUZZ_CHECK(map.Set("kernel", a).ok() && root.Track("outer", outer).ok() && root.Track("map", map).ok(), "set");
    Checkpoint ck(root, {}, Options(fs.get()));
    auto p = ck.Write("/s/lists");
    FUZZ_CHECK(p.ok(), p.status().ToString());
    out.push_back(graph_of(*p));
  }
  // Hand-made: a two-node cycle, and a root whose child dangles.
  Graph cyc;
  auto* r = cyc.add_nodes();
  auto* c = r->add_children();
  c->set_node_id(1);
  c->set_local_name("model");
  auto* m1 = cyc.add_nodes();
  auto* back = m1->add_children();
  back->set_node_id(0);
  back->set_local_name("up");
  out.push_back(cyc.SerializeAsString());
  c->set_node_id(7);
  out.push_back(cyc.SerializeAsString());
  return out;
}

std::vector<std::string> Dictionary() {
  return {"VARIABLE_VALUE", ".ATTRIBUTES", "/.ATTRIBUTES/VARIABLE_VALUE", ".OPTIMIZER_SLOT", "save_counter",
          "model", "dense", "kernel", "bias", "opt", "layers", "0", "m", "v", "beta", "_CHECKPOINTABLE_OBJECT_GRAPH"};
}

}  // namespace

CKPT_FUZZ_TARGET(object_graph) {
  return {.name = "object_graph", .seeds = Seeds, .run = Run, .mutate = Mutate, .dict = Dictionary()};
}

}  // namespace ckpt::fuzz
