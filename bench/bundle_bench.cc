// bundle_bench: how close does a ckpt bundle save / restore come to the disk
// and to memory?
//
// Usage: bundle_bench --dir D [--total-mib N=1024] [--tensors T=128] [--reps R=3]
//                     [--tiny N=100000]
//
// Every case moves the same N MiB in the same process run, on the same
// filesystem (files under D, removed afterwards), and reports the median of R
// repetitions (min and max beside it, so noise is visible):
//   disk baseline    raw O_DIRECT write (4 MiB aligned chunks, fdatasync at
//                    the end), the same from huge pages in 8 MiB chunks (the
//                    disk's best: larger requests); raw O_DIRECT pread and raw buffered pread of
//                    the same file with its page cache dropped; raw buffered
//                    write + fdatasync (the kernel's cost for direct_io=off)
//   memory baseline  memcpy of N MiB between two prefaulted buffers; and the
//                    first touch of N MiB of fresh anonymous memory (page
//                    fault cost: on VMs that hand freed pages back to the
//                    host this is far slower than memcpy, and it is what
//                    buffered I/O pays for new page-cache pages)
//   ckpt save        BundleWriter::Create/Add x T/Finish (sync on), with
//                    direct_io on (tensors from Tensor::Make; the program
//                    prints how many are 4096-aligned, i.e. take the
//                    straight-from-the-caller O_DIRECT path), direct_io on
//                    with sources deliberately 64 bytes off a page boundary
//                    (the 8 MiB bounce-buffer path, what numpy arrays get:
//                    large ones sit 16 bytes past a page), and direct_io off;
//                    the first is also split into the Add loop and Finish
//   ckpt restore     BundleReader::Open + ReadInto x T into preallocated,
//                    prefaulted tensors (checksums verified), page cache
//                    dropped first ("cold"), also into destinations 16 and 64
//                    bytes past a page (numpy / malloc placement); then warm:
//                    the data file is read once through the page cache
//                    (residency checked) and restored again, aligned and
//                    16 bytes past a page
//   warm baseline    buffered preadv of the same cached data file into
//                    prefaulted memory in 64 MiB chunks, one thread and two
//                    threads (each half the file)
//   tiny tensors     --tiny tensors of 4..16 floats each, saved and restored;
//                    total seconds with a breakdown
// "Cold" means: after fdatasync the files are posix_fadvise(DONTNEED)-ed and
// their residency is checked with mincore(); the output says what it found.
// A final line starting with "JSON " carries every number for scripts.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ckpt/bundle.h"
#include "ckpt/tensor.h"

#include "bench_util.h"

