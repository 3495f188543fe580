// .npy headers: a tiny parser for the Python literal numpy writes, the
// descr <-> DType table, and the post-processing of stored elements.
#include "interop/npy.h"

#include <algorithm>
#include <cstring>

#include "base/coding.h"
#include "ckpt/status_macros.h"
#include "ckpt/utf8.h"

namespace ckpt::interop {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";

// ---- Python literals: str, int, True/False/None, tuple, list, dict ----

struct PyLit {
  enum class Type { kStr, kInt, kBool, kNone, kSeq, kDict };
  Type type = Type::kNone;
  std::string str;
  int64_t num = 0;
  bool boolean = false;
  std::vector<PyLit> items;                         // kSeq (tuple or list)
  std::vector<std::pair<std::string, PyLit>> dict;  // kDict (string keys only)

  // Defined below, where PyLit is complete (clang with libstdc++ rejects the
  // implicit ones: the pair's PyLit is incomplete inside the class).
  PyLit();
  PyLit(const PyLit&);
  PyLit(PyLit&&) noexcept;
  PyLit& operator=(const PyLit&);
  PyLit& operator=(PyLit&&) noexcept;
  ~PyLit();
};
PyLit::PyLit() = default;
PyLit::PyLit(const PyLit&) = default;
PyLit::PyLit(PyLit&&) noexcept = default;
PyLit& PyLit::operator=(const PyLit&) = default;
PyLit& PyLit::operator=(PyLit&&) noexcept = default;
PyLit::~PyLit() = default;

class PyParser {
 public:
  explicit PyParser(std::string_view s) : s_(s) {}
  Status Parse(PyLit* v) {
    CKPT_RETURN_IF_ERROR(Value(v, 0));
    Space();
    if (pos_ != s_.size()) return Error("trailing characters");
    return OkStatus();
  }

 private:
  Status Error(std::string_view what) const {
    return DataLossError("invalid .npy header at byte " + std::to_string(pos_) + ": " + std::string(what));
  }
  void Space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r')) ++pos_;
  }
  bool Eat(char c) {
    Space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool Word(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }
  Status Value(PyLit* v, int depth) {
    if (depth > 16) return Error("nesting too deep");
    Space();
    if (pos_ >= s_.size()) return Error("unexpected end");
    const char c = s_[pos_];
    if (c == '\'' || c == '"') {
      v->type = PyLit::Type::kStr;
      return Str(&v->str);
    }
    if (c == '(' || c == '[') {
      ++pos_;
      v->type = PyLit::Type::kSeq;
      const char close = c == '(' ? ')' : ']';
      while (true) {
        if (Eat(close)) return OkStatus();
        v->items.emplace_back();
        CKPT_RETURN_IF_ERROR(Value(&v->items.back(), depth + 1));
        if (Eat(close)) return OkStatus();
        if (!Eat(',')) return Error("expected ','");
      }
    }
    if (c == '{') {
      ++pos_;
      v->type = PyLit::Type::kDict;
      while (true) {
        if (Eat('}')) return OkStatus();
        Space();
        if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) return Error("expected a string key");
        std::string key;
        CKPT_RETURN_IF_ERROR(Str(&key));
        for (const auto& [k, unused] : v->dict) {
          if (k == key) return Error("duplicate key '" + key + "'");
        }
        if (!Eat(':')) return Error("expected ':'");
        v->dict.emplace_back(std::move(key), PyLit{});
        CKPT_RETURN_IF_ERROR(Value(&v->dict.back().second, depth + 1));
        if (Eat('}')) return OkStatus();
        if (!Eat(',')) return Error("expected ','");
      }
    }
    if (Word("True") || Word("False")) {
      v->type = PyLit::Type::kBool;
      v->boolean = s_[pos_ - 1] == 'e' && s_[pos_ - 2] == 'u';
      return OkStatus();
    }
    if (Word("None")) return OkStatus();
    if (c >= '0' && c <= '9') {
      v->type = PyLit::Type::kInt;
      int64_t n = 0;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
        if (n > (INT64_MAX - 9) / 10) return Error("integer too large");
        n = n * 10 + (s_[pos_++] - '0');
      }
      if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;  // Python 2 longs
      v->num = n;
      return OkStatus();
    }
    return Error("unexpected character");
  }
  Status Str(std::string* out) {
    const char q = s_[pos_++];
    while (true) {
      if (pos_ >= s_.size()) return Error("unterminated string");
      char c = s_[pos_++];
      if (c == q) return OkStatus();
      if (c == '\\') {
        if (pos_ >= s_.size()) return Error("unterminated string");
        c = s_[pos_++];
        if (c != '\\' && c != '\'' && c != '"') return Error("unsupported escape in string");
      }
      *out += c;
    }
  }
  std::string_view s_;
  size_t pos_ = 0;
};

