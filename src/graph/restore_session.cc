// Object-based restore: binding saved nodes to live objects, deferred
// values, slot variables, and TF's load-status assertions.
#include "graph/restore_session.h"

#include <algorithm>
#include <atomic>
#include <deque>

#include "ckpt/status_macros.h"
#include "ckpt/variable.h"
#include "graph/graph_log.h"
#include "graph/key_escaping.h"

namespace ckpt::graph {
namespace {

constexpr std::string_view kNoCheckpoint = "No checkpoint specified (save_path=None); nothing is being restored.";

// Python's repr of a list of str: ['a', 'b'].
std::string PyStrList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += "'" + items[i] + "'";
  }
  return out + "]";
}

std::string ObjectList(const std::vector<Trackable*>& objects, size_t limit) {
  std::string out = "[";
  for (size_t i = 0; i < objects.size() && i < limit; ++i) {
    if (i > 0) out += ", ";
    out += objects[i]->DebugString();
  }
  return out + "]";
}

// Empty lists and maps take no part in the assertions (CK-45, CK-49).
bool IsEmptyDataStructure(const Trackable& t) {
  const bool container = dynamic_cast<const TrackableList*>(&t) != nullptr ||
                         dynamic_cast<const TrackableMap*>(&t) != nullptr;
  return container && t.dependencies().empty();
}

Trackable* Owner(const std::weak_ptr<internal::TrackableState>& w) {
  auto s = w.lock();
  return s ? s->owner : nullptr;
}

}  // namespace

uint64_t NextRestoreUid() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1);
}

void ErrorList::Add(const Status& s) {
  if (s.ok()) return;
  if (first_.ok()) {
    first_ = s;
    joined_ = s.message();
  } else {
    joined_ += "\n" + s.message();
  }
}

Status ErrorList::status() const {
  if (first_.ok()) return OkStatus();
  return Status(first_.code(), joined_);
}

std::optional<GraphView> WeakGraphView::Lock() const {
  Trackable* r = Owner(root);
  if (r == nullptr) return std::nullopt;
  GraphView v;
  v.root = r;
  if (auto list = attached.lock()) {
    for (const AttachedRef& a : *list) {
      if (Owner(a.alive) == a.object) v.attached.push_back(Dependency{a.name, a.object});
    }
  }
  return v;
}

ReaderSource::ReaderSource(std::unique_ptr<BundleReader> reader, std::string prefix, FileSystem* fs,
                           std::shared_ptr<FileSystem> keep_alive)
    : keep_alive_(std::move(keep_alive)), reader_(std::move(reader)), prefix_(std::move(prefix)), fs_(fs) {}

Result<const BundleReader*> ReaderSource::Get() {
  if (!reader_) {
    BundleReaderOptions o;
    o.fs = fs_;
    CKPT_ASSIGN_OR_RETURN(reader_, BundleReader::Open(prefix_, o));
  }
  return static_cast<const BundleReader*>(reader_.get());
}

Status InitOnlyRestore::AssertConsumed() { return FailedPreconditionError(std::string(kNoCheckpoint)); }
Status InitOnlyRestore::AssertExistingObjectsMatched() { return FailedPreconditionError(std::string(kNoCheckpoint)); }
Status InitOnlyRestore::AssertNontrivialMatch() { return FailedPreconditionError(std::string(kNoCheckpoint)); }
Status InitOnlyRestore::RunRestoreOps() {
  return FailedPreconditionError(
      "No checkpoint specified, so no restore ops are available (save_path=None to Saver.restore).");
}

std::vector<std::string> PrettyNodeNames(const proto::TrackableObjectGraph& graph) {
  const int n = graph.nodes_size();
  std::vector<std::string> names(n);
  std::vector<char> seen(n, 0);
  if (n == 0) return names;
  names[0] = "(root)";
  seen[0] = 1;
  std::deque<int> queue{0};
  while (!queue.empty()) {
    const int id = queue.front();
    queue.pop_front();
    for (const auto& c : graph.nodes(id).children()) {
      if (seen[c.node_id()]) continue;
      seen[c.node_id()] = 1;
      names[c.node_id()] = names[id] + "." + c.local_name();
      queue.push_back(c.node_id());
    }
  }
  for (int i = 0; i < n; ++i) {
    for (const auto& s : graph.nodes(i).slot_variables()) {
      names[s.slot_variable_node_id()] =
          names[i] + "'s state '" + s.slot_name() + "' for " + names[s.original_variable_node_id()];
    }
  }
  return names;
}

