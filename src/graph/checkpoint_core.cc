// CheckpointCore: the graph-layer half of tf.train.Checkpoint (see the
// header). Restore/Read pick the object-based or the name-based path and
// hand the result to a LoadStatus.
#include "graph/checkpoint_core.h"

#include <algorithm>
#include <vector>

#include "ckpt/status_macros.h"
#include "ckpt/bundle.h"
#include "ckpt/object_graph.h"
#include "ckpt/status_macros.h"
#include "format/slice_order.h"
#include "graph/deferred.h"
#include "graph/graph_log.h"
#include "graph/name_based_restore.h"
#include "graph/object_graph_loader.h"

namespace ckpt::graph {

namespace {
// The root of a keyword-only Checkpoint (TF: the Checkpoint object itself).
class CheckpointRoot : public Module {
 public:
  std::string DebugString() const override { return "Checkpoint"; }
};
}  // namespace

CheckpointCore::CheckpointCore(FileSystem* fs, bool skip_slot_variables)
    : fs_(fs), skip_slot_variables_(skip_slot_variables), attached_(std::make_shared<AttachedList>()) {}

CheckpointCore::~CheckpointCore() = default;

void CheckpointCore::InitNamed(std::vector<std::pair<std::string, Trackable*>> named) {
  own_root_ = std::make_unique<CheckpointRoot>();
  root_ = own_root_.get();
  std::sort(named.begin(), named.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < named.size() && status_.ok(); ++i) {
    auto& [name, obj] = named[i];
    if (i > 0 && named[i - 1].first == name) {
      status_ = InvalidArgumentError("Checkpoint got the keyword argument " + name + " twice.");
    } else if (obj == nullptr) {
      status_ = NotTrackable(name);
    } else {
      status_ = own_root_->Track(name, *obj);
    }
  }
}

void CheckpointCore::InitRooted(Trackable& root, std::vector<std::pair<std::string, Trackable*>> named) {
  root_ = &root;
  // TF adds the root itself as keyword "root" and attaches every keyword
  // the root does not already have, in sorted order (CK-02, CK-03).
  named.emplace_back("root", &root);
  std::sort(named.begin(), named.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [name, obj] : named) {
    if (obj == nullptr) {
      status_ = NotTrackable(name);
      return;
    }
    Trackable* existing = root.dependency(name);
    if (existing == nullptr) {
      attached_->push_back(AttachedRef{name, obj, internal::SharedStateOf(*obj)});
    } else if (existing != obj) {
      status_ = InvalidArgumentError("Cannot create a Checkpoint with keyword argument " + name + " if root." +
                                     name + " already exists.");
      return;
    }
  }
  // A root that already has a save_counter (say, another Checkpoint's
  // root) shares it, as TF does.
  counter_ = dynamic_cast<Variable*>(root.dependency("save_counter"));
}

Status CheckpointCore::NotTrackable(const std::string& name) {
  return InvalidArgumentError("`Checkpoint` was expecting " + name +
                              " to be a trackable object (an object derived from `Trackable`), got nullptr.");
}

GraphView CheckpointCore::View() const {
  GraphView v;
  v.root = root_;
  for (const AttachedRef& a : *attached_) {
    auto s = a.alive.lock();
    if (s && s->owner == a.object) v.attached.push_back(Dependency{a.name, a.object});
  }
  return v;
}

WeakGraphView CheckpointCore::WeakView() const { return WeakGraphView{internal::SharedStateOf(*root_), attached_}; }

// Created on first use; restorations already queued for "save_counter"
// reach it at once (CK-08, CK-11).
Result<Variable*> CheckpointCore::SaveCounter() {
  if (counter_ != nullptr) return counter_;
  owned_counter_ = std::make_unique<Variable>(DType::kInt64, TensorShape{}, "save_counter");
  counter_ = owned_counter_.get();
  if (own_root_) {
    CKPT_RETURN_IF_ERROR(own_root_->Track("save_counter", *counter_));
  } else {
    attached_->push_back(AttachedRef{"save_counter", counter_, internal::SharedStateOf(*counter_)});
    CKPT_RETURN_IF_ERROR(ApplyDeferred(*root_, "save_counter", *counter_));
  }
  return counter_;
}

// TF's Checkpoint.read; `restore_wrapping` adds Checkpoint.restore's
// NotFound wrapper (CK-27 vs CK-28).
Result<LoadStatus> CheckpointCore::Read(std::string_view save_path, bool restore_wrapping,
                                        std::shared_ptr<FileSystem> read_fs) {
  CKPT_RETURN_IF_ERROR(status_);
  if (save_path.empty()) return internal::LoadStatusAccess::Make(std::make_shared<InitOnlyRestore>());
  FileSystem* const fs = read_fs ? read_fs.get() : fs_;
  std::string prefix(save_path);
  // A SavedModel directory holds its variables at variables/variables (CK-29).
  if (fs->IsDirectory(prefix) && (fs->FileExists(JoinPath(prefix, "saved_model.pb")).ok() ||
                                   fs->FileExists(JoinPath(prefix, "saved_model.pbtxt")).ok())) {
    prefix = JoinPath(JoinPath(prefix, "variables"), "variables");
  }
  BundleReaderOptions ro;
  ro.fs = fs;
  auto reader = BundleReader::Open(prefix, ro);
  if (!reader.ok()) {
    const Status& s = reader.status();
    if (restore_wrapping && s.code() == StatusCode::kNotFound) {
      return NotFoundError("Error when restoring from checkpoint or SavedModel at " + std::string(save_path) +
                           ": " + s.message() +
                           "\nPlease double-check that the path is correct. You may be missing the checkpoint "
                           "suffix (e.g. the '-1' in 'path/to/ckpt-1').");
    }
    return s;
  }
  if (!(*reader)->HasTensor(kObjectGraphKey)) return ReadNameBased(std::move(*reader), prefix, fs, read_fs);

  CKPT_ASSIGN_OR_RETURN(proto::TrackableObjectGraph object_graph, LoadObjectGraph(**reader));
  auto session = std::make_shared<ObjectRestore>(
      ReaderSource(std::move(*reader), prefix, fs, read_fs), std::move(object_graph), WeakView(),
      skip_slot_variables_);
  ErrorList errors;
  errors.Add(session->RestoreInto(0, *root_));
  if (!own_root_) errors.Add(session->RestoreAttached());
  session->CloseReaderIfIdle();
  CKPT_RETURN_IF_ERROR(errors.status());
  return internal::LoadStatusAccess::Make(session);
}

Result<LoadStatus> CheckpointCore::ReadNameBased(std::unique_ptr<BundleReader> reader, const std::string& prefix,
                                                 FileSystem* fs, std::shared_ptr<FileSystem> keep_alive) {
  LogWarning(kNameBasedRestoreWarning);
  auto session = std::make_shared<NameBasedRestore>(ReaderSource(std::move(reader), prefix, fs, std::move(keep_alive)),
                                                          WeakView());
  ErrorList errors;
  errors.Add(session->RestoreSubtree(*root_));
  for (const Dependency& d : View().attached) {
    if (d.object != root_) errors.Add(session->RestoreSubtree(*d.object));
  }
  session->CloseReader();
  CKPT_RETURN_IF_ERROR(errors.status());
  name_based_ = session;
  return internal::LoadStatusAccess::Make(session);
}

Result<LoadStatus> CheckpointCore::Restore(std::string_view save_path, std::shared_ptr<FileSystem> read_fs) {
  name_based_.reset();
  CKPT_ASSIGN_OR_RETURN(LoadStatus status, Read(save_path, /*restore_wrapping=*/true, std::move(read_fs)));
  // TF creates the counter after loading, so it takes the saved value
  // through the deferred path (CK-11) or stays unmatched (CK-12).
  CKPT_ASSIGN_OR_RETURN(Variable * counter, SaveCounter());
  if (auto nb = std::move(name_based_)) {
    nb->AddOptional(*counter);  // CK-60
    CKPT_RETURN_IF_ERROR(nb->RestoreSubtree(*counter));
    nb->CloseReader();
  }
  return status;
}

Result<SaveList> CheckpointCore::Collect() {
  CKPT_RETURN_IF_ERROR(status_);
  CKPT_ASSIGN_OR_RETURN(BuiltGraph g, BuildObjectGraph(View()));
  SaveList list;
  list.entries.reserve(g.values.size() + 1);
  for (SavedValue& v : g.values) {
    // Parts in the canonical slice order (format/slice_order.h), as a
    // distributed save's merge lists them: the same blocks give the same
    // slice list whatever order they were added in.
    std::vector<const SaveableAttribute::Part*> parts;
    for (const SaveableAttribute::Part& part : v.attribute.parts) parts.push_back(&part);
    std::stable_sort(parts.begin(), parts.end(),
                     [](const auto* a, const auto* b) { return format::SliceOrderLess(a->slice, b->slice); });
    for (const SaveableAttribute::Part* p : parts) {
      const SaveableAttribute::Part& part = *p;
      if (!part.value) return InvalidArgumentError("a part of attribute " + v.key + " has no value function");
      list.entries.push_back(NamedView{v.key, part.value(), SaveSliceInfo{v.attribute.full_shape, part.slice}});
    }
    if (!v.attribute.parts.empty()) continue;
    if (!v.attribute.value) return InvalidArgumentError("attribute " + v.key + " has no value function");
    list.entries.push_back(NamedView{std::move(v.key), v.attribute.value()});
  }
  list.serialized_graph = std::make_unique<std::string>(g.proto.SerializeAsString());
  list.graph_element = std::make_unique<std::string_view>(*list.serialized_graph);
  TensorView graph_tensor;
  graph_tensor.dtype = DType::kString;
  graph_tensor.strings = std::span<const std::string_view>(list.graph_element.get(), 1);
  list.entries.push_back(NamedView{std::string(kObjectGraphKey), graph_tensor});
  return list;
}

}  // namespace ckpt::graph