// ---- dtype table ----

struct Plain {
  char kind;  // numpy kind: b i u f c
  int size;
  DType dtype;
};
constexpr Plain kPlain[] = {
    {'b', 1, DType::kBool},   {'i', 1, DType::kInt8},    {'i', 2, DType::kInt16},     {'i', 4, DType::kInt32},
    {'i', 8, DType::kInt64},  {'u', 1, DType::kUInt8},   {'u', 2, DType::kUInt16},    {'u', 4, DType::kUInt32},
    {'u', 8, DType::kUInt64}, {'f', 2, DType::kHalf},    {'f', 4, DType::kFloat},     {'f', 8, DType::kDouble},
    {'c', 8, DType::kComplex64}, {'c', 16, DType::kComplex128},
};

// TF dtypes numpy lacks: stored as bits in a field named after the dtype.
struct RawBits {
  DType dtype;
  const char* field_descr;
};
constexpr RawBits kRawBits[] = {
    {DType::kBFloat16, "<u2"},       {DType::kFloat8E5M2, "|u1"},     {DType::kFloat8E4M3FN, "|u1"},
    {DType::kFloat8E4M3FNUZ, "|u1"}, {DType::kFloat8E4M3B11FNUZ, "|u1"}, {DType::kFloat8E5M2FNUZ, "|u1"},
    {DType::kInt4, "|u1"},           {DType::kUInt4, "|u1"},          {DType::kInt2, "|u1"},
    {DType::kUInt2, "|u1"},          {DType::kFloat4E2M1FN, "|u1"},   {DType::kQInt8, "|i1"},
    {DType::kQUInt8, "|u1"},         {DType::kQInt16, "<i2"},         {DType::kQUInt16, "<u2"},
    {DType::kQInt32, "<i4"},
};

struct SimpleDescr {
  bool big_endian = false;
  char kind = 0;
  int64_t size = 0;
};

// "<f4" -> ('f', 4), "|S10" -> ('S', 10). False when it does not look like one.
bool SplitDescr(std::string_view d, SimpleDescr* out) {
  if (d.empty()) return false;
  if (d[0] == '<' || d[0] == '>' || d[0] == '|' || d[0] == '=') {
    out->big_endian = d[0] == '>';
    d.remove_prefix(1);
  }
  if (d.empty()) return false;
  out->kind = d[0];
  d.remove_prefix(1);
  if (d.empty() || d.size() > 12) return false;
  int64_t n = 0;
  for (char c : d) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  out->size = n;
  return true;
}

