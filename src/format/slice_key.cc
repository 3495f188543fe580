// OrderedCode, the parts TF's slice keys use: NumIncreasing, String,
// SignedNumIncreasing. Encodings sort (as bytes) in the order of the values.
#include "format/slice_key.h"

#include <cstdint>

namespace ckpt::format {
namespace {

void AppendNumIncreasing(std::string* out, uint64_t v) {
  unsigned char buf[9];
  int n = 0;
  while (v > 0) {
    buf[8 - n] = static_cast<unsigned char>(v & 0xff);
    v >>= 8;
    ++n;
  }
  buf[8 - n] = static_cast<unsigned char>(n);
  out->append(reinterpret_cast<const char*>(buf + 8 - n), n + 1);
}

void AppendString(std::string* out, std::string_view s) {
  for (char c : s) {
    out->push_back(c);
    if (c == '\0') out->push_back('\xff');
    else if (c == '\xff') out->push_back('\0');
  }
  out->push_back('\0');
  out->push_back('\x01');
}

// Length in bytes of the encoding of a value whose magnitude x = v or ~v has
// bit length b: ceil((b + 1) / 7), at least 1.
int SignedLength(int64_t v) {
  const uint64_t x = v < 0 ? ~static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  int bits = 0;
  for (uint64_t t = x; t; t >>= 1) ++bits;
  return bits < 7 ? 1 : (bits + 1 + 6) / 7;
}

// Header bits of the first two bytes for encodings of each length 1..10.
constexpr unsigned char kHead[11][2] = {
    {0, 0}, {0x80, 0}, {0xc0, 0}, {0xe0, 0}, {0xf0, 0}, {0xf8, 0},
    {0xfc, 0}, {0xfe, 0}, {0xff, 0}, {0xff, 0x80}, {0xff, 0xc0}};

void AppendSignedNumIncreasing(std::string* out, int64_t v) {
  const int len = SignedLength(v);
  unsigned char buf[10];
  // 10-byte big-endian two's complement sign extension of v.
  uint64_t u = static_cast<uint64_t>(v);
  const unsigned char fill = v < 0 ? 0xff : 0x00;
  buf[0] = fill;
  buf[1] = fill;
  for (int i = 9; i >= 2; --i) {
    buf[i] = static_cast<unsigned char>(u & 0xff);
    u >>= 8;
  }
  unsigned char* p = buf + 10 - len;
  p[0] ^= kHead[len][0];
  if (len > 1) p[1] ^= kHead[len][1];
  out->append(reinterpret_cast<const char*>(p), len);
}

bool ReadNumIncreasing(std::string_view* in, uint64_t* v) {
  if (in->empty()) return false;
  const size_t n = static_cast<unsigned char>((*in)[0]);
  if (n > 8 || in->size() < n + 1) return false;
  uint64_t r = 0;
  for (size_t i = 1; i <= n; ++i) r = (r << 8) | static_cast<unsigned char>((*in)[i]);
  *v = r;
  in->remove_prefix(n + 1);
  return true;
}

bool ReadString(std::string_view* in, std::string* s) {
  s->clear();
  size_t i = 0;
  while (i < in->size()) {
    const char c = (*in)[i];
    if (c == '\0' || c == '\xff') {
      if (i + 1 >= in->size()) return false;
      const char d = (*in)[i + 1];
      if (c == '\0' && d == '\x01') {
        in->remove_prefix(i + 2);
        return true;
      }
      if (c == '\0' && d == '\xff') s->push_back('\0');
      else if (c == '\xff' && d == '\0') s->push_back('\xff');
      else return false;
      i += 2;
    } else {
      s->push_back(c);
      ++i;
    }
  }
  return false;
}

bool ReadSignedNumIncreasing(std::string_view* in, int64_t* v) {
  if (in->empty()) return false;
  const unsigned char b0 = static_cast<unsigned char>((*in)[0]);
  const bool negative = (b0 & 0x80) == 0;
  // The length is the number of leading bits equal to the "positive" bit,
  // read across the first two bytes.
  const unsigned char x0 = negative ? static_cast<unsigned char>(~b0) : b0;
  int len = 0;
  if (x0 != 0xff) {
    for (unsigned char m = 0x80; m && (x0 & m); m >>= 1) ++len;
  } else {
    if (in->size() < 2) return false;
    unsigned char b1 = static_cast<unsigned char>((*in)[1]);
    if (negative) b1 = static_cast<unsigned char>(~b1);
    len = 8;
    for (unsigned char m = 0x80; m && (b1 & m); m >>= 1) ++len;
  }
  if (len < 1 || len > 10 || in->size() < static_cast<size_t>(len)) return false;
  unsigned char buf[10];
  for (int i = 0; i < len; ++i) buf[i] = static_cast<unsigned char>((*in)[i]);
  buf[0] ^= kHead[len][0];
  if (len > 1) buf[1] ^= kHead[len][1];
  // Sign-extend to 64 bits.
  uint64_t r = negative ? ~uint64_t{0} : 0;
  for (int i = 0; i < len; ++i) r = (r << 8) | buf[i];
  *v = static_cast<int64_t>(r);
  in->remove_prefix(len);
  return true;
}

}  // namespace

std::string EncodeTensorNameSlice(std::string_view name, const TensorSlice& slice) {
  std::string out;
  AppendNumIncreasing(&out, 0);
  AppendString(&out, name);
  AppendNumIncreasing(&out, static_cast<uint64_t>(slice.rank()));
  for (int d = 0; d < slice.rank(); ++d) {
    AppendSignedNumIncreasing(&out, slice.start(d));
    AppendSignedNumIncreasing(&out, slice.length(d));
  }
  return out;
}

Result<DecodedSliceKey> DecodeTensorNameSlice(std::string_view key) {
  auto bad = [&] { return DataLossError("malformed tensor slice key (" + std::to_string(key.size()) + " bytes)"); };
  std::string_view in = key;
  uint64_t zero, rank;
  DecodedSliceKey out;
  if (!ReadNumIncreasing(&in, &zero) || zero != 0 || !ReadString(&in, &out.name) ||
      !ReadNumIncreasing(&in, &rank) || rank > 254) {
    return bad();
  }
  std::vector<TensorSlice::Extent> extents(rank);
  for (auto& e : extents) {
    if (!ReadSignedNumIncreasing(&in, &e.start) || !ReadSignedNumIncreasing(&in, &e.length)) return bad();
    if (e.length == TensorSlice::kFullExtent) e.start = 0;
  }
  if (!in.empty()) return bad();
  out.slice = TensorSlice(std::move(extents));
  return out;
}

}  // namespace ckpt::format
