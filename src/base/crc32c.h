// CRC-32C (Castagnoli) and TensorFlow/LevelDB's crc masking.
//
// Distinct types for a raw crc and a masked crc (what files store), so the
// two cannot be mixed up silently.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ckpt::crc32c {

// A plain crc32c value (crc of the empty string is 0).
struct Crc {
  uint32_t value = 0;
  friend bool operator==(Crc a, Crc b) { return a.value == b.value; }
};

// The masked form stored on disk: rotr(c, 15) + 0xa282ead8.
struct MaskedCrc {
  uint32_t value = 0;
  friend bool operator==(MaskedCrc a, MaskedCrc b) { return a.value == b.value; }
};

// crc of (bytes whose crc is `init`) followed by data[0..n). Uses ISA-L's
// crc32_iscsi (hardware accelerated).
Crc Extend(Crc init, const void* data, size_t n);
inline Crc Value(const void* data, size_t n) { return Extend(Crc{}, data, n); }

// Combines crc(A) and crc(B) into crc(A ++ B), given len(B). Lets checksums
// of separately hashed chunks be joined (e.g. chunks hashed on other threads).
Crc Combine(Crc a, Crc b, size_t len_b);

// Combine for one fixed len_b, precomputed: joining is then ~32 bit operations
// instead of Combine's ~log2(len_b) 32x32 matrix squarings (~10 us), so
// checksums of many equal-sized pieces (hashed on several threads) can be
// joined on a hot path.
class FixedCombiner {
 public:
  explicit FixedCombiner(size_t len_b);
  Crc operator()(Crc a, Crc b) const;

 private:
  uint32_t shift_[32];  // column i: crc register i shifted over len_b zero bytes
};

constexpr uint32_t kMaskDelta = 0xa282ead8u;
inline MaskedCrc Mask(Crc c) {
  return MaskedCrc{((c.value >> 15) | (c.value << 17)) + kMaskDelta};
}
inline Crc Unmask(MaskedCrc m) {
  const uint32_t r = m.value - kMaskDelta;
  return Crc{(r >> 17) | (r << 15)};
}

}  // namespace ckpt::crc32c