ObjectRestore::ObjectRestore(ReaderSource reader, proto::TrackableObjectGraph graph, WeakGraphView view,
                             bool skip_slot_variables)
    : reader_(std::move(reader)),
      graph_(std::move(graph)),
      view_(std::move(view)),
      skip_slot_variables_(skip_slot_variables),
      uid_(NextRestoreUid()),
      bound_(graph_.nodes_size()) {
  if (!skip_slot_variables_) {
    for (int i = 0; i < graph_.nodes_size(); ++i) {
      for (const auto& s : graph_.nodes(i).slot_variables()) {
        slot_restorations_[s.original_variable_node_id()].push_back(
            SlotRestoration{i, s.slot_variable_node_id(), s.slot_name()});
      }
    }
  }
}

ObjectRestore::~ObjectRestore() {
  if (expect_partial_) return;
  std::vector<std::string> unused_nodes;
  const auto& names = NodeNames();
  for (int i = 0; i < graph_.nodes_size(); ++i) {
    if (graph_.nodes(i).attributes_size() == 0) continue;
    if (!matched_.count(i)) unused_nodes.push_back(names[i]);
  }
  if (unused_nodes.empty() && unused_attributes_.empty()) return;
  LogWarning(
      "Detecting that an object or model or tf.train.Checkpoint is being deleted with unrestored values. See the "
      "following logs for the specific values in question. To silence these warnings, use "
      "`status.expect_partial()`. See https://www.tensorflow.org/api_docs/python/tf/train/Checkpoint#restorefor "
      "details about the status object returned by the restore function.");
  for (const std::string& path : unused_nodes) {
    LogWarning("Value in checkpoint could not be found in the restored object: " + path);
  }
  for (const auto& [id, attrs] : unused_attributes_) {
    LogWarning("An attribute in the restored object could not be found in the checkpoint. Object: " + names[id] +
               ", attribute: " + PyStrList(attrs));
  }
}

void ObjectRestore::ReleasePendingRef() {
  if (--pending_refs_ == 0) reader_.Close();
}

void ObjectRestore::CloseReaderIfIdle() {
  if (pending_refs_ == 0) reader_.Close();
}

Trackable* ObjectRestore::BoundObject(int node_id) const { return Owner(bound_[node_id]); }

void ObjectRestore::NoteObject(Trackable& object) {
  const internal::TrackableState* key = internal::SharedStateOf(object).get();
  if (all_objects_index_.insert(key).second) all_objects_.push_back(internal::SharedStateOf(object));
}

bool ObjectRestore::Bind(int node_id, Trackable& object) {
  NoteObject(object);
  matched_.insert(node_id);
  Trackable* current = BoundObject(node_id);
  if (current == nullptr) {
    bound_[node_id] = internal::SharedStateOf(object);
    return true;
  }
  if (current != &object) {
    LogWarning(
        "Inconsistent references when loading the checkpoint into this object graph. For example, in the saved "
        "checkpoint object, `model.layer.weight` and `model.layer_copy.weight` reference the same variable, while "
        "in the current object these are two different variables. The referenced variables are:(" +
        current->DebugString() + " and " + object.DebugString() + ").");
  }
  return false;
}

bool ObjectRestore::HasValues(int node_id) const {
  const auto& node = graph_.nodes(node_id);
  if (node.has_has_checkpoint_values()) return node.has_checkpoint_values().value();
  return node.children_size() > 0 || node.attributes_size() > 0 || node.slot_variables_size() > 0 ||
         node.has_registered_saver();
}

Status ObjectRestore::SingleRestore(int node_id, Trackable& object) {
  internal::TrackableState& st = internal::StateOf(object);
  if (uid_ <= st.update_uid) return OkStatus();  // a newer restore already assigned it
  st.update_uid = uid_;
  const auto& node = graph_.nodes(node_id);
  if (node.attributes_size() == 0) return OkStatus();
  std::vector<SaveableAttribute> attrs = object.attributes();
  ErrorList errors;
  for (const auto& saved : node.attributes()) {
    auto it = std::find_if(attrs.begin(), attrs.end(),
                           [&](const SaveableAttribute& a) { return EscapeLocalName(a.name) == saved.name(); });
    if (it == attrs.end() || !it->restore) {
      // Not an error here: assert_consumed and the deletion warning report it.
      unused_attributes_[node_id].push_back(saved.name());
      continue;
    }
    auto reader = reader_.Get();
    if (!reader.ok()) return reader.status();
    if (saved.optional_restore() && !(*reader)->HasTensor(saved.checkpoint_key())) continue;
    errors.Add(it->restore(**reader, saved.checkpoint_key()));
  }
  return errors.status();
}

