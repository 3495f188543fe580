#include "format/slice_reader.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "ckpt/status_macros.h"
#include "format/slice_box.h"
#include "format/string_encoding.h"

namespace ckpt::format {
namespace {

using Box = SliceBox;

// The overlap of a stored box S and a wanted box W as runs of consecutive
// elements in both, in increasing order within S: (src element, dst element, count).
class ElementRuns {
 public:
  ElementRuns(const Box& s, const Box& w) : s_(s), w_(w), ss_(s.Strides()), ws_(w.Strides()) {
    const int rank = static_cast<int>(s.lo.size());
    for (int d = 0; d < rank; ++d) {
      o_.lo.push_back(std::max(s.lo[d], w.lo[d]));
      o_.hi.push_back(std::min(s.hi[d], w.hi[d]));
      if (o_.hi[d] <= o_.lo[d]) done_ = true;
    }
    // No overlap: nothing to merge. (The other dimensions of an empty box may
    // multiply past int64: a file can pair a zero dimension with huge ones.)
    if (done_) return;
    // Merge trailing dimensions that S and W both hold whole: consecutive
    // indices of the dimension before them are then adjacent in both.
    k_ = rank - 1;
    count_ = rank == 0 ? 1 : o_.hi[k_] - o_.lo[k_];
    while (k_ > 0 && s.lo[k_] == w.lo[k_] && s.hi[k_] == w.hi[k_] && o_.lo[k_] == s.lo[k_] &&
           o_.hi[k_] == s.hi[k_]) {
      --k_;
      count_ *= o_.hi[k_] - o_.lo[k_];
    }
    idx_ = o_.lo;
  }

  bool Next(int64_t* src, int64_t* dst, int64_t* count) {
    if (done_) return false;
    const int rank = static_cast<int>(s_.lo.size());
    *src = 0;
    *dst = 0;
    for (int d = 0; d < rank; ++d) {
      *src += (idx_[d] - s_.lo[d]) * ss_[d];
      *dst += (idx_[d] - w_.lo[d]) * ws_[d];
    }
    *count = count_;
    // Odometer over the dimensions before the merged run.
    int d = k_ - 1;
    for (; d >= 0; --d) {
      if (++idx_[d] < o_.hi[d]) break;
      idx_[d] = o_.lo[d];
    }
    if (d < 0) done_ = true;
    return true;
  }

 private:
  Box s_, w_, o_;
  std::vector<int64_t> ss_, ws_, idx_;
  int k_ = 0;
  int64_t count_ = 0;
  bool done_ = false;
};

// A byte run of the stored part and where its bytes go.
struct Run {
  uint64_t src = 0;  // offset within the streamed section
  uint64_t len = 0;
  char* dst = nullptr;
};

class RunSource {
 public:
  virtual ~RunSource() = default;
  virtual bool Next(Run* run) = 0;
};

// Streams the section [base, base + section) of `file`, delivering each run's
// bytes to run.dst. Runs come in increasing, disjoint order. With `crc` set,
// every byte of the section is read and hashed in order.
Status Stream(const RandomAccessFile& file, uint64_t base, uint64_t section, RunSource& runs, crc32c::Crc* crc) {
  const bool all = crc != nullptr;
  Run cur;
  bool have = runs.Next(&cur);
  auto advance = [&] {
    do {
      have = runs.Next(&cur);
    } while (have && cur.len == 0);
  };
  if (have && cur.len == 0) advance();
  uint64_t pos = all ? 0 : (have ? cur.src : section);
  std::unique_ptr<char[]> window;
  while (true) {
    if (!have && (!all || pos >= section)) break;
    if (have && cur.src <= pos) {
      const uint64_t done = pos - cur.src, rem = cur.len - done;
      if (rem >= kDirectBytes) {
        CKPT_RETURN_IF_ERROR(file.Read(base + pos, static_cast<size_t>(rem), cur.dst + done));
        if (all) *crc = crc32c::Extend(*crc, cur.dst + done, static_cast<size_t>(rem));
        pos += rem;
        advance();
        continue;
      }
    } else {
      const uint64_t next = have ? cur.src : section;
      if (!all && next - pos >= kSkipBytes) {
        pos = next;
        continue;
      }
    }
    uint64_t end = std::min(section, pos + kWindowBytes);
    // Without verification, stop the window a skip-distance past the current run.
    if (!all && have) end = std::min(end, std::max(pos, cur.src + cur.len) + kSkipBytes);
    if (!window) window.reset(new char[static_cast<size_t>(std::min(section, kWindowBytes))]);
    const size_t n = static_cast<size_t>(end - pos);
    CKPT_RETURN_IF_ERROR(file.Read(base + pos, n, window.get()));
    if (all) *crc = crc32c::Extend(*crc, window.get(), n);
    while (have && cur.src < end) {
      const uint64_t from = std::max(cur.src, pos), to = std::min(cur.src + cur.len, end);
      std::memcpy(cur.dst + (from - cur.src), window.get() + (from - pos), static_cast<size_t>(to - from));
      if (cur.src + cur.len > end) break;
      advance();
    }
    pos = end;
  }
  return OkStatus();
}

class FixedRuns final : public RunSource {
 public:
  FixedRuns(const Box& s, const Box& w, size_t esize, char* dst) : runs_(s, w), esize_(esize), dst_(dst) {}
  bool Next(Run* run) override {
    int64_t src, dst, count;
    if (!runs_.Next(&src, &dst, &count)) return false;
    *run = Run{static_cast<uint64_t>(src) * esize_, static_cast<uint64_t>(count) * esize_,
               dst_ + static_cast<uint64_t>(dst) * esize_};
    return true;
  }