namespace {

using namespace bench;

constexpr size_t kChunk = 4 * kMiB;  // raw I/O chunk

struct AlignedBuf {
  explicit AlignedBuf(size_t n) : size(n) {
    p = static_cast<char*>(std::aligned_alloc(kPage, (n + kPage - 1) / kPage * kPage));
    if (p == nullptr) Die("out of memory");
  }
  ~AlignedBuf() { std::free(p); }
  AlignedBuf(const AlignedBuf&) = delete;
  AlignedBuf& operator=(const AlignedBuf&) = delete;
  char* p;
  size_t size;
};

void SyncAndDrop(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  CheckSys(fd >= 0, "open " + path);
  CheckSys(::fdatasync(fd) == 0, "fdatasync " + path);
  CheckSys(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0, "posix_fadvise " + path);
  ::close(fd);
}

// Fraction of the file's pages in the page cache (mincore), or -1.
double Resident(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st;
  if (::fstat(fd, &st) != 0 || st.st_size == 0) {
    ::close(fd);
    return -1;
  }
  const size_t n = static_cast<size_t>(st.st_size);
  void* m = ::mmap(nullptr, n, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (m == MAP_FAILED) return -1;
  const size_t pages = (n + kPage - 1) / kPage;
  std::vector<unsigned char> vec(pages);
  double frac = -1;
  if (::mincore(m, n, vec.data()) == 0) {
    size_t in = 0;
    for (unsigned char v : vec) in += v & 1;
    frac = static_cast<double>(in) / static_cast<double>(pages);
  }
  ::munmap(m, n);
  return frac;
}

void RemoveIfExists(const std::string& path) { ::unlink(path.c_str()); }

// Reads [begin, end) of `path` through the page cache into dst + begin with
// preadv in 64 MiB chunks: the warm-restore baseline.
void PreadvRange(const std::string& path, char* dst, size_t begin, size_t end) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  CheckSys(fd >= 0, "open " + path);
  for (size_t off = begin; off < end;) {
    const size_t n = std::min(64 * kMiB, end - off);
    struct iovec iov{dst + off, n};
    const ssize_t r = ::preadv(fd, &iov, 1, static_cast<off_t>(off));
    CheckSys(r > 0, "preadv " + path);
    off += static_cast<size_t>(r);
  }
  ::close(fd);
}

size_t FileSize(const std::string& path) {
  struct stat st;
  CheckSys(::stat(path.c_str(), &st) == 0, "stat " + path);
  return static_cast<size_t>(st.st_size);
}

void RemoveBundle(const std::string& prefix) {
  RemoveIfExists(ckpt::MetaFilename(prefix));
  RemoveIfExists(ckpt::DataFilename(prefix, 0, 1));
}

struct Row {
  std::string id;     // JSON key
  std::string label;  // table label
  std::vector<double> secs;
  double bytes = 0;         // 0: no GB/s column (tiny-tensor rows)
  std::string vs_disk_id;   // row id of the matching disk baseline, if any
  bool vs_memcpy = false;
  double median() const { return Median(secs); }
  double gbps() const { return bytes > 0 ? bytes / 1e9 / median() : 0; }
};

std::string Num(double v, const char* fmt) {
  char b[64];
  std::snprintf(b, sizeof b, fmt, v);
  return b;
}

std::string JsonEscape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o;
}

struct Args : DiskArgs {
  size_t tiny = 100000;
};

Args Parse(int argc, char** argv) {
  Args a;
  ParseDiskArgs(argc, argv,
                "usage: bundle_bench --dir D [--total-mib N=1024] [--tensors T=128] [--reps R=3] [--tiny N=100000]", &a,
                [&](const std::string& k, const std::function<std::string()>& value) {
                  if (k != "--tiny") return false;
                  a.tiny = std::stoull(value());
                  return true;
                });
  return a;
}

std::string FsName(const std::string& dir) {
  struct statfs s;
  if (::statfs(dir.c_str(), &s) != 0) return "?";
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53: return "ext4";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x01021994: return "tmpfs";
    case 0x794c7630: return "overlayfs";
    default: {
      char b[32];
      std::snprintf(b, sizeof b, "fs-magic-0x%lx", static_cast<unsigned long>(s.f_type));
      return b;
    }
  }
}