void ObjectRestore::QueueChildren(int node_id, Trackable& object, std::vector<Visit>& queue) {
  for (const auto& child : graph_.nodes(node_id).children()) {
    const int child_id = child.node_id();
    if (BoundObject(child_id) != nullptr) continue;
    Trackable* local = object.dependency(child.local_name());
    if (local == nullptr) {
      if (HasValues(child_id)) {
        internal::StateOf(object).deferred.emplace_back(child.local_name(),
                                                        internal::PendingRestore(shared_from_this(), child_id));
      }
    } else if (Bind(child_id, *local)) {
      queue.push_back(Visit{child_id, local});
    }
  }
}

void ObjectRestore::CreateOrDeferSlot(Trackable& optimizer, Trackable& original, int slot_node_id,
                                      const std::string& slot_name, std::vector<Visit>& queue) {
  for (const SlotVariable& sv : optimizer.slot_variables()) {
    if (sv.original == &original && sv.slot_name == slot_name && sv.slot != nullptr) {
      if (Bind(slot_node_id, *sv.slot)) queue.push_back(Visit{slot_node_id, sv.slot});
      return;
    }
  }
  internal::StateOf(optimizer).deferred_slots.push_back(
      internal::PendingSlot{internal::PendingRestore(shared_from_this(), slot_node_id),
                            internal::SharedStateOf(original), slot_name});
}

void ObjectRestore::QueueSlots(int node_id, Trackable& object, std::vector<Visit>& queue) {
  // `object` as an optimizer whose variables were bound first.
  if (auto it = deferred_slot_restorations_.find(node_id); it != deferred_slot_restorations_.end()) {
    std::vector<DeferredSlot> list = std::move(it->second);
    deferred_slot_restorations_.erase(it);
    for (const DeferredSlot& d : list) {
      if (Trackable* original = Owner(d.original)) {
        CreateOrDeferSlot(object, *original, d.slot_node_id, d.slot_name, queue);
      }
    }
  }
  // `object` as a variable with saved slots.
  if (auto it = slot_restorations_.find(node_id); it != slot_restorations_.end()) {
    std::vector<SlotRestoration> list = std::move(it->second);
    slot_restorations_.erase(it);
    for (const SlotRestoration& r : list) {
      if (Trackable* optimizer = BoundObject(r.optimizer_id)) {
        CreateOrDeferSlot(*optimizer, object, r.slot_node_id, r.slot_name, queue);
      } else {
        deferred_slot_restorations_[r.optimizer_id].push_back(
            DeferredSlot{internal::SharedStateOf(object), r.slot_node_id, r.slot_name});
      }
    }
  }
}

Status ObjectRestore::RestoreInto(int node_id, Trackable& object) {
  if (!Bind(node_id, object)) return OkStatus();
  ErrorList errors;
  // Breadth first: shallow paths are assigned first (TF's order).
  std::vector<Visit> queue{Visit{node_id, &object}};
  for (size_t i = 0; i < queue.size(); ++i) {
    const Visit v = queue[i];
    errors.Add(SingleRestore(v.node_id, *v.object));
    QueueChildren(v.node_id, *v.object, queue);
    QueueSlots(v.node_id, *v.object, queue);
  }
  return errors.status();
}

Status ObjectRestore::RestoreAttached() {
  auto view = view_.Lock();
  if (!view) return OkStatus();
  ErrorList errors;
  for (const Dependency& d : view->attached) {
    // The "root" edge of a rooted Checkpoint points back at node 0.
    if (d.name == "root") continue;
    int proto_id = -1;
    for (const auto& c : graph_.nodes(0).children()) {
      if (c.local_name() == d.name) {
        proto_id = c.node_id();
        break;
      }
    }
    if (proto_id < 0 || BoundObject(proto_id) != nullptr) continue;
    errors.Add(RestoreInto(proto_id, *d.object));
  }
  return errors.status();
}

std::vector<Trackable*> ObjectRestore::LiveObjects() {
  if (auto view = view_.Lock()) {
    for (Trackable* t : ListObjects(*view, !skip_slot_variables_)) {
      if (!IsEmptyDataStructure(*t)) NoteObject(*t);
    }
  }
  std::vector<Trackable*> out;
  for (const auto& w : all_objects_) {
    if (Trackable* t = Owner(w)) out.push_back(t);
  }
  return out;
}

std::vector<Trackable*> ObjectRestore::UnboundObjectsWithAttributes() {
  std::set<const Trackable*> bound;
  for (int i = 0; i < graph_.nodes_size(); ++i) {
    if (Trackable* t = BoundObject(i)) bound.insert(t);
  }
  std::vector<Trackable*> out;
  for (Trackable* t : LiveObjects()) {
    if (!bound.count(t) && !t->attributes().empty()) out.push_back(t);
  }
  return out;
}

const std::vector<std::string>& ObjectRestore::NodeNames() {
  if (node_names_.empty()) node_names_ = PrettyNodeNames(graph_);
  return node_names_;
}