Status DescrToHeader(const PyLit& descr, NpyHeader* h) {
  auto unsupported = [&](std::string why) {
    h->dtype = DType::kInvalid;
    h->unsupported = std::move(why);
    return OkStatus();
  };
  if (descr.type == PyLit::Type::kSeq) {
    // Structured: only our own one-field raw-bits form.
    if (descr.items.size() == 1 && descr.items[0].type == PyLit::Type::kSeq && descr.items[0].items.size() == 2 &&
        descr.items[0].items[0].type == PyLit::Type::kStr && descr.items[0].items[1].type == PyLit::Type::kStr) {
      const std::string& name = descr.items[0].items[0].str;
      SimpleDescr f;
      if (!SplitDescr(descr.items[0].items[1].str, &f)) return DataLossError("invalid .npy descr");
      for (const RawBits& r : kRawBits) {
        if (DTypeName(r.dtype) == name && (f.kind == 'u' || f.kind == 'i') &&
            f.size == static_cast<int64_t>(DTypeSize(r.dtype))) {
          h->dtype = r.dtype;
          h->raw_bits = true;
          h->big_endian = f.big_endian;
          h->itemsize = f.size;
          return OkStatus();
        }
      }
    }
    return unsupported("structured numpy dtype (only ckpt's one-field raw-bits form is read)");
  }
  if (descr.type != PyLit::Type::kStr) return DataLossError("invalid .npy header: 'descr' is not a string or list");
  if (descr.str == "|O" || descr.str == "O" || descr.str == "<O" || descr.str == ">O") {
    return unsupported("numpy object array (pickled data is never loaded)");
  }
  SimpleDescr d;
  if (!SplitDescr(descr.str, &d)) return unsupported("numpy dtype '" + descr.str + "'");
  h->big_endian = d.big_endian;
  h->itemsize = d.size;
  for (const Plain& p : kPlain) {
    if (p.kind == d.kind && p.size == d.size) {
      h->dtype = p.dtype;
      return OkStatus();
    }
  }
  if (d.kind == 'S' || d.kind == 'a') {
    h->kind = NpyHeader::Kind::kBytes;
    h->dtype = DType::kString;
    return OkStatus();
  }
  if (d.kind == 'U') {
    if (d.size > INT64_MAX / 4) return DataLossError("invalid .npy descr: string width too large");
    h->kind = NpyHeader::Kind::kUnicode;
    h->dtype = DType::kString;
    h->itemsize = d.size * 4;
    return OkStatus();
  }
  if (d.kind == 'V' && d.size == 2) {
    // What np.save writes for an ml_dtypes bfloat16 array.
    h->dtype = DType::kBFloat16;
    h->raw_bits = true;
    return OkStatus();
  }
  return unsupported("numpy dtype '" + descr.str + "' has no TensorFlow equivalent");
}

void ByteSwap(void* data, size_t n_units, size_t unit) {
  auto* p = static_cast<uint8_t*>(data);
  for (size_t i = 0; i < n_units; ++i, p += unit) std::reverse(p, p + unit);
}

}  // namespace

Result<uint64_t> NpyHeaderSize(std::string_view prefix) {
  if (prefix.size() < 10 || prefix.substr(0, kMagic.size()) != kMagic) {
    return DataLossError("not a .npy file (bad magic)");
  }
  const auto major = static_cast<uint8_t>(prefix[6]);
  uint64_t len;
  uint64_t fixed;
  if (major == 1) {
    len = coding::DecodeFixed16(prefix.data() + 8);
    fixed = 10;
  } else if (major == 2 || major == 3) {
    if (prefix.size() < 12) return DataLossError("truncated .npy header");
    len = coding::DecodeFixed32(prefix.data() + 8);
    fixed = 12;
  } else {
    return DataLossError("unsupported .npy format version " + std::to_string(major));
  }
  if (len > kMaxNpyHeaderSize) return DataLossError(".npy header of " + std::to_string(len) + " bytes is too large");
  return fixed + len;
}

