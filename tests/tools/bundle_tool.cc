// bundle_tool: a test-only driver so Python tests can run the C++ bundle
// writer/reader on exact bytes (tests/tf_compat/test_tf_differential.py).
//
//   bundle_tool write SPEC_DIR PREFIX [--alignment N]
//       SPEC_DIR/manifest.json is a JSON list of tensors, added in list order:
//         {"key", "dtype", "shape", "file"}            whole tensor; file = raw
//                                                       little-endian row-major bytes
//         {"key", "dtype", "shape", "strings_file"}    DT_STRING; strings_file =
//                                                       JSON list of base64 strings
//         {"key", "dtype", "full_shape", "slice": "0,5:-", "file" | "strings_file"}
//                                                       one slice (BundleWriter::AddSlice)
//       "key_b64" may replace "key" (keys that are not UTF-8). Files are
//       relative to SPEC_DIR.
//   bundle_tool read PREFIX OUT_DIR
//       Writes OUT_DIR/manifest.json (same shape as above, plus "key_b64" and,
//       for partitioned tensors, "slices") and one raw / strings file per key.
//       Partitioned tensors are assembled. A key that cannot be read gets
//       "error" instead of a file, and the exit status is 1.
//   bundle_tool read_slice PREFIX KEY SLICE OUT_FILE
//       Raw bytes of BundleReader::ReadSlice(KEY, SLICE) ("0,2:-").
//   bundle_tool merge OUT_PREFIX IN_PREFIX...
//       MergeBundles(IN_PREFIX..., OUT_PREFIX).
//
// Exit status: 0 ok, 1 a library error (Status on stderr), 2 bad usage or
// bad manifest.
#include <ckpt/bundle.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "interop/json_value.h"

namespace {

// ---- reading JSON manifests (the library's reader, format/json_value.h) ----

using Json = ckpt::interop::JsonValue;

bool ParseJsonText(std::string_view text, Json* out, std::string* error) {
  auto parsed = ckpt::interop::ParseJson(text);
  if (!parsed.ok()) {
    *error = parsed.status().message();
    return false;
  }
  *out = std::move(*parsed);
  return true;
}

const std::vector<Json>* Array(const Json* j) { return j != nullptr && j->is_array() ? &j->array : nullptr; }
const std::string* String(const Json* j) { return j != nullptr && j->is_string() ? &j->text : nullptr; }

// ---- JSON writing, base64 ----

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c < 0x20 || c >= 0x80) {
      // Only used for ASCII-safe fields (dtype names, base64, file names);
      // anything else is escaped byte-wise as Latin-1 code points.
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(std::string_view in) {
  std::string out;
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                       static_cast<uint8_t>(in[i + 2]);
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], kB64[(v >> 6) & 63], kB64[v & 63]};
  }
  if (in.size() - i == 1) {
    const uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], '=', '='};
  } else if (in.size() - i == 2) {
    const uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8);
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], kB64[(v >> 6) & 63], '='};
  }
  return out;
}

bool Base64Decode(std::string_view in, std::string* out) {
  uint32_t acc = 0;
  int bits = 0;
  for (const char c : in) {
    if (c == '=') break;
    const char* p = std::char_traits<char>::find(kB64, 64, c);
    if (p == nullptr) return false;
    acc = (acc << 6) | static_cast<uint32_t>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return true;
}

// ---- helpers ----

int Usage() {
  std::fprintf(stderr,
               "usage: bundle_tool write SPEC_DIR PREFIX [--alignment N]\n"
               "       bundle_tool read PREFIX OUT_DIR\n"
               "       bundle_tool read_slice PREFIX KEY SLICE OUT_FILE\n"
               "       bundle_tool merge OUT_PREFIX IN_PREFIX...\n");
  return 2;
}

int Fail(const ckpt::Status& s) {
  std::fprintf(stderr, "bundle_tool: %s\n", s.ToString().c_str());
  return 1;
}

int BadSpec(const std::string& what) {
  std::fprintf(stderr, "bundle_tool: bad manifest: %s\n", what.c_str());
  return 2;
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = std::move(ss).str();
  return true;
}

bool WriteFile(const std::string& path, std::string_view data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  return static_cast<bool>(f);
}

bool ParseShape(const Json* j, ckpt::TensorShape* out) {
  if (Array(j) == nullptr) return false;
  std::vector<int64_t> dims;
  for (const Json& d : *Array(j)) {
    if (d.type != Json::Type::kNumber) return false;
    dims.push_back(std::strtoll(d.text.c_str(), nullptr, 10));
  }
  auto shape = ckpt::TensorShape::Make(dims);
  if (!shape.ok()) return false;
  *out = *shape;
  return true;
}

std::string ShapeJson(const ckpt::TensorShape& s) {
  std::string out = "[";
  for (int d = 0; d < s.rank(); ++d) out += (d ? "," : "") + std::to_string(s.dim(d));
  return out + "]";
}

std::string StringsJson(const std::vector<std::string>& strings) {
  std::string out = "[";
  for (size_t i = 0; i < strings.size(); ++i) out += (i ? ", " : "") + JsonQuote(Base64Encode(strings[i]));
  return out + "]\n";
}

// True for keys that can go into JSON as-is (printable ASCII).
bool PlainAscii(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) return false;
  }
  return true;
}

