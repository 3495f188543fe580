// Builds the variable and save/restore nodes of a Saver's meta graph (see
// saver_graph.h for the layout and why it looks like this).
#include "saver/saver_graph.h"

#include <algorithm>
#include <set>

#include "ckpt/status_macros.h"

namespace ckpt::saver {
namespace {

// TF's node-name rule: [A-Za-z0-9.][A-Za-z0-9_.\-/>]*. Anything else would
// make import_graph_def reject the whole graph.
std::string SanitizeNodeName(const std::string& name) {
  std::string out;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-' || c == '/' || c == '>';
    out += ok ? c : '_';
  }
  if (out.empty() || out[0] == '_' || out[0] == '-' || out[0] == '/' || out[0] == '>') out = "v" + out;
  return out;
}

// "save/Const:0" -> "save/Const"; error for any other output index.
Result<std::string> NodeOfTensor(const std::string& tensor) {
  const auto colon = tensor.rfind(':');
  if (colon == std::string::npos) return tensor;
  if (tensor.substr(colon + 1) != "0") {
    return InvalidArgumentError("cannot build a graph whose tensor " + tensor + " is not output 0 of its node");
  }
  return tensor.substr(0, colon);
}

proto::TensorShapeProto ShapeProto(const TensorShape& shape) {
  proto::TensorShapeProto p;
  for (int d = 0; d < shape.rank(); ++d) p.add_dim()->set_size(shape.dim(d));
  return p;
}

class GraphBuilder {
 public:
  explicit GraphBuilder(proto::GraphDef* graph) : graph_(graph) {}

  // A node name not used yet: `base`, else `base_1`, `base_2`, ... (TF's
  // unique_name rule for ops made in one scope).
  std::string Unique(const std::string& base) {
    std::string name = base;
    for (int i = 1; used_.count(name) != 0; ++i) name = base + "_" + std::to_string(i);
    used_.insert(name);
    return name;
  }
  void Reserve(const std::string& name) { used_.insert(name); }

  proto::NodeDef* Node(const std::string& name, const std::string& op, std::vector<std::string> inputs = {},
                       const std::string& device = {}) {
    proto::NodeDef* n = graph_->add_node();
    n->set_name(name);
    n->set_op(op);
    for (auto& i : inputs) n->add_input(std::move(i));
    n->set_device(device);
    return n;
  }

  static void Type(proto::NodeDef* n, const std::string& attr, DType t) {
    (*n->mutable_attr())[attr].set_type(static_cast<int32_t>(t));
  }
  static void Types(proto::NodeDef* n, const std::string& attr, const std::vector<DType>& ts) {
    auto* list = (*n->mutable_attr())[attr].mutable_list();
    for (DType t : ts) list->add_type(static_cast<int32_t>(t));
  }
  static void Str(proto::NodeDef* n, const std::string& attr, const std::string& s) {
    (*n->mutable_attr())[attr].set_s(s);
  }
  static void Int(proto::NodeDef* n, const std::string& attr, int64_t i) { (*n->mutable_attr())[attr].set_i(i); }
  static void Bool(proto::NodeDef* n, const std::string& attr, bool b) { (*n->mutable_attr())[attr].set_b(b); }
  static void Shape(proto::NodeDef* n, const std::string& attr, const TensorShape& s) {
    *(*n->mutable_attr())[attr].mutable_shape() = ShapeProto(s);
  }

  proto::NodeDef* StringConst(const std::string& name, const std::vector<std::string>& values, bool vector,
                              const std::string& device = {}) {
    proto::NodeDef* n = Node(name, "Const", {}, device);
    Type(n, "dtype", DType::kString);
    proto::TensorProto* t = (*n->mutable_attr())["value"].mutable_tensor();
    t->set_dtype(static_cast<int32_t>(DType::kString));
    if (vector) t->mutable_tensor_shape()->add_dim()->set_size(static_cast<int64_t>(values.size()));
    else t->mutable_tensor_shape();
    for (const auto& v : values) t->add_string_val(v);
    return n;
  }
  proto::NodeDef* Int32Const(const std::string& name, std::vector<int32_t> values, bool vector,
                             const std::string& device = {}) {
    proto::NodeDef* n = Node(name, "Const", {}, device);
    Type(n, "dtype", DType::kInt32);
    proto::TensorProto* t = (*n->mutable_attr())["value"].mutable_tensor();
    t->set_dtype(static_cast<int32_t>(DType::kInt32));
    if (vector) t->mutable_tensor_shape()->add_dim()->set_size(static_cast<int64_t>(values.size()));
    else t->mutable_tensor_shape();
    for (int32_t v : values) t->add_int_val(v);
    return n;
  }