Result<NpyHeader> ParseNpyHeader(std::string_view header) {
  CKPT_ASSIGN_OR_RETURN(const uint64_t size, NpyHeaderSize(header.substr(0, kNpyPrefixSize)));
  if (header.size() != size) return DataLossError("truncated .npy header");
  const size_t fixed = static_cast<uint8_t>(header[6]) == 1 ? 10 : 12;
  PyLit dict;
  CKPT_RETURN_IF_ERROR(PyParser(header.substr(fixed)).Parse(&dict));
  if (dict.type != PyLit::Type::kDict || dict.dict.size() != 3) {
    return DataLossError("invalid .npy header: expected a dict of 'descr', 'fortran_order', 'shape'");
  }
  const PyLit *descr = nullptr, *fortran = nullptr, *shape = nullptr;
  for (const auto& [k, v] : dict.dict) {
    if (k == "descr") descr = &v;
    if (k == "fortran_order") fortran = &v;
    if (k == "shape") shape = &v;
  }
  if (descr == nullptr || fortran == nullptr || shape == nullptr || fortran->type != PyLit::Type::kBool ||
      shape->type != PyLit::Type::kSeq) {
    return DataLossError("invalid .npy header: expected a dict of 'descr', 'fortran_order', 'shape'");
  }
  NpyHeader h;
  h.header_size = size;
  h.fortran_order = fortran->boolean;
  std::vector<int64_t> dims;
  for (const PyLit& d : shape->items) {
    if (d.type != PyLit::Type::kInt) return DataLossError("invalid .npy header: shape holds a non-integer");
    dims.push_back(d.num);
  }
  auto s = TensorShape::Make(dims);
  if (!s.ok()) return DataLossError("invalid .npy shape: " + s.status().message());
  h.shape = std::move(*s);
  CKPT_RETURN_IF_ERROR(DescrToHeader(*descr, &h));
  if (!h.unsupported.empty()) return h;
  if (h.kind == NpyHeader::Kind::kFixed) h.itemsize = static_cast<int64_t>(DTypeSize(h.dtype));
  uint64_t total;
  if (__builtin_mul_overflow(static_cast<uint64_t>(h.shape.num_elements()), static_cast<uint64_t>(h.itemsize), &total) ||
      total > static_cast<uint64_t>(INT64_MAX)) {
    return DataLossError("invalid .npy header: data size overflows");
  }
  h.data_size = total;
  return h;
}

Status FinishNpyFixed(const NpyHeader& h, Tensor* t) {
  const size_t esize = DTypeSize(h.dtype);
  if (h.big_endian && esize > 1) {
    // Complex numbers swap each of their two halves.
    const bool complex = h.dtype == DType::kComplex64 || h.dtype == DType::kComplex128;
    const size_t unit = complex ? esize / 2 : esize;
    ByteSwap(t->data(), t->byte_size() / unit, unit);
  }
  if (!h.fortran_order || h.shape.rank() < 2 || t->num_elements() == 0) return OkStatus();
  // Fortran order: element (i0, ..., ik) is at sum(i_d * fstride_d), fstride
  // growing from the first dimension. Walk C order and gather.
  CKPT_ASSIGN_OR_RETURN(Tensor c, Tensor::MakeUninitialized(h.dtype, h.shape));
  const int rank = h.shape.rank();
  std::vector<int64_t> fstride(static_cast<size_t>(rank)), idx(static_cast<size_t>(rank), 0);
  int64_t s = 1;
  for (int d = 0; d < rank; ++d) {
    fstride[static_cast<size_t>(d)] = s;
    s *= h.shape.dim(d);
  }
  const auto* src = static_cast<const uint8_t*>(t->data());
  auto* dst = static_cast<uint8_t*>(c.data());
  int64_t src_index = 0;
  for (int64_t i = 0; i < c.num_elements(); ++i) {
    std::memcpy(dst + static_cast<size_t>(i) * esize, src + static_cast<size_t>(src_index) * esize, esize);
    for (int d = rank - 1; d >= 0; --d) {  // next C-order index, last dimension fastest
      const auto du = static_cast<size_t>(d);
      if (++idx[du] < h.shape.dim(d)) {
        src_index += fstride[du];
        break;
      }
      src_index -= (idx[du] - 1) * fstride[du];
      idx[du] = 0;
    }
  }
  *t = std::move(c);
  return OkStatus();
}