std::string ObjectRestore::NodeText(int node_id) const { return graph_.nodes(node_id).DebugString(); }

Status ObjectRestore::AssertExistingObjectsMatched() {
  for (int i = 0; i < graph_.nodes_size(); ++i) {
    Trackable* t = BoundObject(i);
    if (t != nullptr && internal::StateOf(*t).update_uid < uid_) {
      return FailedPreconditionError("Object " + NodeText(i) + " not assigned a value from checkpoint.");
    }
  }
  std::vector<Trackable*> unused = UnboundObjectsWithAttributes();
  if (!unused.empty()) {
    const size_t shown = std::min<size_t>(10, unused.size());
    return FailedPreconditionError("Found " + std::to_string(unused.size()) +
                                   " Python objects that were not bound to checkpointed values, likely due to "
                                   "changes in the Python program. Showing " +
                                   std::to_string(shown) + " of " + std::to_string(unused.size()) +
                                   " unmatched objects: " + ObjectList(unused, shown));
  }
  return OkStatus();
}

Status ObjectRestore::AssertConsumed() {
  CKPT_RETURN_IF_ERROR(AssertExistingObjectsMatched());
  std::set<int> ignored;
  if (skip_slot_variables_) {
    for (const auto& node : graph_.nodes()) {
      for (const auto& s : node.slot_variables()) ignored.insert(s.slot_variable_node_id());
    }
  }
  const auto& names = NodeNames();
  for (int i = 0; i < graph_.nodes_size(); ++i) {
    if (graph_.nodes(i).attributes_size() == 0 || ignored.count(i)) continue;
    if (BoundObject(i) == nullptr) {
      return FailedPreconditionError("Unresolved object in checkpoint " + names[i] + ": " + NodeText(i));
    }
  }
  if (!skip_slot_variables_ && !slot_restorations_.empty()) {
    std::string text = "{";
    bool first = true;
    for (const auto& [var_id, list] : slot_restorations_) {
      if (!first) text += ", ";
      first = false;
      text += std::to_string(var_id) + ": [";
      for (size_t j = 0; j < list.size(); ++j) {
        if (j > 0) text += ", ";
        text += "_SlotVariableRestoration(optimizer_id=" + std::to_string(list[j].optimizer_id) +
                ", slot_variable_id=" + std::to_string(list[j].slot_node_id) + ", slot_name='" +
                list[j].slot_name + "')";
      }
      text += "]";
    }
    return FailedPreconditionError("Unresolved slot restorations: " + text + "}");
  }
  if (!unused_attributes_.empty()) {
    std::string lines;
    for (const auto& [id, attrs] : unused_attributes_) {
      Trackable* t = BoundObject(id);
      if (!lines.empty()) lines += "\n";
      lines += names[id] + " (" + (t ? t->DebugString() : std::string("<deleted>")) + "): " + PyStrList(attrs);
    }
    return FailedPreconditionError(
        "Unused attributes in these objects (the attributes exist in the checkpoint but were not restored):\n" +
        lines);
  }
  return OkStatus();
}

Status ObjectRestore::AssertNontrivialMatch() {
  std::vector<Trackable*> unused = UnboundObjectsWithAttributes();
  int bound = 0;
  for (int i = 0; i < graph_.nodes_size(); ++i) bound += BoundObject(i) != nullptr;
  if (bound > 1) return OkStatus();
  if (!unused.empty()) {
    return FailedPreconditionError(
        "Nothing except the root object matched a checkpointed value. Typically this means that the checkpoint "
        "does not match the Python program. The following objects have no matching checkpointed value: " +
        ObjectList(unused, unused.size()));
  }
  auto view = view_.Lock();
  return FailedPreconditionError("Nothing to load. No dependencies have been added to " +
                                 (view ? view->root->DebugString() : std::string("<deleted root>")) + " yet.");
}

}  // namespace ckpt::graph

namespace ckpt::internal {

PendingRestore::PendingRestore(std::shared_ptr<graph::ObjectRestore> session, int node_id)
    : session_(std::move(session)), node_id_(node_id) {
  session_->AddPendingRef();
}

PendingRestore::~PendingRestore() { Release(); }

PendingRestore::PendingRestore(PendingRestore&& other) noexcept
    : session_(std::move(other.session_)), node_id_(other.node_id_) {
  other.session_.reset();
}

PendingRestore& PendingRestore::operator=(PendingRestore&& other) noexcept {
  if (this != &other) {
    Release();
    session_ = std::move(other.session_);
    other.session_.reset();
    node_id_ = other.node_id_;
  }
  return *this;
}

void PendingRestore::Release() {
  if (session_) {
    session_->ReleasePendingRef();
    session_.reset();
  }
}

}  // namespace ckpt::internal