 private:
  proto::GraphDef* graph_;
  std::set<std::string> used_;
};

// TF pins save and restore ops to CPU 0 of the variable's host
// (set_cpu0): "/job:ps/task:1/device:GPU:0" -> "/job:ps/task:1/device:CPU:0".
std::string HostCpu0(const std::string& device) {
  std::string canonical = CanonicalDeviceName(device);
  const auto pos = canonical.find("/device:");
  if (pos != std::string::npos) canonical.resize(pos);
  return canonical + "/device:CPU:0";
}

struct Scope {
  std::string prefix;  // "" or "save/"
  std::string operator()(const std::string& name) const { return prefix + name; }
};

}  // namespace

std::string ShapeAndSliceSpec(const std::optional<PartitionInfo>& partition) {
  if (!partition) return {};
  const PartitionInfo& p = *partition;
  std::string out;
  for (int d = 0; d < p.full_shape.rank(); ++d) out += std::to_string(p.full_shape.dim(d)) + " ";
  for (int d = 0; d < p.full_shape.rank(); ++d) {
    if (d > 0) out += ":";
    const int64_t start = p.slice.IsFullAt(d) ? 0 : p.slice.start(d);
    out += std::to_string(start) + "," + std::to_string(p.slice.ResolvedLength(d, p.full_shape));
  }
  return out;
}