// Shape of a float tensor of n elements: [n/1024, 1024] when it divides, else [n].
ckpt::TensorShape ShapeFor(int64_t n) {
  if (n >= 1024 && n % 1024 == 0) return ckpt::TensorShape({n / 1024, 1024});
  return ckpt::TensorShape({n});
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = Parse(argc, argv);
  const size_t total = args.total_bytes();
  const size_t T = args.tensors;
  const std::vector<size_t> elems = SplitFloats(total, T);

  std::printf("bundle_bench: %zu MiB (%.3f GB) in %zu float32 tensors (%.2f MiB each), %d reps, median reported\n",
              args.total_mib, total / 1e9, T, static_cast<double>(total) / T / kMiB, args.reps);
  std::printf("dir: %s (%s)\n", args.dir.c_str(), FsName(args.dir).c_str());

  // ---- buffers ----
  AlignedBuf src(total), dst(total);  // raw / memcpy baselines
  for (size_t off = 0; off < total; off += 64 * kMiB) {
    const size_t n = std::min(total - off, 64 * kMiB);
    FillFloats(reinterpret_cast<float*>(src.p + off), n / sizeof(float), static_cast<uint32_t>(off / kMiB));
  }
  Prefault(dst.p, total);
  // The same bytes in 2 MiB-aligned memory advised for huge pages (THP "madvise" mode).
  char* huge_src = HugePageMemory(total);
  std::memcpy(huge_src, src.p, total);

  std::vector<ckpt::Tensor> in(T), out(T);  // ckpt source / destination (Tensor::Make: 64-byte aligned)
  std::vector<std::unique_ptr<AlignedBuf>> in_unaligned(T);  // data starts at p + 64
  std::vector<std::unique_ptr<AlignedBuf>> out_unaligned(T);  // restore destinations at p + 16 / p + 64
  size_t page_aligned_sources = 0;
  for (size_t i = 0; i < T; ++i) {
    in[i] = Take(ckpt::Tensor::Make(ckpt::DType::kFloat, ShapeFor(static_cast<int64_t>(elems[i]))), "Tensor::Make");
    out[i] = Take(ckpt::Tensor::Make(ckpt::DType::kFloat, ShapeFor(static_cast<int64_t>(elems[i]))), "Tensor::Make");
    FillFloats(in[i].flat<float>().data(), elems[i], static_cast<uint32_t>(i + 1));
    Prefault(out[i].data(), out[i].byte_size());
    if (reinterpret_cast<uintptr_t>(in[i].data()) % kPage == 0) ++page_aligned_sources;
    in_unaligned[i] = std::make_unique<AlignedBuf>(in[i].byte_size() + 64);
    std::memcpy(in_unaligned[i]->p + 64, in[i].data(), in[i].byte_size());
    out_unaligned[i] = std::make_unique<AlignedBuf>(in[i].byte_size() + 64);
    Prefault(out_unaligned[i]->p, out_unaligned[i]->size);
  }
  std::printf("Tensor::Make sources that happen to be 4096-aligned: %zu of %zu\n", page_aligned_sources, T);

  std::map<std::string, Row> rows;
  std::vector<std::string> order;
  auto row = [&](const std::string& id, const std::string& label, double bytes, const std::string& vs_disk,
                 bool vs_memcpy) -> Row& {
    if (!rows.count(id)) {
      order.push_back(id);
      rows[id] = Row{id, label, {}, bytes, vs_disk, vs_memcpy};
    }
    return rows[id];
  };
  std::vector<double> residency;  // residency of files right before each cold read
  std::vector<double> warm_residency;  // residency of the data file around the warm reads

  const std::string raw_path = args.dir + "/raw.bin";
  for (int rep = 0; rep < args.reps; ++rep) {
    std::fprintf(stderr, "rep %d/%d ...\n", rep + 1, args.reps);
    // ---- (b) memcpy ----
    {
      const auto t0 = Clock::now();
      std::memcpy(dst.p, src.p, total);
      const double s = Seconds(t0, Clock::now());
      if (dst.p[total / 2] != src.p[total / 2]) Die("memcpy?");
      row("memcpy", "memcpy", total, "", false).secs.push_back(s);
    }

    // ---- first touch of fresh memory ----
    {
      void* m = ::mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      CheckSys(m != MAP_FAILED, "mmap");
      const auto t0 = Clock::now();
      std::memset(m, 1, total);
      row("first_touch", "first touch of fresh memory (faults)", total, "", true).secs.push_back(Seconds(t0, Clock::now()));
      ::munmap(m, total);
    }

    // ---- (a) raw O_DIRECT write ----
    {
      RemoveIfExists(raw_path);
      const auto t0 = Clock::now();
      const int fd = ::open(raw_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT | O_CLOEXEC, 0644);
      CheckSys(fd >= 0, "open O_DIRECT " + raw_path + " (filesystem without O_DIRECT?)");
      for (size_t off = 0; off < total; off += kChunk) {
        const size_t n = std::min(kChunk, total - off);
        CheckSys(::pwrite(fd, src.p + off, n, static_cast<off_t>(off)) == static_cast<ssize_t>(n), "pwrite");
      }
      CheckSys(::fdatasync(fd) == 0, "fdatasync");
      ::close(fd);
      row("raw_write", "raw O_DIRECT write 4MiB+fdatasync", total, "", true).secs.push_back(Seconds(t0, Clock::now()));
    }
    // ---- raw O_DIRECT write from huge pages, 8 MiB chunks: what ckpt's bounce
    // path hands the disk (a write from 4 KiB pages becomes requests of at most
    // max_segments pages, ~1 MiB on virtio; from 2 MiB pages up to
    // max_sectors_kb), so this, not the row above, is the disk's best figure ----
    {
      const std::string huge_path = args.dir + "/raw_huge.bin";
      RemoveIfExists(huge_path);
      const auto t0 = Clock::now();
      const int fd = ::open(huge_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT | O_CLOEXEC, 0644);
      CheckSys(fd >= 0, "open O_DIRECT " + huge_path);
      for (size_t off = 0; off < total; off += 2 * kChunk) {
        const size_t n = std::min(2 * kChunk, total - off);
        CheckSys(::pwrite(fd, huge_src + off, n, static_cast<off_t>(off)) == static_cast<ssize_t>(n), "pwrite");
      }
      CheckSys(::fdatasync(fd) == 0, "fdatasync");
      ::close(fd);
      row("raw_write_huge", "raw O_DIRECT write 8MiB from huge pages", total, "", true)
          .secs.push_back(Seconds(t0, Clock::now()));
      RemoveIfExists(huge_path);
    }
    SyncAndDrop(raw_path);
    residency.push_back(Resident(raw_path));
    // ---- (a) raw O_DIRECT read ----
    {
      const auto t0 = Clock::now();
      const int fd = ::open(raw_path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
      CheckSys(fd >= 0, "open O_DIRECT " + raw_path);
      for (size_t off = 0; off < total; off += kChunk) {
        const size_t n = std::min(kChunk, total - off);
        CheckSys(::pread(fd, dst.p + off, n, static_cast<off_t>(off)) == static_cast<ssize_t>(n), "pread");
      }
      ::close(fd);
      row("raw_read", "raw O_DIRECT read 4MiB (cold)", total, "", true).secs.push_back(Seconds(t0, Clock::now()));
      if (rep == 0 && std::memcmp(src.p, dst.p, total) != 0) Die("raw read returned different bytes");
    }
    // ---- raw buffered read, cold: what BundleReader's pread path gets from the kernel ----
    SyncAndDrop(raw_path);
    residency.push_back(Resident(raw_path));
    {
      const auto t0 = Clock::now();
      const int fd = ::open(raw_path.c_str(), O_RDONLY | O_CLOEXEC);
      CheckSys(fd >= 0, "open " + raw_path);
      for (size_t off = 0; off < total; off += kChunk) {
        const size_t n = std::min(kChunk, total - off);
        CheckSys(::pread(fd, dst.p + off, n, static_cast<off_t>(off)) == static_cast<ssize_t>(n), "pread");
      }
      ::close(fd);
      row("raw_read_buffered", "raw buffered read 4MiB (cold)", total, "", true)
          .secs.push_back(Seconds(t0, Clock::now()));
    }
    RemoveIfExists(raw_path);

    // ---- (c) ckpt saves (and the raw buffered write they are compared with) ----
    // Order matters on VMs where fresh memory is expensive (see "first touch"):
    // a buffered case that runs right after a file's page cache was freed gets
    // recycled pages, one that follows only O_DIRECT work gets fresh ones. So
    // the pairs compared run under the same conditions: raw buffered write and
    // direct_io=off save each follow the deletion of a fully cached 1x file;
    // raw buffered read and the cold ckpt restore each follow O_DIRECT-only work.
    const std::string keep_prefix = args.dir + "/bundle_direct";
    struct SaveCase {
      const char* id;
      const char* label;
      bool direct;
      bool unaligned_src;
    };
    auto save = [&](const SaveCase& c) {
      const std::string prefix = c.id == std::string("ckpt_save_direct") ? keep_prefix : args.dir + "/bundle_tmp";
      RemoveBundle(prefix);
      ckpt::BundleWriterOptions o;
      o.sync = true;
      o.direct_io = c.direct;
      const auto t0 = Clock::now();
      auto w = Take(ckpt::BundleWriter::Create(prefix, o), "BundleWriter::Create");
      for (size_t i = 0; i < T; ++i) {
        ckpt::TensorView v = in[i].view();
        if (c.unaligned_src) v.data = in_unaligned[i]->p + 64;
        Check(w->Add(VariableKey(i), v), "Add");
      }
      const auto t1 = Clock::now();
      Check(w->Finish(), "Finish");
      const auto t2 = Clock::now();
      row(c.id, c.label, total, c.direct ? "raw_write" : "raw_write_buffered", true).secs.push_back(Seconds(t0, t2));
      if (c.id == std::string("ckpt_save_direct")) {
        row("ckpt_save_direct_add", "  of which Create + Add x T", 0, "", false).secs.push_back(Seconds(t0, t1));
        row("ckpt_save_direct_finish", "  of which Finish (fsyncs, index)", 0, "", false)
            .secs.push_back(Seconds(t1, t2));
      }
      if (prefix != keep_prefix) RemoveBundle(prefix);
    };

    // ---- raw buffered write + fdatasync: the kernel's share of direct_io=off ----
    {
      RemoveIfExists(raw_path);
      const auto t0 = Clock::now();
      const int fd = ::open(raw_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      CheckSys(fd >= 0, "open " + raw_path);
      for (size_t off = 0; off < total; off += kChunk) {
        const size_t n = std::min(kChunk, total - off);
        CheckSys(::pwrite(fd, src.p + off, n, static_cast<off_t>(off)) == static_cast<ssize_t>(n), "pwrite");
      }
      CheckSys(::fdatasync(fd) == 0, "fdatasync");
      ::close(fd);
      row("raw_write_buffered", "raw buffered write 4MiB+fdatasync", total, "", true)
          .secs.push_back(Seconds(t0, Clock::now()));
    }
    RemoveIfExists(raw_path);

    save({"ckpt_save_buffered", "ckpt save direct_io=off", false, false});

    save({"ckpt_save_direct_unaligned", "ckpt save direct_io=on (src 4K+64: bounce)", true, true});
    save({"ckpt_save_direct", "ckpt save direct_io=on (Tensor::Make)", true, false});

    // ---- (c) ckpt restore: cold (aligned, 16 and 64 bytes past a page), then warm ----
    const std::string data_path = ckpt::DataFilename(keep_prefix, 0, 1);
    // pad: destination offset past Tensor::Make's buffer (0) or past a page (16, 64).
    auto restore = [&](size_t pad) {
      const auto t0 = Clock::now();
      auto r = Take(ckpt::BundleReader::Open(keep_prefix), "BundleReader::Open");
      for (size_t i = 0; i < T; ++i) {
        ckpt::MutableTensorView v = out[i].mutable_view();
        if (pad > 0) v.data = out_unaligned[i]->p + pad;
        Check(r->ReadInto(VariableKey(i), v), "ReadInto");
      }
      const double s = Seconds(t0, Clock::now());
      if (rep == 0) {
        for (size_t i = 0; i < T; ++i) {
          const char* got = pad > 0 ? out_unaligned[i]->p + pad : static_cast<const char*>(out[i].data());
          if (std::memcmp(got, in[i].data(), in[i].byte_size()) != 0) Die("restored tensor " + VariableKey(i) + " differs");
          std::memset(pad > 0 ? out_unaligned[i]->p + pad : static_cast<char*>(out[i].data()), 0, in[i].byte_size());
        }
      }
      return s;
    };
    for (size_t pad : {size_t{0}, size_t{16}, size_t{64}}) {
      SyncAndDrop(data_path);
      SyncAndDrop(ckpt::MetaFilename(keep_prefix));
      residency.push_back(Resident(data_path));
      const double s = restore(pad);
      if (pad == 0) {
        row("ckpt_restore", "ckpt restore ReadInto (cold)", total, "raw_read", true).secs.push_back(s);
      } else {
        row("ckpt_restore_dst" + std::to_string(pad), "ckpt restore (cold, dst 4K+" + std::to_string(pad) + ")",
            total, "raw_read", true)
            .secs.push_back(s);
      }
    }
    // Warm: bring the whole data file into the page cache, then compare.
    {
      const size_t fsize = FileSize(data_path);
      PreadvRange(data_path, dst.p, 0, std::min(fsize, total));
      if (fsize > total) Die("data file larger than the state");
      warm_residency.push_back(Resident(data_path));
      auto t0 = Clock::now();
      PreadvRange(data_path, dst.p, 0, fsize);
      row("raw_preadv_warm", "raw buffered preadv 64MiB (warm, 1 thread)", fsize, "", true)
          .secs.push_back(Seconds(t0, Clock::now()));
      t0 = Clock::now();
      const size_t half = fsize / 2 / kPage * kPage;
      std::thread other([&] { PreadvRange(data_path, dst.p, half, fsize); });
      PreadvRange(data_path, dst.p, 0, half);
      other.join();
      row("raw_preadv_warm2", "raw buffered preadv 64MiB (warm, 2 threads)", fsize, "", true)
          .secs.push_back(Seconds(t0, Clock::now()));
      row("ckpt_restore_warm", "ckpt restore ReadInto (warm cache)", total, "raw_preadv_warm", true)
          .secs.push_back(restore(0));
      row("ckpt_restore_warm_dst16", "ckpt restore (warm, dst 4K+16)", total, "raw_preadv_warm", true)
          .secs.push_back(restore(16));
      warm_residency.push_back(Resident(data_path));
    }
    RemoveBundle(keep_prefix);
  }

  // ---- (d) tiny tensors ----
  std::vector<ckpt::Tensor> tin, tout;
  double tiny_bytes = 0;
  if (args.tiny > 0) {
    tin.reserve(args.tiny);
    tout.reserve(args.tiny);
    for (size_t i = 0; i < args.tiny; ++i) {
      const int64_t n = 4 + static_cast<int64_t>(i % 13);  // 4..16 floats
      tin.push_back(Take(ckpt::Tensor::Make(ckpt::DType::kFloat, ckpt::TensorShape({n})), "Tensor::Make"));
      tout.push_back(Take(ckpt::Tensor::Make(ckpt::DType::kFloat, ckpt::TensorShape({n})), "Tensor::Make"));
      FillFloats(tin.back().flat<float>().data(), static_cast<size_t>(n), static_cast<uint32_t>(i));
      tiny_bytes += static_cast<double>(n) * 4;
    }
    std::vector<std::string> keys(args.tiny);
    for (size_t i = 0; i < args.tiny; ++i) keys[i] = VariableKey(i);
    const std::string prefix = args.dir + "/tiny";
    for (int rep = 0; rep < args.reps; ++rep) {
      RemoveBundle(prefix);
      const auto t0 = Clock::now();
      auto w = Take(ckpt::BundleWriter::Create(prefix, {}), "BundleWriter::Create");
      for (size_t i = 0; i < args.tiny; ++i) Check(w->Add(keys[i], tin[i]), "Add");
      const auto t1 = Clock::now();
      Check(w->Finish(), "Finish");
      const auto t2 = Clock::now();
      w.reset();
      row("tiny_save", "tiny save total (Create+Add+Finish)", 0, "", false).secs.push_back(Seconds(t0, t2));
      row("tiny_save_add", "  of which Add x N", 0, "", false).secs.push_back(Seconds(t0, t1));
      row("tiny_save_finish", "  of which Finish (index+fsyncs)", 0, "", false).secs.push_back(Seconds(t1, t2));

      SyncAndDrop(ckpt::DataFilename(prefix, 0, 1));
      SyncAndDrop(ckpt::MetaFilename(prefix));
      for (int warm = 0; warm < 2; ++warm) {
        const auto t3 = Clock::now();
        auto r = Take(ckpt::BundleReader::Open(prefix), "BundleReader::Open");
        const auto t4 = Clock::now();
        for (size_t i = 0; i < args.tiny; ++i) Check(r->ReadInto(keys[i], tout[i].mutable_view()), "ReadInto");
        const auto t5 = Clock::now();
        const std::string sfx = warm ? "_warm" : "";
        const std::string lsfx = warm ? " (warm)" : " (cold)";
        row("tiny_restore" + sfx, "tiny restore total" + lsfx, 0, "", false).secs.push_back(Seconds(t3, t5));
        row("tiny_restore_open" + sfx, "  of which Open (index)", 0, "", false).secs.push_back(Seconds(t3, t4));
        row("tiny_restore_read" + sfx, "  of which ReadInto x N", 0, "", false).secs.push_back(Seconds(t4, t5));
      }
      if (rep == 0) {
        for (size_t i = 0; i < args.tiny; ++i) {
          if (!tout[i].Equals(tin[i])) Die("restored tiny tensor " + keys[i] + " differs");
        }
      }
    }
    RemoveBundle(prefix);
  }

  // ---- report ----
  double max_res = 0;
  for (double r : residency) max_res = std::max(max_res, r);
  std::printf("page cache: files fdatasync'ed then posix_fadvise(DONTNEED) before each cold read; "
              "mincore residency right before cold reads: max %.1f%% -> cold reads %s\n",
              max_res < 0 ? -100.0 : 100 * max_res,
              max_res < 0 ? "(residency unknown)" : max_res < 0.01 ? "hit the disk" : "were partly cached");
  double min_warm = 1;
  for (double r : warm_residency) min_warm = std::min(min_warm, r);
  std::printf("warm reads: mincore residency of the data file min %.1f%%\n", 100 * min_warm);
  std::printf("note: where fresh memory is expensive (see 'first touch'), buffered I/O speed depends on whether "
              "page-cache pages are recycled; compared pairs run under the same conditions (see bundle_bench.cc)\n");
  std::printf("GB = 1e9 bytes. ratios: vs disk = GB/s / GB/s of the matching raw case (direct_io=on save vs "
              "raw O_DIRECT write, direct_io=off save vs raw buffered write, cold restore vs raw O_DIRECT read, warm restore vs raw buffered preadv, 1 thread); "
              "vs memcpy = GB/s / memcpy GB/s\n\n");
  const double memcpy_gbps = rows["memcpy"].gbps();
  std::printf("%-42s %9s %9s %9s %8s %8s %8s\n", "case", "median s", "min s", "max s", "GB/s", "vs disk", "vs memcpy");
  for (const std::string& id : order) {
    const Row& r = rows[id];
    const auto [mn, mx] = std::minmax_element(r.secs.begin(), r.secs.end());
    std::string gb = r.bytes > 0 ? Num(r.gbps(), "%.3f") : "-";
    std::string vd = !r.vs_disk_id.empty() ? Num(r.gbps() / rows[r.vs_disk_id].gbps(), "%.3f") : "-";
    std::string vm = r.bytes > 0 && r.vs_memcpy ? Num(r.gbps() / memcpy_gbps, "%.3f") : "-";
    std::printf("%-42s %9.4f %9.4f %9.4f %8s %8s %8s\n", r.label.c_str(), r.median(), *mn, *mx, gb.c_str(),
                vd.c_str(), vm.c_str());
  }
  if (args.tiny > 0) {
    std::printf("\ntiny tensors: %zu tensors of 4..16 float32 (%.0f bytes of data); per tensor: save %.2f us, "
                "restore (cold) %.2f us\n",
                args.tiny, tiny_bytes, rows["tiny_save"].median() / args.tiny * 1e6,
                rows["tiny_restore"].median() / args.tiny * 1e6);
  }

  std::string json = "{\"bench\":\"ckpt_bundle\",\"total_mib\":" + std::to_string(args.total_mib) +
                     ",\"total_bytes\":" + std::to_string(total) + ",\"tensors\":" + std::to_string(T) +
                     ",\"reps\":" + std::to_string(args.reps) + ",\"tiny\":" + std::to_string(args.tiny) +
                     ",\"dir\":\"" + JsonEscape(args.dir) + "\",\"fs\":\"" + FsName(args.dir) +
                     "\",\"cold_max_resident_fraction\":" + Num(max_res, "%.4f");
  for (const std::string& id : order) {
    const Row& r = rows[id];
    json += ",\"" + id + "_s\":" + Num(r.median(), "%.6f");
    if (r.bytes > 0) json += ",\"" + id + "_gbps\":" + Num(r.gbps(), "%.4f");
  }
  json += "}";
  std::printf("\nJSON %s\n", json.c_str());
  return 0;
}
