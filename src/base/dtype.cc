#include "ckpt/dtype.h"

#include <array>
#include <cctype>
#include <string>

namespace ckpt {
namespace {

struct DTypeInfo {
  std::string_view name;     // TensorFlow's Python name
  std::string_view enum_name;  // DT_ spelling
  size_t size;               // bytes per element on disk; 0 = variable / not storable
};

// Indexed by the DataType number.
constexpr std::array<DTypeInfo, 34> kInfo = {{
    {"invalid", "DT_INVALID", 0},
    {"float32", "DT_FLOAT", 4},
    {"float64", "DT_DOUBLE", 8},
    {"int32", "DT_INT32", 4},
    {"uint8", "DT_UINT8", 1},
    {"int16", "DT_INT16", 2},
    {"int8", "DT_INT8", 1},
    {"string", "DT_STRING", 0},
    {"complex64", "DT_COMPLEX64", 8},
    {"int64", "DT_INT64", 8},
    {"bool", "DT_BOOL", 1},
    {"qint8", "DT_QINT8", 1},
    {"quint8", "DT_QUINT8", 1},
    {"qint32", "DT_QINT32", 4},
    {"bfloat16", "DT_BFLOAT16", 2},
    {"qint16", "DT_QINT16", 2},
    {"quint16", "DT_QUINT16", 2},
    {"uint16", "DT_UINT16", 2},
    {"complex128", "DT_COMPLEX128", 16},
    {"float16", "DT_HALF", 2},
    {"resource", "DT_RESOURCE", 0},
    {"variant", "DT_VARIANT", 0},
    {"uint32", "DT_UINT32", 4},
    {"uint64", "DT_UINT64", 8},
    {"float8_e5m2", "DT_FLOAT8_E5M2", 1},
    {"float8_e4m3fn", "DT_FLOAT8_E4M3FN", 1},
    {"float8_e4m3fnuz", "DT_FLOAT8_E4M3FNUZ", 1},
    {"float8_e4m3b11fnuz", "DT_FLOAT8_E4M3B11FNUZ", 1},
    {"float8_e5m2fnuz", "DT_FLOAT8_E5M2FNUZ", 1},
    {"int4", "DT_INT4", 1},
    {"uint4", "DT_UINT4", 1},
    {"int2", "DT_INT2", 1},
    {"uint2", "DT_UINT2", 1},
    {"float4_e2m1fn", "DT_FLOAT4_E2M1FN", 1},
}};

}  // namespace

bool IsKnownDType(int32_t value) { return value >= 0 && value < static_cast<int32_t>(kInfo.size()); }

size_t DTypeSize(DType dtype) {
  const auto v = static_cast<int32_t>(dtype);
  return IsKnownDType(v) ? kInfo[v].size : 0;
}

bool IsStorableDType(DType dtype) { return DTypeSize(dtype) > 0 || dtype == DType::kString; }

std::string_view DTypeName(DType dtype) {
  const auto v = static_cast<int32_t>(dtype);
  return IsKnownDType(v) ? kInfo[v].name : "invalid";
}

std::optional<DType> DTypeFromName(std::string_view name) {
  if (name == "float") return DType::kFloat;
  if (name == "double") return DType::kDouble;
  if (name == "half") return DType::kHalf;
  for (size_t i = 1; i < kInfo.size(); ++i) {
    if (name == kInfo[i].name || name == kInfo[i].enum_name) return static_cast<DType>(i);
  }
  return std::nullopt;
}

}  // namespace ckpt