Status BuildSaverGraph(const std::vector<GraphVariable>& variables, const GraphOptions& options,
                       proto::GraphDef* graph, std::vector<proto::VariableDef>* variable_defs) {
  GraphBuilder g(graph);
  graph->mutable_versions()->set_producer(kGraphDefProducer);
  CKPT_ASSIGN_OR_RETURN(const std::string filename_node, NodeOfTensor(options.def.filename_tensor_name));
  CKPT_ASSIGN_OR_RETURN(const std::string save_node, NodeOfTensor(options.def.save_tensor_name));
  const std::string& restore_node = options.def.restore_op_name;
  if (filename_node.empty() || save_node.empty() || restore_node.empty()) {
    return InvalidArgumentError("cannot build a graph from a SaverDef with empty names");
  }
  g.Reserve(filename_node);
  g.Reserve(save_node);
  g.Reserve(restore_node);
  const std::string scope_dir(Dirname(restore_node));
  const Scope S{scope_dir.empty() ? std::string() : scope_dir + "/"};

  // ---- variables
  std::vector<std::string> handles, reads;
  variable_defs->clear();
  for (const auto& v : variables) {
    const std::string n = g.Unique(SanitizeNodeName(v.name));
    const std::string init_value = g.Unique(n + "/Initializer/initial_value");
    const std::string assign = g.Unique(n + "/Assign");
    const std::string read = g.Unique(n + "/Read/ReadVariableOp");

    proto::NodeDef* c = g.Node(init_value, "Const", {}, v.device);
    GraphBuilder::Type(c, "dtype", v.dtype);
    proto::TensorProto* t = (*c->mutable_attr())["value"].mutable_tensor();
    t->set_dtype(static_cast<int32_t>(v.dtype));
    *t->mutable_tensor_shape() = ShapeProto(v.shape);

    proto::NodeDef* h = g.Node(n, "VarHandleOp", {}, v.device);
    GraphBuilder::Type(h, "dtype", v.dtype);
    GraphBuilder::Shape(h, "shape", v.shape);
    GraphBuilder::Str(h, "container", "");
    GraphBuilder::Str(h, "shared_name", n);

    proto::NodeDef* a = g.Node(assign, "AssignVariableOp", {n, init_value}, v.device);
    GraphBuilder::Type(a, "dtype", v.dtype);
    proto::NodeDef* r = g.Node(read, "ReadVariableOp", {n}, v.device);
    GraphBuilder::Type(r, "dtype", v.dtype);
    handles.push_back(n);
    reads.push_back(read);

    proto::VariableDef vd;
    vd.set_variable_name(n + ":0");
    vd.set_initial_value_name(init_value + ":0");
    vd.set_initializer_name(assign);
    vd.set_snapshot_name(read + ":0");
    vd.set_is_resource(true);
    vd.set_trainable(true);
    if (v.partition) {
      const PartitionInfo& p = *v.partition;
      auto* si = vd.mutable_save_slice_info_def();
      si->set_full_name(p.full_name);
      for (int d = 0; d < p.full_shape.rank(); ++d) {
        si->add_full_shape(p.full_shape.dim(d));
        si->add_var_offset(p.slice.IsFullAt(d) ? 0 : p.slice.start(d));
        si->add_var_shape(p.slice.ResolvedLength(d, p.full_shape));
      }
    }
    variable_defs->push_back(std::move(vd));
  }

  // ---- filename tensor (SV-08)
  const std::string fin = g.Unique(S("filename/input"));
  g.StringConst(fin, {options.filename}, false);
  const std::string fph = g.Unique(S("filename"));
  proto::NodeDef* ph = g.Node(fph, "PlaceholderWithDefault", {fin});
  GraphBuilder::Type(ph, "dtype", DType::kString);
  GraphBuilder::Shape(ph, "shape", TensorShape{});
  proto::NodeDef* fnode = g.Node(filename_node, "PlaceholderWithDefault", {fph});
  GraphBuilder::Type(fnode, "dtype", DType::kString);
  GraphBuilder::Shape(fnode, "shape", TensorShape{});

  // Shards: variable indices per shard, in order.
  const int num_shards = options.sharded ? std::max(1, options.num_shards) : 1;
  std::vector<std::vector<size_t>> shards(static_cast<size_t>(num_shards));
  for (size_t i = 0; i < variables.size(); ++i) {
    const int s = options.sharded ? variables[i].shard : 0;
    if (s < 0 || s >= num_shards) return InternalError("variable shard out of range");
    shards[static_cast<size_t>(s)].push_back(i);
  }
  auto shard_device = [&](size_t s) -> std::string {
    if (!options.sharded || shards[s].empty()) return {};
    return HostCpu0(variables[shards[s][0]].device);
  };
  const bool v2 = options.def.version == static_cast<int32_t>(CheckpointFormat::kV2);

  // One save op writing `members` to the file named by `file_node`.
  auto save_op = [&](const std::string& file_node, const std::vector<size_t>& members,
                     const std::string& device) -> std::string {
    std::vector<std::string> names, specs, inputs;
    std::vector<DType> dtypes;
    for (size_t i : members) {
      names.push_back(variables[i].key);
      specs.push_back(ShapeAndSliceSpec(variables[i].partition));
      dtypes.push_back(variables[i].dtype);
    }
    const std::string op = g.Unique(S(v2 ? "SaveV2" : "save"));
    const std::string tn = g.Unique(op + "/tensor_names");
    g.StringConst(tn, names, true, device);
    const std::string sn = g.Unique(op + (v2 ? "/shape_and_slices" : "/shapes_and_slices"));
    g.StringConst(sn, specs, true, device);
    std::vector<std::string> in = {file_node, tn, sn};
    for (size_t i : members) in.push_back(reads[i]);
    proto::NodeDef* n = g.Node(op, v2 ? "SaveV2" : "SaveSlices", in, device);
    GraphBuilder::Types(n, v2 ? "dtypes" : "T", dtypes);
    return op;
  };
  auto identity_after = [&](const std::string& name, const std::string& value, std::vector<std::string> deps,
                            const std::string& device) {
    std::vector<std::string> in = {value};
    for (auto& d : deps) in.push_back("^" + d);
    proto::NodeDef* n = g.Node(name, "Identity", in, device);
    GraphBuilder::Type(n, "T", DType::kString);
  };

  // ---- save
  if (!options.sharded) {
    const std::string op = save_op(filename_node, shards[0], {});
    identity_after(save_node, filename_node, {op}, {});
  } else {
    std::string base = filename_node;
    if (v2) {
      // Shards go to "<prefix>_temp/part-0000i-of-0000N" and are merged.
      const std::string suffix = g.Unique(S("Const"));
      g.StringConst(suffix, {"_temp/part"}, false);
      base = g.Unique(S("StringJoin"));
      proto::NodeDef* j = g.Node(base, "StringJoin", {filename_node, suffix});
      GraphBuilder::Int(j, "N", 2);
      GraphBuilder::Str(j, "separator", "");
    }
    const std::string num = g.Unique(S("num_shards"));
    g.Int32Const(num, {num_shards}, false);
    std::vector<std::string> shard_files, deps;
    for (size_t s = 0; s < shards.size(); ++s) {
      const std::string dev = shard_device(s);
      const std::string sf = g.Unique(S("ShardedFilename"));
      const std::string idx = g.Unique(sf + "/shard");
      g.Int32Const(idx, {static_cast<int32_t>(s)}, false, dev);
      g.Node(sf, "ShardedFilename", {base, idx, num}, dev);
      const std::string op = save_op(sf, shards[s], dev);
      const std::string dep = g.Unique(S("control_dependency"));
      identity_after(dep, sf, {op}, dev);
      shard_files.push_back(sf);
      deps.push_back(dep);
    }
    if (v2) {
      const std::string merge = g.Unique(S("MergeV2Checkpoints"));
      const std::string pack = g.Unique(merge + "/checkpoint_prefixes");
      std::vector<std::string> in = shard_files;
      for (const auto& d : deps) in.push_back("^" + d);
      proto::NodeDef* p = g.Node(pack, "Pack", in, shard_device(0));
      GraphBuilder::Type(p, "T", DType::kString);
      GraphBuilder::Int(p, "N", static_cast<int64_t>(shard_files.size()));
      GraphBuilder::Int(p, "axis", 0);
      proto::NodeDef* m = g.Node(merge, "MergeV2Checkpoints", {pack, filename_node}, shard_device(0));
      GraphBuilder::Bool(m, "delete_old_dirs", true);
      std::vector<std::string> all = {merge};
      all.insert(all.end(), deps.begin(), deps.end());
      identity_after(save_node, filename_node, all, shard_device(0));
    } else {
      std::vector<std::string> in = {filename_node, num};
      for (const auto& d : deps) in.push_back("^" + d);
      g.Node(save_node, "ShardedFilespec", in);
    }
  }

  // ---- restore
  std::vector<std::string> restore_deps;
  for (size_t s = 0; s < shards.size(); ++s) {
    if (shards[s].empty()) continue;
    const std::string dev = options.sharded ? shard_device(s) : "/device:CPU:0";
    std::vector<std::string> names, specs;
    std::vector<DType> dtypes;
    for (size_t i : shards[s]) {
      names.push_back(variables[i].key);
      specs.push_back(ShapeAndSliceSpec(variables[i].partition));
      dtypes.push_back(variables[i].dtype);
    }
    const std::string op = g.Unique(S("RestoreV2"));
    const std::string tn = g.Unique(op + "/tensor_names");
    g.StringConst(tn, names, true, dev);
    const std::string sn = g.Unique(op + "/shape_and_slices");
    g.StringConst(sn, specs, true, dev);
    proto::NodeDef* r = g.Node(op, "RestoreV2", {filename_node, tn, sn}, dev);
    GraphBuilder::Types(r, "dtypes", dtypes);
    std::vector<std::string> assigns;
    for (size_t k = 0; k < shards[s].size(); ++k) {
      const GraphVariable& v = variables[shards[s][k]];
      const std::string out = k == 0 ? op : op + ":" + std::to_string(k);
      std::string value = g.Unique(S("Identity"));
      proto::NodeDef* id = g.Node(value, "Identity", {out}, v.device);
      GraphBuilder::Type(id, "T", v.dtype);
      if (options.reshape && !v.partition) {
        // reshape=True: a stored tensor of another shape with the same
        // element count is reshaped row-major (SV-48).
        const std::string rs = g.Unique(S("Reshape"));
        const std::string shape = g.Unique(rs + "/shape");
        std::vector<int32_t> dims;
        for (int d = 0; d < v.shape.rank(); ++d) dims.push_back(static_cast<int32_t>(v.shape.dim(d)));
        g.Int32Const(shape, dims, true, v.device);
        proto::NodeDef* rn = g.Node(rs, "Reshape", {value, shape}, v.device);
        GraphBuilder::Type(rn, "T", v.dtype);
        GraphBuilder::Type(rn, "Tshape", DType::kInt32);
        value = rs;
      }
      const std::string assign = g.Unique(S("AssignVariableOp"));
      proto::NodeDef* a = g.Node(assign, "AssignVariableOp", {handles[shards[s][k]], value}, v.device);
      GraphBuilder::Type(a, "dtype", v.dtype);
      assigns.push_back(assign);
    }
    if (options.sharded) {
      const std::string rs = g.Unique(S("restore_shard"));
      std::vector<std::string> in;
      for (const auto& a : assigns) in.push_back("^" + a);
      g.Node(rs, "NoOp", in, dev);
      restore_deps.push_back(rs);
    } else {
      restore_deps.insert(restore_deps.end(), assigns.begin(), assigns.end());
    }
  }
  std::vector<std::string> in;
  for (const auto& d : restore_deps) in.push_back("^" + d);
  g.Node(restore_node, "NoOp", in);
  return OkStatus();
}

}  // namespace ckpt::saver
