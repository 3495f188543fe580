#include "base/crc32c.h"

#include <isa-l/crc.h>

namespace ckpt::crc32c {

Crc Extend(Crc init, const void* data, size_t n) {
  // ISA-L's crc32_iscsi takes and returns the un-inverted register: start
  // from ~crc and invert the result to get the standard crc32c value.
  uint32_t reg = ~init.value;
  const auto* p = static_cast<const unsigned char*>(data);
  // crc32_iscsi takes an int length; feed huge buffers in pieces.
  constexpr size_t kMaxChunk = size_t{1} << 30;
  while (n > 0) {
    const size_t k = n < kMaxChunk ? n : kMaxChunk;
    reg = crc32_iscsi(const_cast<unsigned char*>(p), static_cast<int>(k), reg);
    p += k;
    n -= k;
  }
  return Crc{~reg};
}

namespace {
// GF(2) matrix helpers for Combine (zlib's crc32_combine method, CRC-32C polynomial).
uint32_t MatTimes(const uint32_t* mat, uint32_t vec) {
  uint32_t sum = 0;
  while (vec) {
    if (vec & 1) sum ^= *mat;
    vec >>= 1;
    ++mat;
  }
  return sum;
}
void MatSquare(uint32_t* square, const uint32_t* mat) {
  for (int n = 0; n < 32; ++n) square[n] = MatTimes(mat, mat[n]);
}
}  // namespace

Crc Combine(Crc a, Crc b, size_t len_b) {
  if (len_b == 0) return a;
  uint32_t even[32], odd[32];
  odd[0] = 0x82f63b78u;  // reflected Castagnoli polynomial
  uint32_t row = 1;
  for (int n = 1; n < 32; ++n) {
    odd[n] = row;
    row <<= 1;
  }
  MatSquare(even, odd);
  MatSquare(odd, even);
  uint32_t crc1 = a.value;
  do {
    MatSquare(even, odd);
    if (len_b & 1) crc1 = MatTimes(even, crc1);
    len_b >>= 1;
    if (len_b == 0) break;
    MatSquare(odd, even);
    if (len_b & 1) crc1 = MatTimes(odd, crc1);
    len_b >>= 1;
  } while (len_b != 0);
  return Crc{crc1 ^ b.value};
}

// Combine(a, b, len) = Shift_len(a) ^ b and Shift_len is linear over GF(2):
// its columns are the shifts of the 32 unit vectors.
FixedCombiner::FixedCombiner(size_t len_b) {
  for (int i = 0; i < 32; ++i) shift_[i] = Combine(Crc{uint32_t{1} << i}, Crc{}, len_b).value;
}

Crc FixedCombiner::operator()(Crc a, Crc b) const { return Crc{MatTimes(shift_, a.value) ^ b.value}; }

}  // namespace ckpt::crc32c
