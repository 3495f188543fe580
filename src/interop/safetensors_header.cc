// safetensors header: dtype table, validation and writing.
#include <algorithm>

#include "ckpt/status_macros.h"
#include "interop/json_value.h"
#include "interop/safetensors.h"

namespace ckpt::interop {
namespace {

struct StDType {
  std::string_view name;
  DType dtype;
};
constexpr StDType kStDTypes[] = {
    {"BOOL", DType::kBool},       {"U8", DType::kUInt8},        {"I8", DType::kInt8},
    {"I16", DType::kInt16},       {"U16", DType::kUInt16},      {"I32", DType::kInt32},
    {"U32", DType::kUInt32},      {"I64", DType::kInt64},       {"U64", DType::kUInt64},
    {"F16", DType::kHalf},        {"BF16", DType::kBFloat16},   {"F32", DType::kFloat},
    {"F64", DType::kDouble},      {"C64", DType::kComplex64},   {"F8_E5M2", DType::kFloat8E5M2},
    {"F8_E4M3", DType::kFloat8E4M3FN},  {"F8_E4M3FNUZ", DType::kFloat8E4M3FNUZ},
    {"F8_E5M2FNUZ", DType::kFloat8E5M2FNUZ},
};

}  // namespace

std::string_view SafetensorsDType(DType dtype) {
  for (const StDType& d : kStDTypes) {
    if (d.dtype == dtype) return d.name;
  }
  return "";
}

Result<SafetensorsHeader> ParseSafetensorsHeader(std::string_view json, uint64_t data_size) {
  auto bad = [](std::string what) { return DataLossError("invalid safetensors header: " + what); };
  auto doc = ParseJson(json);
  if (!doc.ok()) return bad(doc.status().message());
  if (!doc->is_object()) return bad("not a JSON object");
  SafetensorsHeader h;
  for (const auto& [name, v] : doc->object) {
    if (name == "__metadata__") {
      if (!v.is_object()) return bad("__metadata__ is not an object");
      for (const auto& [k, mv] : v.object) {
        if (!mv.is_string()) return bad("__metadata__ value of \"" + k + "\" is not a string");
        h.metadata.emplace_back(k, mv.text);
      }
      continue;
    }
    const std::string where = "tensor \"" + name + "\"";
    if (!v.is_object()) return bad(where + " is not an object");
    const JsonValue* dtype = v.Find("dtype");
    const JsonValue* shape = v.Find("shape");
    const JsonValue* offsets = v.Find("data_offsets");
    if (dtype == nullptr || !dtype->is_string() || shape == nullptr || !shape->is_array() || offsets == nullptr ||
        !offsets->is_array() || offsets->array.size() != 2) {
      return bad(where + " needs \"dtype\" (string), \"shape\" (array), \"data_offsets\" ([begin, end])");
    }
    SafetensorsTensor t;
    t.name = name;
    t.st_dtype = dtype->text;
    std::vector<int64_t> dims;
    for (const JsonValue& d : shape->array) {
      const auto n = d.AsUint64();
      if (!n || *n > static_cast<uint64_t>(INT64_MAX)) return bad(where + " has an invalid dimension");
      dims.push_back(static_cast<int64_t>(*n));
    }
    auto s = TensorShape::Make(dims);
    if (!s.ok()) return bad(where + ": " + s.status().message());
    t.shape = std::move(*s);
    const auto begin = offsets->array[0].AsUint64(), end = offsets->array[1].AsUint64();
    if (!begin || !end || *begin > *end || *end > data_size) {
      return bad(where + " has data_offsets outside the " + std::to_string(data_size) + " data bytes");
    }
    t.begin = *begin;
    t.end = *end;
    for (const StDType& d : kStDTypes) {
      if (d.name == t.st_dtype) t.dtype = d.dtype;
    }
    if (t.dtype == DType::kInvalid) {
      t.unsupported = "safetensors dtype " + t.st_dtype + " has no TensorFlow equivalent";
    } else {
      uint64_t need;
      if (__builtin_mul_overflow(static_cast<uint64_t>(t.shape.num_elements()), DTypeSize(t.dtype), &need) ||
          need != t.end - t.begin) {
        return bad(where + ": " + t.st_dtype + " " + t.shape.ToString() + " needs " +
                   (need == 0 && t.shape.num_elements() != 0 ? std::string("too many") : std::to_string(need)) +
                   " bytes, data_offsets give " + std::to_string(t.end - t.begin));
      }
    }
    h.tensors.push_back(std::move(t));
  }
  return h;
}

Result<SafetensorsHeader> ReadSafetensorsHeader(const RandomAccessFile& file) {
  const uint64_t size = file.Size();
  const std::string& path = file.path();
  if (size < 8) return DataLossError("not a safetensors file (shorter than 8 bytes): " + path);
  unsigned char len_bytes[8];
  CKPT_RETURN_IF_ERROR(file.Read(0, 8, len_bytes));
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | len_bytes[i];
  if (n > kMaxSafetensorsHeader) {
    return DataLossError("not a safetensors file: header length " + std::to_string(n) + " exceeds the 100 MB limit: " + path);
  }
  if (n > size - 8) {
    return DataLossError("truncated safetensors file: header length " + std::to_string(n) + " but only " +
                         std::to_string(size - 8) + " bytes follow: " + path);
  }
  std::string json(n, '\0');
  CKPT_RETURN_IF_ERROR(file.Read(8, n, json.data()));
  auto h = ParseSafetensorsHeader(json, size - 8 - n);
  if (!h.ok()) return DataLossError(h.status().message() + " (" + path + ")");
  h->data_start = 8 + n;
  return h;
}

std::string MakeSafetensorsHeader(const std::vector<SafetensorsPlanEntry>& entries,
                                  const std::vector<std::pair<std::string, std::string>>& metadata) {
  std::string json = "{";
  bool first = true;
  if (!metadata.empty()) {
    json += "\"__metadata__\":{";
    for (size_t i = 0; i < metadata.size(); ++i) {
      if (i) json += ',';
      AppendJsonString(&json, metadata[i].first);
      json += ':';
      AppendJsonString(&json, metadata[i].second);
    }
    json += '}';
    first = false;
  }
  uint64_t offset = 0;
  for (const auto& e : entries) {
    if (!first) json += ',';
    first = false;
    AppendJsonString(&json, e.name);
    json += ":{\"dtype\":\"";
    json += SafetensorsDType(e.dtype);
    json += "\",\"shape\":[";
    for (int d = 0; d < e.shape.rank(); ++d) {
      if (d) json += ',';
      json += std::to_string(e.shape.dim(d));
    }
    json += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + e.byte_size) + "]}";
    offset += e.byte_size;
  }
  json += '}';
  json.append((8 - json.size() % 8) % 8, ' ');  // data starts 8-byte aligned, as the reference writer does
  std::string out;
  const uint64_t n = json.size();
  for (int i = 0; i < 8; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
  return out + json;
}

}  // namespace ckpt::interop