// ---- subcommands ----

int Write(const std::string& spec_dir, const std::string& prefix, int64_t alignment) {
  std::string text, error;
  if (!ReadFile(spec_dir + "/manifest.json", &text)) return BadSpec("cannot read " + spec_dir + "/manifest.json");
  Json root;
  if (!ParseJsonText(text, &root, &error)) return BadSpec(error);
  if (Array(&root) == nullptr) return BadSpec("manifest must be a JSON list");

  ckpt::BundleWriterOptions options;
  options.data_alignment = alignment;
  auto writer = ckpt::BundleWriter::Create(prefix, options);
  if (!writer.ok()) return Fail(writer.status());

  for (size_t i = 0; i < root.array.size(); ++i) {
    const Json* e = &root.array[i];
    const std::string where = "entry " + std::to_string(i);
    if (!e->is_object()) return BadSpec(where + " is not an object");
    std::string key;
    if (const std::string* k = String(e->Find("key"))) {
      key = *k;
    } else if (const std::string* kb = String(e->Find("key_b64"))) {
      if (!Base64Decode(*kb, &key)) return BadSpec(where + ": bad key_b64");
    } else {
      return BadSpec(where + ": needs \"key\" or \"key_b64\"");
    }
    const std::string* dt = String(e->Find("dtype"));
    if (dt == nullptr) return BadSpec(where + ": needs \"dtype\"");
    const auto dtype = ckpt::DTypeFromName(*dt);
    if (!dtype) return BadSpec(where + ": unknown dtype " + *dt);

    const Json* slice_spec = e->Find("slice");
    ckpt::TensorShape shape, full_shape;
    ckpt::TensorSlice slice;
    if (slice_spec != nullptr) {
      if (String(slice_spec) == nullptr) return BadSpec(where + ": \"slice\" must be a string");
      if (!ParseShape(e->Find("full_shape"), &full_shape)) return BadSpec(where + ": bad \"full_shape\"");
      auto parsed = ckpt::TensorSlice::Parse(*String(slice_spec));
      if (!parsed.ok()) return Fail(parsed.status());
      slice = *parsed;
      if (auto s = slice.CheckFits(full_shape); !s.ok()) return Fail(s);
      shape = slice.SliceShape(full_shape);
    } else if (!ParseShape(e->Find("shape"), &shape)) {
      return BadSpec(where + ": bad \"shape\"");
    }

    ckpt::TensorView view;
    view.dtype = *dtype;
    view.shape = shape;
    std::string bytes;
    std::vector<std::string> strings;
    std::vector<std::string_view> string_views;
    if (*dtype == ckpt::DType::kString) {
      const std::string* sf = String(e->Find("strings_file"));
      if (sf == nullptr) return BadSpec(where + ": string tensors need \"strings_file\"");
      std::string stext;
      Json list;
      if (!ReadFile(spec_dir + "/" + *sf, &stext)) return BadSpec(where + ": cannot read strings_file");
      if (!ParseJsonText(stext, &list, &error) || Array(&list) == nullptr) {
        return BadSpec(where + ": strings_file must be a JSON list");
      }
      for (const Json& s : list.array) {
        std::string decoded;
        if (String(&s) == nullptr || !Base64Decode(s.text, &decoded)) return BadSpec(where + ": bad base64");
        strings.push_back(std::move(decoded));
      }
      if (static_cast<int64_t>(strings.size()) != shape.num_elements()) {
        return BadSpec(where + ": " + std::to_string(strings.size()) + " strings for shape " + shape.ToString());
      }
      string_views.assign(strings.begin(), strings.end());
      view.strings = string_views;
    } else {
      const std::string* f = String(e->Find("file"));
      if (f == nullptr) return BadSpec(where + ": needs \"file\"");
      if (!ReadFile(spec_dir + "/" + *f, &bytes)) return BadSpec(where + ": cannot read " + *f);
      if (bytes.size() != view.byte_size()) {
        return BadSpec(where + ": file has " + std::to_string(bytes.size()) + " bytes, shape " + shape.ToString() +
                       " of " + *dt + " needs " + std::to_string(view.byte_size()));
      }
      view.data = bytes.data();
    }
    const ckpt::Status s = slice_spec != nullptr ? (*writer)->AddSlice(key, full_shape, slice, view)
                                                 : (*writer)->Add(key, view);
    if (!s.ok()) return Fail(s);
  }
  if (auto s = (*writer)->Finish(); !s.ok()) return Fail(s);
  return 0;
}