 private:
  ElementRuns runs_;
  size_t esize_;
  char* dst_;
};

// One run per wanted string element (its bytes within the string section).
class StringRuns final : public RunSource {
 public:
  StringRuns(const Box& s, const Box& w, const std::vector<uint64_t>& offsets, std::vector<std::string>* dst)
      : runs_(s, w), offsets_(offsets), dst_(dst) {}
  bool Next(Run* run) override {
    if (left_ == 0 && !runs_.Next(&src_, &dsti_, &left_)) return false;
    const size_t i = static_cast<size_t>(src_);
    std::string& out = (*dst_)[static_cast<size_t>(dsti_)];
    out.resize(static_cast<size_t>(offsets_[i + 1] - offsets_[i]));
    *run = Run{offsets_[i], offsets_[i + 1] - offsets_[i], out.data()};
    ++src_;
    ++dsti_;
    --left_;
    return true;
  }

 private:
  ElementRuns runs_;
  const std::vector<uint64_t>& offsets_;
  std::vector<std::string>* dst_;
  int64_t src_ = 0, dsti_ = 0, left_ = 0;
};

std::string Range(const StoredPart& part) {
  if (!part.description.empty()) return part.description;
  return part.file->path() + " bytes [" + std::to_string(part.offset) + ", " +
         std::to_string(part.offset + part.size) + ")";
}

Status CheckCrc(const StoredPart& part, crc32c::Crc actual) {
  if (actual == part.expected_crc) return OkStatus();
  return DataLossError(Range(part) + ": checksum does not match: stored " + std::to_string(part.expected_crc.value) +
                       " vs. calculated on the restored bytes " + std::to_string(actual.value));
}

}  // namespace

Status ReadOverlap(const StoredPart& part, const TensorSlice& want, const TensorShape& full, size_t esize,
                   void* dst) {
  const Box s = Box::Of(part.slice, full), w = Box::Of(want, full);
  FixedRuns runs(s, w, esize, static_cast<char*>(dst));
  crc32c::Crc crc;
  CKPT_RETURN_IF_ERROR(Stream(*part.file, part.offset, part.size, runs, part.verify ? &crc : nullptr));
  return part.verify ? CheckCrc(part, crc) : OkStatus();
}

Status ReadStringOverlap(const StoredPart& part, const TensorSlice& want, const TensorShape& full,
                         std::vector<std::string>* dst) {
  const Box s = Box::Of(part.slice, full), w = Box::Of(want, full);
  const int64_t n = part.slice.SliceShape(full).num_elements();
  std::string prefix(static_cast<size_t>(std::min(part.size, MaxStringHeaderBytes(n))), '\0');
  CKPT_RETURN_IF_ERROR(part.file->Read(part.offset, prefix.size(), prefix.data()));
  auto header = DecodeStringTensorHeader(prefix, n, part.size);
  if (!header.ok()) return header.status().WithContext(Range(part));
  prefix = std::string();
  std::vector<uint64_t> offsets(header->lengths.size() + 1, 0);
  for (size_t i = 0; i < header->lengths.size(); ++i) offsets[i + 1] = offsets[i] + header->lengths[i];
  header->lengths = {};
  StringRuns runs(s, w, offsets, dst);
  crc32c::Crc crc = header->crc;
  CKPT_RETURN_IF_ERROR(Stream(*part.file, part.offset + header->data_offset, part.size - header->data_offset, runs,
                         part.verify ? &crc : nullptr));
  return part.verify ? CheckCrc(part, crc) : OkStatus();
}

}  // namespace ckpt::format
