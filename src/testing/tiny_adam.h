// TinyAdam: the trackable shape of TF1's AdamOptimizer (its two non-slot
// variables beta1_power and beta2_power, slots created by the test), for tests
// and test tools that build the object graph TensorFlow writes for
// Checkpoint(..., optimizer=tf.compat.v1.train.AdamOptimizer()).
#pragma once

#include "ckpt/variable.h"

namespace ckpt::test {

struct TinyAdam : SlotOptimizer {
  Variable beta1_power{DType::kFloat, TensorShape{}, "beta1_power"};
  Variable beta2_power{DType::kFloat, TensorShape{}, "beta2_power"};
  TinyAdam() {
    Track("beta1_power", beta1_power).IgnoreError();
    Track("beta2_power", beta2_power).IgnoreError();
  }
};

}  // namespace ckpt::test
