// TrackableList / TrackableMap: TF's ListWrapper and _DictWrapper.
#include "ckpt/variable.h"

#include <string>

namespace ckpt {

Status TrackableList::Append(Trackable& element) {
  const std::string name = std::to_string(elements_.size());
  elements_.push_back(&element);
  return Track(name, element);
}

Status TrackableList::Append(std::unique_ptr<Trackable> element) {
  Trackable& ref = *element;
  owned_.push_back(std::move(element));
  return Append(ref);
}

std::string TrackableList::DebugString() const { return "ListWrapper(" + std::to_string(elements_.size()) + ")"; }

Status TrackableMap::Set(std::string key, Trackable& element) {
  // A borrowed element replacing an owned one: the owned one goes, after the
  // edge was moved (its destructor would otherwise drop the new edge's name).
  Status s = Track(key, element);
  auto it = owned_.find(key);
  if (it != owned_.end() && it->second.get() != &element) owned_.erase(it);
  return s;
}

Status TrackableMap::Set(std::string key, std::unique_ptr<Trackable> element) {
  Trackable& ref = *element;
  Status s = Track(key, ref);
  owned_[key] = std::move(element);  // destroys a previously owned value
  return s;
}

std::string TrackableMap::DebugString() const { return "DictWrapper(" + std::to_string(size()) + ")"; }

}  // namespace ckpt
