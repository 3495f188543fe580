// DType: TensorFlow's DataType enum, with the same numbers, and facts about each.
//
// The numbers are what a checkpoint stores (BundleEntryProto.dtype), so they
// must never change. Names are TensorFlow's Python names ("float32",
// "bfloat16", "string"), which is what `ckpt ls --json` prints.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "ckpt/export.h"

namespace ckpt {

enum class DType : int32_t {
  kInvalid = 0,
  kFloat = 1,
  kDouble = 2,
  kInt32 = 3,
  kUInt8 = 4,
  kInt16 = 5,
  kInt8 = 6,
  kString = 7,
  kComplex64 = 8,
  kInt64 = 9,
  kBool = 10,
  kQInt8 = 11,
  kQUInt8 = 12,
  kQInt32 = 13,
  kBFloat16 = 14,
  kQInt16 = 15,
  kQUInt16 = 16,
  kUInt16 = 17,
  kComplex128 = 18,
  kHalf = 19,
  kResource = 20,
  kVariant = 21,
  kUInt32 = 22,
  kUInt64 = 23,
  kFloat8E5M2 = 24,
  kFloat8E4M3FN = 25,
  kFloat8E4M3FNUZ = 26,
  kFloat8E4M3B11FNUZ = 27,
  kFloat8E5M2FNUZ = 28,
  kInt4 = 29,
  kUInt4 = 30,
  kInt2 = 31,
  kUInt2 = 32,
  kFloat4E2M1FN = 33,
};

// Bytes per element as stored in a bundle data file, or 0 for types with no
// fixed size (string, variant) and for types that cannot be stored
// (invalid, resource, reference types, unknown numbers). Sub-byte types
// (int4, uint4, int2, uint2, float4_e2m1fn) occupy one byte per element, value
// in the low bits, as TensorFlow stores them.
CKPT_EXPORT size_t DTypeSize(DType dtype);

// True for every number TensorFlow assigns a DataType (0..33 in TF 2.21).
CKPT_EXPORT bool IsKnownDType(int32_t value);

// True when a tensor of this type can be written to / read from a bundle:
// every fixed-size type plus string. (Variant is readable as opaque bytes only.)
CKPT_EXPORT bool IsStorableDType(DType dtype);

// True when elements are fixed-size and stored as raw bytes (everything with
// DTypeSize() > 0).
inline bool IsFixedSizeDType(DType dtype) { return DTypeSize(dtype) > 0; }

// TensorFlow's Python name: "float32", "float64", "int32", "uint8", "string",
// "bfloat16", "float16", "float8_e4m3fn", "int4", "qint8", ... "invalid" for
// an unknown number.
CKPT_EXPORT std::string_view DTypeName(DType dtype);

// Inverse of DTypeName; also accepts the DT_ enum spelling ("DT_FLOAT") and
// the common aliases "float" (float32), "double" (float64), "half" (float16).
CKPT_EXPORT std::optional<DType> DTypeFromName(std::string_view name);

// The value of one element of a floating-point type narrower than float32 --
// float16, bfloat16, the five float8 types and float4_e2m1fn -- given the bits
// it is stored as (in the low 16, 8 or 4 bits of `bits`; higher bits are
// ignored), widened to float. Exact: every value of these types is a float,
// so widening on to double or long double loses nothing either. Encodings of
// NaN give NaN (carrying the sign bit); float16, bfloat16 and float8_e5m2
// have +/-inf; the *fnuz types have a single NaN (the sign bit alone) and no
// -0; float4_e2m1fn has neither. std::nullopt for every other dtype. Pure and
// thread-safe.
CKPT_EXPORT std::optional<float> WidenSmallFloat(DType dtype, uint32_t bits);

}  // namespace ckpt