Result<Tensor> DecodeNpyStrings(const NpyHeader& h, std::string_view raw) {
  const int64_t n = h.shape.num_elements();
  if (raw.size() != h.data_size) return DataLossError(".npy string data has the wrong size");
  const size_t width = static_cast<size_t>(h.itemsize);
  std::vector<std::string> values(static_cast<size_t>(n));
  // Fortran order: element with C index i is stored at its Fortran position.
  const int rank = h.shape.rank();
  std::vector<int64_t> idx(static_cast<size_t>(rank), 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t pos = i;
    if (h.fortran_order && rank >= 2) {
      int64_t rem = i, stride = 1;
      pos = 0;
      for (int d = rank - 1; d >= 0; --d) idx[static_cast<size_t>(d)] = 0;
      for (int d = rank - 1; d >= 0; --d) {
        idx[static_cast<size_t>(d)] = rem % h.shape.dim(d);
        rem /= h.shape.dim(d);
      }
      for (int d = 0; d < rank; ++d) {
        pos += idx[static_cast<size_t>(d)] * stride;
        stride *= h.shape.dim(d);
      }
    }
    std::string_view e = raw.substr(static_cast<size_t>(pos) * width, width);
    std::string& out = values[static_cast<size_t>(i)];
    if (h.kind == NpyHeader::Kind::kBytes) {
      while (!e.empty() && e.back() == '\0') e.remove_suffix(1);
      out.assign(e);
      continue;
    }
    // UCS-4 code points to UTF-8; trailing U+0000 are padding.
    std::vector<uint32_t> cps;
    for (size_t k = 0; k + 4 <= e.size(); k += 4) {
      const auto* b = reinterpret_cast<const uint8_t*>(e.data() + k);
      cps.push_back(h.big_endian ? (uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3])
                                 : coding::DecodeFixed32(e.data() + k));
    }
    while (!cps.empty() && cps.back() == 0) cps.pop_back();
    for (uint32_t cp : cps) {
      if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return DataLossError(".npy unicode data holds an invalid code point");
      AppendUtf8(cp, &out);
    }
  }
  return Tensor::FromStrings(h.shape, std::move(values));
}

std::string NpyDescr(DType dtype, bool* raw_bits) {
  *raw_bits = false;
  for (const Plain& p : kPlain) {
    if (p.dtype == dtype) {
      const char order = p.size == 1 ? '|' : '<';
      return std::string(1, order) + p.kind + std::to_string(p.size);
    }
  }
  for (const RawBits& r : kRawBits) {
    if (r.dtype == dtype) {
      *raw_bits = true;
      return "[('" + std::string(DTypeName(dtype)) + "', '" + r.field_descr + "')]";
    }
  }
  return "";
}

std::string MakeNpyHeader(std::string_view descr, const TensorShape& shape) {
  std::string dict = "{'descr': ";
  dict += descr.front() == '[' ? std::string(descr) : "'" + std::string(descr) + "'";
  dict += ", 'fortran_order': False, 'shape': (";
  for (int d = 0; d < shape.rank(); ++d) {
    if (d > 0) dict += ", ";
    dict += std::to_string(shape.dim(d));
  }
  if (shape.rank() == 1) dict += ",";
  dict += "), }";
  // Pad with spaces and a final '\n' so the data starts at a multiple of 64.
  const bool v2 = dict.size() + 1 + 10 > 0xffff;
  const size_t fixed = v2 ? 12 : 10;
  const size_t total = (fixed + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - fixed - dict.size() - 1, ' ');
  dict += '\n';
  std::string h(kMagic);
  h += static_cast<char>(v2 ? 2 : 1);
  h += '\0';
  if (v2) {
    coding::PutFixed32(&h, static_cast<uint32_t>(dict.size()));
  } else {
    coding::PutFixed16(&h, static_cast<uint16_t>(dict.size()));
  }
  return h + dict;
}

}  // namespace ckpt::interop
