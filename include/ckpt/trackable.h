// Trackable: an object in the object graph that object-based checkpoints save.
//
// TensorFlow's tf.train.Checkpoint saves a graph of objects: each object has
// named dependencies (children) and named saveable attributes (a variable's
// value is the attribute "VARIABLE_VALUE"). Keys in the checkpoint are the
// dependency path plus the attribute: `model/dense/kernel/.ATTRIBUTES/VARIABLE_VALUE`.
// Restoring walks the saved graph alongside the live objects and matches
// children by name; the objects' own names play no part.
//
// In C++ a struct becomes trackable by deriving from Trackable (or Module) and
// declaring each member once, either with Tracked<T> (the member registers
// itself with its owner, one line per member) ...
//
//   struct Dense : ckpt::Module {
//     ckpt::Tracked<ckpt::Variable> kernel{this, "kernel", ckpt::DType::kFloat, ckpt::TensorShape{784, 10}};
//     ckpt::Tracked<ckpt::Variable> bias{this, "bias", ckpt::DType::kFloat, ckpt::TensorShape{10}};
//   };
//
// ... or with plain members and one Track() call each in the constructor:
//
//   struct Dense : ckpt::Module {
//     ckpt::Variable kernel{ckpt::DType::kFloat, {784, 10}};
//     ckpt::Variable bias{ckpt::DType::kFloat, {10}};
//     Dense() { Track("kernel", kernel).IgnoreError(); Track("bias", bias).IgnoreError(); }
//   };
//
// Dependencies are listed (and saved) in the order they were first tracked;
// that order decides TF's node numbering and, for an object reachable by two
// paths, which path names it (the first one found breadth-first).
//
// Ownership: dependencies are NOT owned (Track stores a pointer). The usual
// shape is a parent whose children are its members, or objects kept alive by
// the caller for as long as the parent is used. A Trackable that is
// destroyed removes itself from every parent and from every restore still
// pending on it, so no dangling pointer is ever followed. TrackableList /
// TrackableMap (containers.h) own their elements when given unique_ptrs.
//
// Deferred restoration: if a checkpoint was restored into this object before
// a child named `name` existed, Track(name, child) hands the child its saved
// values at once (TF's restore-on-create), with dtype/shape checks; a
// mismatch is returned from Track().
//
// Thread-safety: a Trackable graph is used by one thread at a time (like
// TF's Python objects); Checkpoint::save may read it while no other thread
// mutates it.
#pragma once

#include <cassert>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/export.h"
#include "ckpt/status.h"
#include "ckpt/tensor.h"

namespace ckpt {

class Trackable;

// One saveable value of an object (TF's serialized tensor / SaveableObject).
struct SaveableAttribute {
  // Attribute name, e.g. "VARIABLE_VALUE" (kVariableValue). Avoid '.' and '/'
  // (TF double-escapes them; see docs/tf-format.md).
  std::string name;
  // TF1-style global name ("dense/kernel"), used for name-based restores and
  // stored as SerializedTensor.full_name. "" if the value has none.
  std::string full_name;
  // The value to save; must stay valid until the save returns.
  std::function<TensorView()> value;
  // A value saved in parts, as TF saves a partitioned or sharded variable:
  // when `parts` is non-empty, `value` is unused and the value is the tensor
  // of shape `full_shape`, each part holding one slice of it (its own data,
  // shape part.slice.SliceShape(full_shape)). Parts must not overlap; in one
  // process they must cover the tensor, in a distributed save all ranks'
  // parts together must (docs/distributed.md).
  struct Part {
    TensorSlice slice;
    std::function<TensorView()> value;
  };
  TensorShape full_shape;
  std::vector<Part> parts;
  // Restores the value stored under `key` of `reader` into the object.
  // Returns InvalidArgument naming the key and both dtypes/shapes on mismatch
  // (TF's texts).
  std::function<Status(const BundleReader& reader, std::string_view key)> restore;
};

inline constexpr std::string_view kVariableValue = "VARIABLE_VALUE";

// A named edge of the object graph.
struct Dependency {
  std::string name;
  Trackable* object;
};

// A slot variable an optimizer-like object keeps for another variable
// (Adam's "m" and "v").
struct SlotVariable {
  Trackable* original;   // the variable the slot belongs to
  std::string slot_name;  // e.g. "m"
  Trackable* slot;        // the slot variable itself
};

namespace internal {
class TrackableState;    // bookkeeping: parents, pending restorations
struct TrackableAccess;  // how the library reaches that bookkeeping
}  // namespace internal

class CKPT_EXPORT Trackable {
 public:
  Trackable();
  virtual ~Trackable();
  // Trackables are identities in a graph: not copyable. Moving is allowed
  // only before the object is tracked by anything.
  Trackable(const Trackable&) = delete;
  Trackable& operator=(const Trackable&) = delete;

  // Adds (or replaces, keeping its position) the dependency `name`. If a
  // restore is pending for `name` the child is restored now (newest restore
  // wins); its error is returned (the dependency is still added). A
  // name-based restore applied to this object also reaches the new child
  //. InvalidArgument for an empty name or a self-edge.
  Status Track(std::string_view name, Trackable& child);
  // Removes the dependency `name` (no-op when absent).
  void Untrack(std::string_view name);
  // The dependency named `name`, or nullptr.
  Trackable* dependency(std::string_view name) const;
  // Dependencies in the order they were first added.
  const std::vector<Dependency>& dependencies() const;

  // The object's saveable values. Default: none. Variable returns its one
  // VARIABLE_VALUE attribute.
  virtual std::vector<SaveableAttribute> attributes() { return {}; }

  // Slot variables owned by this object (optimizers). Default: none.
  virtual std::vector<SlotVariable> slot_variables() { return {}; }

  // A short human-readable description for messages ("Variable float32[2,3]").
  virtual std::string DebugString() const;

 protected:
  // Optimizers call this when they create a slot variable, so a pending
  // (deferred) slot restoration can fill it (TF restores a slot when both
  // the variable and the optimizer exist). The slot must already be
  // listed by slot_variables().
  Status OnSlotCreated(Trackable& original, std::string_view slot_name, Trackable& slot);

 private:
  friend struct internal::TrackableAccess;
  // The library's bookkeeping (parents, pending restorations); opaque to
  // users. Shared so restore sessions can hold weak references that expire
  // with the object.
  std::shared_ptr<internal::TrackableState> state_;
};

// A member that tracks itself: `Tracked<Variable> w{this, "w", DType::kFloat,
// TensorShape{3}};` constructs the Variable with the trailing arguments and
// makes it the dependency "w" of `owner`. The owner is being constructed, so
// no restore can be pending for it yet and Track() cannot fail except for an
// empty name (a programming error, asserted in debug builds).
template <typename T>
class Tracked : public T {
 public:
  template <typename... Args>
  Tracked(Trackable* owner, std::string_view name, Args&&... args) : T(std::forward<Args>(args)...) {
    [[maybe_unused]] Status s = owner->Track(name, *this);
    assert(s.ok());
  }
};

}  // namespace ckpt
