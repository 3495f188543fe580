// Zip reading and writing for .npz (APPNOTE.TXT 6.3: local headers, central
// directory, end records; ZIP64 extra fields and end records).
#include "interop/zip_archive.h"

#include <isa-l.h>

#include <algorithm>
#include <cstring>

#include "ckpt/status_macros.h"

namespace ckpt::interop {
namespace {

constexpr uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50;
constexpr uint32_t kEnd64Sig = 0x06064b50, kEnd64LocatorSig = 0x07064b50;
constexpr size_t kLocalSize = 30, kCentralSize = 46, kEndSize = 22, kEnd64Size = 56, kLocatorSize = 20;
constexpr uint32_t k32Max = 0xffffffffu;
constexpr uint16_t k16Max = 0xffffu;
constexpr uint16_t kZip64ExtraId = 0x0001;
// Bytes of compressed input handed to the inflater at a time.
constexpr size_t kInflateChunk = size_t{4} << 20;

uint16_t Get16(const char* p) {
  return static_cast<uint16_t>(static_cast<uint8_t>(p[0]) | (static_cast<uint8_t>(p[1]) << 8));
}
uint32_t Get32(const char* p) { return Get16(p) | (static_cast<uint32_t>(Get16(p + 2)) << 16); }
uint64_t Get64(const char* p) { return Get32(p) | (static_cast<uint64_t>(Get32(p + 4)) << 32); }
void Put16(std::string* s, uint16_t v) {
  s->push_back(static_cast<char>(v & 0xff));
  s->push_back(static_cast<char>(v >> 8));
}
void Put32(std::string* s, uint32_t v) {
  Put16(s, static_cast<uint16_t>(v & 0xffff));
  Put16(s, static_cast<uint16_t>(v >> 16));
}
void Put64(std::string* s, uint64_t v) {
  Put32(s, static_cast<uint32_t>(v & k32Max));
  Put32(s, static_cast<uint32_t>(v >> 32));
}

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

uint32_t ZipCrc32(uint32_t crc, const void* data, size_t n) {
  // crc32_gzip_refl does the pre/post inversion itself: init 0 starts a CRC,
  // a previous result continues it.
  return crc32_gzip_refl(crc, static_cast<const unsigned char*>(data), n);
}

// ---- reader ----

Result<std::unique_ptr<ZipReader>> ZipReader::Open(std::unique_ptr<RandomAccessFile> file) {
  std::unique_ptr<ZipReader> r(new ZipReader(std::move(file)));
  CKPT_RETURN_IF_ERROR(r->ReadDirectory());
  return r;
}

Status ZipReader::ReadDirectory() {
  const uint64_t size = file_->Size();
  const std::string& path = file_->path();
  auto bad = [&](std::string_view what) { return DataLossError("not a valid zip archive " + path + ": " + std::string(what)); };
  if (size < kEndSize) return bad("too short for an end of central directory record");
  // The end record is last, followed by a comment of at most 64 KiB.
  const uint64_t tail_len = std::min<uint64_t>(size, kEndSize + 0xffff);
  std::string tail(tail_len, '\0');
  CKPT_RETURN_IF_ERROR(file_->Read(size - tail_len, tail_len, tail.data()));
  int64_t end_pos = -1;
  for (int64_t i = static_cast<int64_t>(tail_len - kEndSize); i >= 0; --i) {
    const char* p = tail.data() + i;
    if (Get32(p) == kEndSig && static_cast<uint64_t>(i) + kEndSize + Get16(p + 20) == tail_len) {
      end_pos = i;
      break;
    }
  }
  if (end_pos < 0) return bad("no end of central directory record");
  const char* e = tail.data() + end_pos;
  const uint64_t end_offset = size - tail_len + static_cast<uint64_t>(end_pos);
  if (Get16(e + 4) != 0 || Get16(e + 6) != 0) return bad("multi-disk archives are not supported");
  uint64_t count = Get16(e + 10), cd_size = Get32(e + 12), cd_offset = Get32(e + 16);
  uint64_t cd_limit = end_offset;  // the directory ends where the end records begin
  if (count == k16Max || cd_size == k32Max || cd_offset == k32Max) {
    // ZIP64: a locator right before the end record points at the ZIP64 end record.
    if (end_offset < kLocatorSize) return bad("ZIP64 end locator missing");
    char loc[kLocatorSize];
    CKPT_RETURN_IF_ERROR(file_->Read(end_offset - kLocatorSize, kLocatorSize, loc));
    if (Get32(loc) != kEnd64LocatorSig) return bad("ZIP64 end locator missing");
    const uint64_t e64_offset = Get64(loc + 8);
    if (e64_offset > end_offset - kLocatorSize || end_offset - kLocatorSize - e64_offset < kEnd64Size) {
      return bad("ZIP64 end record out of range");
    }
    char e64[kEnd64Size];
    CKPT_RETURN_IF_ERROR(file_->Read(e64_offset, kEnd64Size, e64));
    if (Get32(e64) != kEnd64Sig) return bad("bad ZIP64 end record signature");
    count = Get64(e64 + 32);
    cd_size = Get64(e64 + 40);
    cd_offset = Get64(e64 + 48);
    cd_limit = e64_offset;
  }
  if (cd_offset > cd_limit || cd_size > cd_limit - cd_offset) return bad("central directory out of range");
  if (count > cd_size / kCentralSize) return bad("more entries than the central directory can hold");
  std::string cd(cd_size, '\0');
  CKPT_RETURN_IF_ERROR(file_->Read(cd_offset, cd_size, cd.data()));
  members_.reserve(count);
  size_t pos = 0;
  for (uint64_t i = 0; i < count; ++i) {
    if (cd_size - pos < kCentralSize) return bad("truncated central directory");
    const char* c = cd.data() + pos;
    if (Get32(c) != kCentralSig) return bad("bad central directory entry signature");
    const uint16_t flags = Get16(c + 8);
    ZipMember m;
    m.method = Get16(c + 10);
    m.crc32 = Get32(c + 16);
    m.compressed_size = Get32(c + 20);
    m.uncompressed_size = Get32(c + 24);
    const size_t name_len = Get16(c + 28), extra_len = Get16(c + 30), comment_len = Get16(c + 32);
    uint64_t local_offset = Get32(c + 42);
    if (cd_size - pos - kCentralSize < name_len + extra_len + comment_len) return bad("truncated central directory");
    m.name.assign(c + kCentralSize, name_len);
    // ZIP64 extra: the 64-bit values of exactly the fields that hold 0xffffffff, in this order.
    const char* x = c + kCentralSize + name_len;
    const char* x_end = x + extra_len;
    while (x_end - x >= 4) {
      const uint16_t id = Get16(x), len = Get16(x + 2);
      if (static_cast<size_t>(x_end - x - 4) < len) return bad("truncated extra field");
      if (id == kZip64ExtraId) {
        const char* v = x + 4;
        const char* v_end = v + len;
        for (uint64_t* field : {&m.uncompressed_size, &m.compressed_size, &local_offset}) {
          if (*field != k32Max) continue;
          if (v_end - v < 8) return bad("truncated ZIP64 extra field");
          *field = Get64(v);
          v += 8;
        }
      }
      x += 4 + len;
    }
    if (flags & 1) return bad("encrypted member " + m.name);
    if (m.method != 0 && m.method != 8) {
      return UnimplementedError("zip member " + m.name + " in " + path + " uses compression method " +
                                std::to_string(m.method) + " (only stored and deflate are supported)");
    }
    if (m.method == 0 && m.compressed_size != m.uncompressed_size) return bad("stored member " + m.name + " changes size");
    if (local_offset > cd_offset) return bad("member " + m.name + " starts after the central directory");
    m.data_offset = local_offset;  // resolved below
    CKPT_RETURN_IF_ERROR(ResolveLocalHeader(&m, cd_offset));
    members_.push_back(std::move(m));
    pos += kCentralSize + name_len + extra_len + comment_len;
  }
  return OkStatus();
}

Status ZipReader::ResolveLocalHeader(ZipMember* m, uint64_t limit) {
  const uint64_t off = m->data_offset;
  auto bad = [&](std::string_view what) {
    return DataLossError("not a valid zip archive " + file_->path() + ": member " + m->name + ": " + std::string(what));
  };
  if (limit - off < kLocalSize) return bad("local header out of range");
  char h[kLocalSize];
  CKPT_RETURN_IF_ERROR(file_->Read(off, kLocalSize, h));
  if (Get32(h) != kLocalSig) return bad("bad local header signature");
  const uint64_t start = off + kLocalSize + Get16(h + 26) + Get16(h + 28);
  if (start > limit || m->compressed_size > limit - start) return bad("data out of range");
  m->data_offset = start;
  return OkStatus();
}

Status ZipReader::ReadStored(const ZipMember& m, uint64_t offset, size_t n, void* dst) const {
  if (m.method != 0) return InternalError("ReadStored on a compressed member");
  if (offset > m.compressed_size || n > m.compressed_size - offset) {
    return DataLossError("zip member " + m.name + " in " + file_->path() + " is shorter than its contents need");
  }
  return file_->Read(m.data_offset + offset, n, dst);
}

Result<std::string> ZipReader::ReadAll(const ZipMember& m) const { return Extract(m, m.uncompressed_size, true); }

Result<std::string> ZipReader::ReadPrefix(const ZipMember& m, uint64_t n) const {
  return Extract(m, std::min(n, m.uncompressed_size), false);
}

Result<std::string> ZipReader::Extract(const ZipMember& m, uint64_t want, bool whole) const {
  if (!whole && want == 0) return std::string();
  const std::string where = "zip member " + m.name + " in " + file_->path();
  // Deflate cannot expand more than ~1032:1; a bigger claim is a lie (or a bomb).
  if (m.method == 8 && m.uncompressed_size / 1100 > m.compressed_size + 64) {
    return DataLossError(where + " claims an impossible compression ratio");
  }
  std::string out;
  if (m.method == 0) {
    out.resize(want);  // bounded by the file size (checked at Open)
    CKPT_RETURN_IF_ERROR(file_->Read(m.data_offset, out.size(), out.data()));
  } else {
    // The output grows as data actually arrives (never to more than the
    // stated size plus one byte, which catches members that expand further),
    // so a lying header cannot make us allocate more than the data produces.
    const uint64_t limit = whole ? want + 1 : want;
    auto state = std::make_unique<inflate_state>();
    isal_inflate_init(state.get());
    state->crc_flag = ISAL_DEFLATE;  // raw deflate, as zip stores it
    std::string in;
    uint64_t in_pos = 0, produced = 0;
    while (state->block_state != ISAL_BLOCK_FINISH) {
      if (state->avail_in == 0 && in_pos < m.compressed_size) {
        const size_t k = static_cast<size_t>(std::min<uint64_t>(kInflateChunk, m.compressed_size - in_pos));
        in.resize(k);
        CKPT_RETURN_IF_ERROR(file_->Read(m.data_offset + in_pos, k, in.data()));
        in_pos += k;
        state->next_in = reinterpret_cast<uint8_t*>(in.data());
        state->avail_in = static_cast<uint32_t>(k);
      }
      if (state->avail_out == 0) {
        if (out.size() >= limit) return DataLossError(where + ": decompresses to more than its stated size");
        const uint64_t grow = std::min<uint64_t>({limit - out.size(), std::max<uint64_t>(out.size(), 1u << 20), 1u << 30});
        out.resize(out.size() + grow);
        state->next_out = reinterpret_cast<uint8_t*>(out.data()) + produced;
        state->avail_out = static_cast<uint32_t>(grow);
      }
      const uint32_t before_in = state->avail_in, before_out = state->avail_out;
      const int rc = isal_inflate(state.get());
      if (rc != ISAL_DECOMP_OK) return DataLossError(where + ": corrupt deflate data (isa-l error " + std::to_string(rc) + ")");
      produced += before_out - state->avail_out;
      if (state->block_state == ISAL_BLOCK_FINISH || (!whole && produced == want)) break;
      // Each call has input (refilled above) and room (grown above), so a
      // call that consumes and produces nothing means the stream ended early.
      if (state->avail_in == before_in && state->avail_out == before_out) {
        return DataLossError(where + ": truncated deflate data");
      }
    }
    if (produced != want) {
      return DataLossError(where + ": decompresses to " + std::to_string(produced) + " bytes, not its stated " +
                           std::to_string(m.uncompressed_size));
    }
    out.resize(produced);
  }
  if (whole && ZipCrc32(0, out.data(), out.size()) != m.crc32) return DataLossError(where + ": CRC-32 mismatch");
  return out;
}

// ---- writer ----

Status ZipWriter::Write(std::string_view s) {
  CKPT_RETURN_IF_ERROR(file_->Append(s));
  pos_ += s.size();
  return OkStatus();
}

Status ZipWriter::AddStored(std::string_view name, const std::vector<std::string_view>& pieces) {
  if (name.size() > k16Max) return InvalidArgumentError("zip member name longer than 65535 bytes");
  Entry e;
  e.name = std::string(name);
  e.offset = pos_;
  for (std::string_view p : pieces) {
    e.crc = ZipCrc32(e.crc, p.data(), p.size());
    e.size += p.size();
  }
  const bool zip64 = force_zip64_ || e.size >= k32Max;
  const uint16_t flags = IsAscii(name) ? 0 : (1u << 11);  // bit 11: the name is UTF-8
  std::string h;
  Put32(&h, kLocalSig);
  Put16(&h, zip64 ? 45 : 20);  // version needed
  Put16(&h, flags);
  Put16(&h, 0);       // stored
  Put16(&h, 0);       // time 00:00:00
  Put16(&h, 0x21);    // date 1980-01-01: fixed, so output is reproducible
  Put32(&h, e.crc);
  Put32(&h, zip64 ? k32Max : static_cast<uint32_t>(e.size));
  Put32(&h, zip64 ? k32Max : static_cast<uint32_t>(e.size));
  Put16(&h, static_cast<uint16_t>(name.size()));
  Put16(&h, zip64 ? 20 : 0);
  h += name;
  if (zip64) {
    Put16(&h, kZip64ExtraId);
    Put16(&h, 16);
    Put64(&h, e.size);
    Put64(&h, e.size);
  }
  CKPT_RETURN_IF_ERROR(Write(h));
  for (std::string_view p : pieces) CKPT_RETURN_IF_ERROR(Write(p));
  entries_.push_back(std::move(e));
  return OkStatus();
}

Status ZipWriter::Finish() {
  const uint64_t cd_offset = pos_;
  std::string cd;
  for (const Entry& e : entries_) {
    const bool big_size = force_zip64_ || e.size >= k32Max;
    const bool big_offset = force_zip64_ || e.offset >= k32Max;
    std::string extra;
    if (big_size || big_offset) {
      std::string v;
      if (big_size) {
        Put64(&v, e.size);
        Put64(&v, e.size);
      }
      if (big_offset) Put64(&v, e.offset);
      Put16(&extra, kZip64ExtraId);
      Put16(&extra, static_cast<uint16_t>(v.size()));
      extra += v;
    }
    Put32(&cd, kCentralSig);
    Put16(&cd, (3u << 8) | 45);  // made by: Unix, spec 4.5
    Put16(&cd, extra.empty() ? 20 : 45);
    Put16(&cd, IsAscii(e.name) ? 0 : (1u << 11));
    Put16(&cd, 0);
    Put16(&cd, 0);
    Put16(&cd, 0x21);
    Put32(&cd, e.crc);
    Put32(&cd, big_size ? k32Max : static_cast<uint32_t>(e.size));
    Put32(&cd, big_size ? k32Max : static_cast<uint32_t>(e.size));
    Put16(&cd, static_cast<uint16_t>(e.name.size()));
    Put16(&cd, static_cast<uint16_t>(extra.size()));
    Put16(&cd, 0);  // comment
    Put16(&cd, 0);  // disk
    Put16(&cd, 0);  // internal attributes
    Put32(&cd, 0100644u << 16);  // external attributes: a regular file, rw-r--r--
    Put32(&cd, big_offset ? k32Max : static_cast<uint32_t>(e.offset));
    cd += e.name;
    cd += extra;
  }
  CKPT_RETURN_IF_ERROR(Write(cd));
  const uint64_t count = entries_.size(), cd_size = cd.size();
  const bool zip64 = force_zip64_ || count >= k16Max || cd_size >= k32Max || cd_offset >= k32Max;
  std::string end;
  if (zip64) {
    const uint64_t e64_offset = pos_;
    Put32(&end, kEnd64Sig);
    Put64(&end, kEnd64Size - 12);  // size of the rest of this record
    Put16(&end, (3u << 8) | 45);
    Put16(&end, 45);
    Put32(&end, 0);
    Put32(&end, 0);
    Put64(&end, count);
    Put64(&end, count);
    Put64(&end, cd_size);
    Put64(&end, cd_offset);
    Put32(&end, kEnd64LocatorSig);
    Put32(&end, 0);
    Put64(&end, e64_offset);
    Put32(&end, 1);  // total disks
  }
  Put32(&end, kEndSig);
  Put16(&end, 0);
  Put16(&end, 0);
  Put16(&end, zip64 ? k16Max : static_cast<uint16_t>(count));
  Put16(&end, zip64 ? k16Max : static_cast<uint16_t>(count));
  Put32(&end, zip64 ? k32Max : static_cast<uint32_t>(cd_size));
  Put32(&end, zip64 ? k32Max : static_cast<uint32_t>(cd_offset));
  Put16(&end, 0);  // comment length
  return Write(end);
}

}  // namespace ckpt::interop
