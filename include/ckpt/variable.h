// Variable, Module, containers and a slot-keeping optimizer base: the
// trackables most programs need.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ckpt/export.h"
#include "ckpt/tensor.h"
#include "ckpt/trackable.h"

namespace ckpt {

// A trackable holding one tensor, saved as the attribute VARIABLE_VALUE
// (key `<path>/.ATTRIBUTES/VARIABLE_VALUE`).
//
// Storage is either owned (a Tensor, zero-initialised) or borrowed: Wrap()
// makes a Variable over the caller's buffer, which a save writes from and a
// restore fills in place (no copies). A borrowed buffer must outlive the
// Variable. String variables are always owned.
//
// `name` is the TF1-style global name ("dense/kernel"), recorded as the
// attribute's full_name and used for name-based (TF1 Saver) restores. It has
// no effect on object-based keys.
class CKPT_EXPORT Variable : public Trackable {
 public:
  Variable(DType dtype, TensorShape shape, std::string name = "");
  explicit Variable(Tensor initial_value, std::string name = "");
  // A Variable over a caller-owned buffer of a fixed-size dtype (for members:
  // `Tracked<Variable> w{this, "w", MutableTensorView{...}}`).
  explicit Variable(const MutableTensorView& buffer, std::string name = "");
  // The same, on the heap.
  static std::unique_ptr<Variable> Wrap(const MutableTensorView& buffer, std::string name = "");

  DType dtype() const;
  const TensorShape& shape() const;
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  // Raw bytes of a fixed-size variable (owned or borrowed).
  void* data();
  const void* data() const;
  size_t byte_size() const;
  template <typename T>
  std::span<T> flat() {
    return {static_cast<T*>(data()), byte_size() / sizeof(T)};
  }
  template <typename T>
  std::span<const T> flat() const {
    return {static_cast<const T*>(data()), byte_size() / sizeof(T)};
  }
  // Elements of a string variable.
  std::vector<std::string>& strings();

  // Copies `value` in (same dtype and shape, else InvalidArgument).
  Status Assign(const TensorView& value);
  // Restores from a bundle: fixed-size values are read straight into the
  // variable's storage (BundleReader::ReadInto, no intermediate copy).
  // InvalidArgument with TF's texts on a dtype mismatch ("tensor_name = <key>;
  // expected dtype <ours> does not equal original dtype <stored>") or a
  // shape mismatch ("Received incompatible tensor with shape (2,) when
  // attempting to restore variable with shape (1,) and name <name>");
  // the variable is left unchanged then.
  Status RestoreFrom(const BundleReader& reader, std::string_view key);
  TensorView view() const;
  MutableTensorView mutable_view();

  std::vector<SaveableAttribute> attributes() override;
  std::string DebugString() const override;

 private:
  Variable() = default;
  Tensor owned_;
  MutableTensorView borrowed_;
  bool is_borrowed_ = false;
  std::string name_;
};

// A plain node with dependencies and nothing to save itself (tf.Module).
class CKPT_EXPORT Module : public Trackable {
 public:
  std::string DebugString() const override { return "Module"; }
};

// A list of trackables, tracked as children "0", "1", ... like TF's
// ListWrapper. Elements appended as unique_ptr are owned by the list; others
// must outlive it. An empty list is ignored by the load-status assertions
//.
class CKPT_EXPORT TrackableList : public Trackable {
 public:
  Status Append(Trackable& element);
  Status Append(std::unique_ptr<Trackable> element);
  size_t size() const { return elements_.size(); }
  Trackable& operator[](size_t i) const { return *elements_[i]; }
  std::string DebugString() const override;

 private:
  std::vector<Trackable*> elements_;
  std::vector<std::unique_ptr<Trackable>> owned_;
};

// A string-keyed map of trackables, tracked as children named by key like
// TF's _DictWrapper (insertion order, as TF lists a dict's children).
// Elements set as unique_ptr are owned by the map.
class CKPT_EXPORT TrackableMap : public Trackable {
 public:
  Status Set(std::string key, Trackable& element);
  Status Set(std::string key, std::unique_ptr<Trackable> element);
  Trackable* Get(std::string_view key) const { return dependency(key); }
  size_t size() const { return dependencies().size(); }
  std::string DebugString() const override;

 private:
  std::map<std::string, std::unique_ptr<Trackable>, std::less<>> owned_;
};

// Base for optimizer-like objects that keep per-variable slot variables
// (Adam's "m" and "v"), saved under
// `<var path>/.OPTIMIZER_SLOT/<optimizer path>/<slot>/.ATTRIBUTES/VARIABLE_VALUE`
// and listed in the object graph's slot_variables.
class CKPT_EXPORT SlotOptimizer : public Trackable {
 public:
  // Creates (once) the slot `slot_name` for `var`: same dtype and shape,
  // zero-initialised, or filled from a pending restoration when this
  // optimizer was restored before the slot existed. Returns the slot;
  // an existing slot is returned unchanged. The slot's name() is
  // "<var name>/<slot_name>" (for name-based restores). A pending value whose
  // dtype/shape does not fit returns the restore error (the slot exists).
  Result<Variable*> CreateSlot(Variable& var, std::string_view slot_name);
  // The slot, or nullptr.
  Variable* GetSlot(const Variable& var, std::string_view slot_name) const;

  std::vector<SlotVariable> slot_variables() override;
  std::string DebugString() const override { return "SlotOptimizer"; }

 private:
  struct Slot {
    Variable* original;
    std::weak_ptr<internal::TrackableState> original_alive;  // slots of dead variables are skipped
    std::string name;
    std::unique_ptr<Variable> slot;
  };
  std::vector<Slot> slots_;
};

}  // namespace ckpt
