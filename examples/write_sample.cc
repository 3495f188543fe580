// Writes a small sample checkpoint the way a training program would, with
// only the public API: a dense layer, a step counter, a vocabulary of strings
// and an embedding table partitioned in two slices, then records it in the
// directory's `checkpoint` file so `ckpt latest DIR` and TensorFlow's
// tf.train.latest_checkpoint(DIR) find it.
//
//   write_sample DIR      -> DIR/sample-1.index, DIR/sample-1.data-00000-of-00001, DIR/checkpoint
#include <ckpt/bundle.h>
#include <ckpt/checkpoint_state.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

int Fail(const ckpt::Status& s) {
  std::fprintf(stderr, "write_sample: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_sample DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  const std::string prefix = dir + "/sample-1";

  // The caller's own buffers: the writer streams them to disk without a copy.
  std::vector<float> kernel(4 * 3), bias = {0.1f, 0.2f, 0.3f};
  for (size_t i = 0; i < kernel.size(); ++i) kernel[i] = std::sin(static_cast<float>(i));
  int64_t step = 1000;
  std::vector<std::string_view> vocab = {"<pad>", "hello", "world", "caf\xc3\xa9"};
  std::vector<float> embedding(6 * 2);
  for (size_t i = 0; i < embedding.size(); ++i) embedding[i] = static_cast<float>(i) / 4;

  auto writer = ckpt::BundleWriter::Create(prefix);
  if (!writer.ok()) return Fail(writer.status());
  ckpt::BundleWriter& w = **writer;
  ckpt::Status s = w.Add("dense/kernel", {ckpt::DType::kFloat, {4, 3}, kernel.data(), {}});
  if (s.ok()) s = w.Add("dense/bias", {ckpt::DType::kFloat, {3}, bias.data(), {}});
  if (s.ok()) s = w.Add("global_step", {ckpt::DType::kInt64, {}, &step, {}});
  if (s.ok()) s = w.Add("vocab", {ckpt::DType::kString, {4}, nullptr, vocab});
  // A partitioned variable: rows 0-2 and 3-5 of a [6,2] table, stored as slices.
  for (int64_t start : {0, 3}) {
    if (!s.ok()) break;
    ckpt::TensorSlice slice({{start, 3}, {0, ckpt::TensorSlice::kFullExtent}});
    s = w.AddSlice("embedding", {6, 2}, slice, {ckpt::DType::kFloat, {3, 2}, embedding.data() + start * 2, {}});
  }
  if (s.ok()) s = w.Finish();
  if (!s.ok()) return Fail(s);

  // Recorded relative to the directory, as tf.train.Checkpoint.save() does.
  s = ckpt::UpdateCheckpointState(dir, prefix, {.save_relative_paths = true});
  if (!s.ok()) return Fail(s);
  std::printf("wrote %s (5 tensors) and %s/checkpoint\n", prefix.c_str(), dir.c_str());
  return 0;
}