int Read(const std::string& prefix, const std::string& out_dir) {
  auto reader = ckpt::BundleReader::Open(prefix);
  if (!reader.ok()) return Fail(reader.status());
  std::string manifest = "[";
  int rc = 0;
  const auto infos = (*reader)->List();
  for (size_t i = 0; i < infos.size(); ++i) {
    const ckpt::TensorInfo& info = infos[i];
    std::string entry = "{\"key_b64\": " + JsonQuote(Base64Encode(info.key));
    if (PlainAscii(info.key)) entry += ", \"key\": " + JsonQuote(info.key);
    entry += ", \"dtype\": " + JsonQuote(ckpt::DTypeName(info.dtype)) + ", \"shape\": " + ShapeJson(info.shape);
    if (!info.slices.empty()) {
      entry += ", \"slices\": [";
      for (size_t k = 0; k < info.slices.size(); ++k) entry += (k ? ", " : "") + JsonQuote(info.slices[k].ToString());
      entry += "]";
    } else {
      entry += ", \"shard_id\": " + std::to_string(info.shard_id) + ", \"offset\": " + std::to_string(info.offset) +
               ", \"size\": " + std::to_string(info.size);
    }
    char name[32];
    auto t = (*reader)->Read(info.key);
    bool written = false;
    if (t.ok() && t->dtype() == ckpt::DType::kString) {
      std::snprintf(name, sizeof(name), "t%05zu.json", i);
      written = WriteFile(out_dir + "/" + name, StringsJson(t->strings()));
      entry += ", \"strings_file\": " + JsonQuote(name);
    } else if (t.ok()) {
      std::snprintf(name, sizeof(name), "t%05zu.bin", i);
      written = WriteFile(out_dir + "/" + name,
                          std::string_view(static_cast<const char*>(t->data()), t->byte_size()));
      entry += ", \"file\": " + JsonQuote(name);
    } else {
      entry += ", \"error\": " + JsonQuote(t.status().ToString());
      std::fprintf(stderr, "bundle_tool: %s\n", t.status().ToString().c_str());
      rc = 1;
    }
    if (t.ok() && !written) {
      std::fprintf(stderr, "bundle_tool: cannot write into %s\n", out_dir.c_str());
      return 1;
    }
    manifest += (i ? ",\n " : "\n ") + entry + "}";
  }
  manifest += "\n]\n";
  if (!WriteFile(out_dir + "/manifest.json", manifest)) {
    std::fprintf(stderr, "bundle_tool: cannot write %s/manifest.json\n", out_dir.c_str());
    return 1;
  }
  return rc;
}

int ReadSlice(const std::string& prefix, const std::string& key, const std::string& spec, const std::string& out) {
  auto reader = ckpt::BundleReader::Open(prefix);
  if (!reader.ok()) return Fail(reader.status());
  auto slice = ckpt::TensorSlice::Parse(spec);
  if (!slice.ok()) return Fail(slice.status());
  auto t = (*reader)->ReadSlice(key, *slice);
  if (!t.ok()) return Fail(t.status());
  if (t->dtype() == ckpt::DType::kString) return WriteFile(out, StringsJson(t->strings())) ? 0 : 1;
  return WriteFile(out, std::string_view(static_cast<const char*>(t->data()), t->byte_size())) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return Usage();
  const std::string cmd = args[0];
  if (cmd == "write") {
    int64_t alignment = 1;
    std::vector<std::string> pos;
    for (size_t i = 1; i < args.size(); ++i) {
      if (args[i] == "--alignment" && i + 1 < args.size()) {
        alignment = std::strtoll(args[++i].c_str(), nullptr, 10);
      } else if (args[i].rfind("--", 0) == 0) {
        return Usage();
      } else {
        pos.push_back(args[i]);
      }
    }
    if (pos.size() != 2 || alignment < 1) return Usage();
    return Write(pos[0], pos[1], alignment);
  }
  if (cmd == "read" && args.size() == 3) return Read(args[1], args[2]);
  if (cmd == "read_slice" && args.size() == 5) return ReadSlice(args[1], args[2], args[3], args[4]);
  if (cmd == "merge" && args.size() >= 3) {
    std::vector<std::string> inputs(args.begin() + 2, args.end());
    if (auto s = ckpt::MergeBundles(inputs, args[1]); !s.ok()) return Fail(s);
    return 0;
  }
  return Usage();
}
