// Checkpoint: tf.train.Checkpoint over the graph layer. Save/Write build the
// object graph and write one bundle; Restore/Read pick the object-based or
// the name-based path and hand the result to a LoadStatus.
#include "ckpt/checkpoint.h"

#include <algorithm>

#include "base/macros.h"
#include "ckpt/bundle.h"
#include "ckpt/checkpoint_state.h"
#include "graph/deferred.h"
#include "graph/graph_log.h"
#include "graph/key_escaping.h"
#include "graph/name_based_restore.h"
#include "graph/object_graph_builder.h"
#include "graph/restore_session.h"

namespace ckpt {

using graph::AttachedList;
using graph::AttachedRef;

namespace {
// The root of a keyword-only Checkpoint (TF: the Checkpoint object itself).
class CheckpointRoot : public Module {
 public:
  std::string DebugString() const override { return "Checkpoint"; }
};
}  // namespace

class Checkpoint::Impl {
 public:
  explicit Impl(CheckpointOptions options)
      : options_(options),
        fs_(options.fs ? options.fs : FileSystem::Default()),
        attached_(std::make_shared<AttachedList>()) {}

  void InitNamed(std::vector<std::pair<std::string, Trackable*>> named) {
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

  void InitRooted(Trackable& root, std::vector<std::pair<std::string, Trackable*>> named) {
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
        attached_->push_back(AttachedRef{name, obj, obj->shared_state()});
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

  static Status NotTrackable(const std::string& name) {
    return InvalidArgumentError("`Checkpoint` was expecting " + name +
                                " to be a trackable object (an object derived from `Trackable`), got nullptr.");
  }

  graph::GraphView View() const {
    graph::GraphView v;
    v.root = root_;
    for (const AttachedRef& a : *attached_) {
      auto s = a.alive.lock();
      if (s && s->owner == a.object) v.attached.push_back(Dependency{a.name, a.object});
    }
    return v;
  }

  graph::WeakGraphView WeakView() const { return graph::WeakGraphView{root_->shared_state(), attached_}; }

  // Created on first use; restorations already queued for "save_counter"
  // reach it at once (CK-08, CK-11).
  Result<Variable*> SaveCounter() {
    if (counter_ != nullptr) return counter_;
    owned_counter_ = std::make_unique<Variable>(DType::kInt64, TensorShape{}, "save_counter");
    counter_ = owned_counter_.get();
    if (own_root_) {
      RETURN_IF_ERROR(own_root_->Track("save_counter", *counter_));
    } else {
      attached_->push_back(AttachedRef{"save_counter", counter_, counter_->shared_state()});
      RETURN_IF_ERROR(graph::ApplyDeferred(*root_, "save_counter", *counter_));
    }
    return counter_;
  }

  Result<std::string> Write(const std::string& prefix) {
    RETURN_IF_ERROR(status_);
    ASSIGN_OR_RETURN(graph::BuiltGraph g, graph::BuildObjectGraph(View()));
    const std::string dir(Dirname(prefix));
    if (!dir.empty()) RETURN_IF_ERROR(fs_->RecursivelyCreateDir(dir));
    BundleWriterOptions wo;
    wo.fs = fs_;
    wo.sync = options_.sync;
    ASSIGN_OR_RETURN(auto writer, BundleWriter::Create(prefix, wo));
    for (graph::SavedValue& v : g.values) {
      if (!v.attribute.value) return InvalidArgumentError("attribute " + v.key + " has no value function");
      RETURN_IF_ERROR(writer->Add(v.key, v.attribute.value()));
    }
    const std::string serialized = g.proto.SerializeAsString();
    const std::string_view element(serialized);
    TensorView graph_tensor;
    graph_tensor.dtype = DType::kString;
    graph_tensor.strings = std::span<const std::string_view>(&element, 1);
    RETURN_IF_ERROR(writer->Add(graph::kObjectGraphKey, graph_tensor));
    RETURN_IF_ERROR(writer->Finish());
    return prefix;
  }

  Result<std::string> Save(const std::string& prefix) {
    RETURN_IF_ERROR(status_);
    ASSIGN_OR_RETURN(Variable * counter, SaveCounter());
    int64_t& value = counter->flat<int64_t>()[0];
    const int64_t previous = value;
    value = previous + 1;
    const std::string path = prefix + "-" + std::to_string(value);
    auto written = Write(path);
    if (!written.ok()) {
      value = previous;  // commit on success only (deliberate, see header)
      return written.status();
    }
    RETURN_IF_ERROR(UpdateCheckpointState(Dirname(path), path, {}, kDefaultStateFilename, {}, 0,
                                          /*save_relative_paths=*/true, fs_));
    return path;
  }

  // TF's Checkpoint.read; `restore_wrapping` adds Checkpoint.restore's
  // NotFound wrapper (CK-27 vs CK-28).
  Result<LoadStatus> Read(std::string_view save_path, bool restore_wrapping) {
    RETURN_IF_ERROR(status_);
    if (save_path.empty()) return LoadStatus(std::make_shared<graph::InitOnlyRestore>());
    std::string prefix(save_path);
    // A SavedModel directory holds its variables at variables/variables (CK-29).
    if (fs_->IsDirectory(prefix) && (fs_->FileExists(JoinPath(prefix, "saved_model.pb")).ok() ||
                                     fs_->FileExists(JoinPath(prefix, "saved_model.pbtxt")).ok())) {
      prefix = JoinPath(JoinPath(prefix, "variables"), "variables");
    }
    BundleReaderOptions ro;
    ro.fs = fs_;
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
    if (!(*reader)->Contains(graph::kObjectGraphKey)) return ReadNameBased(std::move(*reader), prefix);

    ASSIGN_OR_RETURN(std::vector<std::string> blob, (*reader)->ReadStrings(graph::kObjectGraphKey));
    proto::TrackableObjectGraph object_graph;
    if (blob.size() != 1 || !object_graph.ParseFromString(blob[0])) {
      return DataLossError("cannot parse the object graph stored under " + std::string(graph::kObjectGraphKey) +
                           " in " + prefix);
    }
    RETURN_IF_ERROR(graph::ValidateObjectGraph(object_graph));
    auto session = std::make_shared<graph::ObjectRestore>(
        graph::ReaderSource(std::move(*reader), prefix, fs_), std::move(object_graph), WeakView(),
        options_.skip_slot_variables);
    graph::ErrorList errors;
    errors.Add(session->RestoreInto(0, *root_));
    if (!own_root_) errors.Add(session->RestoreAttached());
    session->CloseReaderIfIdle();
    RETURN_IF_ERROR(errors.status());
    return LoadStatus(session);
  }

  Result<LoadStatus> ReadNameBased(std::unique_ptr<BundleReader> reader, const std::string& prefix) {
    graph::LogWarning(graph::kNameBasedRestoreWarning);
    auto session = std::make_shared<graph::NameBasedRestore>(graph::ReaderSource(std::move(reader), prefix, fs_),
                                                            WeakView());
    graph::ErrorList errors;
    errors.Add(session->RestoreSubtree(*root_));
    for (const Dependency& d : View().attached) {
      if (d.object != root_) errors.Add(session->RestoreSubtree(*d.object));
    }
    session->CloseReader();
    RETURN_IF_ERROR(errors.status());
    name_based_ = session;
    return LoadStatus(session);
  }

  Result<LoadStatus> Restore(std::string_view save_path) {
    name_based_.reset();
    ASSIGN_OR_RETURN(LoadStatus status, Read(save_path, /*restore_wrapping=*/true));
    // TF creates the counter after loading, so it takes the saved value
    // through the deferred path (CK-11) or stays unmatched (CK-12).
    ASSIGN_OR_RETURN(Variable * counter, SaveCounter());
    if (auto nb = std::move(name_based_)) {
      nb->AddOptional(*counter);  // CK-60
      RETURN_IF_ERROR(nb->RestoreSubtree(*counter));
      nb->CloseReader();
    }
    return status;
  }

  Status status() const { return status_; }
  Trackable& root() { return *root_; }

 private:
  CheckpointOptions options_;
  FileSystem* fs_;
  Status status_;
  std::unique_ptr<Module> own_root_;  // the root of a keyword-only Checkpoint
  Trackable* root_ = nullptr;
  std::shared_ptr<AttachedList> attached_;
  std::unique_ptr<Variable> owned_counter_;
  Variable* counter_ = nullptr;
  std::shared_ptr<graph::NameBasedRestore> name_based_;  // set by the last name-based Read
};

Checkpoint::Checkpoint(std::vector<std::pair<std::string, Trackable*>> named, CheckpointOptions options)
    : impl_(std::make_unique<Impl>(options)) {
  impl_->InitNamed(std::move(named));
}

Checkpoint::Checkpoint(Trackable& root, std::vector<std::pair<std::string, Trackable*>> named,
                       CheckpointOptions options)
    : impl_(std::make_unique<Impl>(options)) {
  impl_->InitRooted(root, std::move(named));
}

Checkpoint::~Checkpoint() = default;

Status Checkpoint::status() const { return impl_->status(); }
Result<std::string> Checkpoint::Save(std::string_view file_prefix) { return impl_->Save(std::string(file_prefix)); }
Result<std::string> Checkpoint::Write(std::string_view file_prefix) { return impl_->Write(std::string(file_prefix)); }
Result<LoadStatus> Checkpoint::Restore(std::string_view save_path) { return impl_->Restore(save_path); }
Result<LoadStatus> Checkpoint::Read(std::string_view save_path) { return impl_->Read(save_path, false); }

Trackable& Checkpoint::root() { return impl_->root(); }

Variable& Checkpoint::save_counter() {
  // Creation fails only when a pending restore of it does; the counter
  // exists either way, so a second call returns it.
  auto c = impl_->SaveCounter();
  if (c.ok()) return **c;
  return **impl_->SaveCounter();
}

}  // namespace ckpt
