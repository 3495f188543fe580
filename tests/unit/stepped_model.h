// SteppedModel: a set of variables whose every value is a function of one
// step number, which the model also holds. A restore checks itself: values
// from two different saves (a half-written or mixed checkpoint) never agree
// with the step they sit beside. Used by the concurrency stress test, where
// a reader does not know which save it will get. Tests only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ckpt/tensor.h"
#include "ckpt/variable.h"
#include "testing/pattern_tensor.h"

namespace ckpt::test {

class SteppedModel {
 public:
  explicit SteppedModel(int64_t floats = 4096)
      : step_(DType::kInt64, TensorShape{}),
        w_(DType::kFloat, TensorShape{floats}),
        b_(DType::kInt64, TensorShape{300}),
        h_(DType::kHalf, TensorShape{7, 33}),
        s_(DType::kString, TensorShape{2}) {}

  // The roots a Checkpoint saves: every dtype class the staging buffer
  // copies differently (arena values, strings).
  std::vector<std::pair<std::string, Trackable*>> Roots() {
    return {{"step", &step_}, {"w", &w_}, {"b", &b_}, {"h", &h_}, {"s", &s_}};
  }

  void Fill(int64_t step) {
    step_.flat<int64_t>()[0] = step;
    for (Variable* v : {&w_, &b_, &h_}) (void)v->Assign(Expected(*v, step).view());
    s_.strings() = Strings(step);
  }

  // Changes the step and a few bytes of every value (what a training step
  // does to the caller's variables right after an async Save returned):
  // a save that read them instead of its own snapshot fails Mismatch().
  void Scramble() {
    step_.flat<int64_t>()[0] = -1 - step();
    for (Variable* v : {&w_, &b_, &h_}) {
      auto* p = static_cast<unsigned char*>(v->data());
      p[0] ^= 0x5a;
      p[v->byte_size() / 2] ^= 0x5a;
      p[v->byte_size() - 1] ^= 0x5a;
    }
    s_.strings()[0] += "!";
  }

  int64_t step() const { return step_.flat<int64_t>()[0]; }
  int64_t floats() const { return w_.shape().num_elements(); }

  // nullopt when every value is the one Fill(step()) gives, else what differs.
  std::optional<std::string> Mismatch() const {
    const int64_t step = this->step();
    for (const Variable* v : {&w_, &b_, &h_}) {
      const Tensor want = Expected(*v, step);
      if (v->byte_size() != want.byte_size() || std::memcmp(v->data(), want.data(), want.byte_size()) != 0) {
        return "variable " + v->DebugString() + " does not hold the values of step " + std::to_string(step);
      }
    }
    const TensorView strings = s_.view();
    const std::vector<std::string> want = Strings(step);
    if (!std::equal(strings.strings.begin(), strings.strings.end(), want.begin(), want.end())) {
      return "string variable does not hold the values of step " + std::to_string(step);
    }
    return std::nullopt;
  }

 private:
  static uint8_t Seed(int64_t step) { return static_cast<uint8_t>(step * 7 + 3); }
  static Tensor Expected(const Variable& v, int64_t step) { return PatternTensor(v.dtype(), v.shape(), Seed(step)); }
  static std::vector<std::string> Strings(int64_t step) {
    return {"step " + std::to_string(step), std::string(static_cast<size_t>((step % 61 + 61) % 61), 'x')};
  }

  Variable step_, w_, b_, h_, s_;
};

}  // namespace ckpt::test
