// PosixRandomAccessFile: large reads at the speed of whichever source holds
// the bytes.
//
// A restore reads each byte once. Bytes already in the page cache (a warm
// restore: evaluation right after training, a second process loading the
// same checkpoint) are copied out with buffered pread at memory speed; bytes
// that are not are read with O_DIRECT, because filling fresh page-cache pages
// only to copy them out again costs more than the disk read itself. Which is
// which is asked per 4 MiB segment with cachestat(2), or mincore() on a
// mapping of the file that is never touched (so asking causes no I/O;
// RWF_NOWAIT would start readahead into the cache for every miss).
//
// ReadWithCrc32c fuses the checksum into the copy: buffered bytes are read in
// cache-sized pieces and hashed while still in L2, bytes read with O_DIRECT
// into a bounce buffer are hashed there and copied out piecewise. Reads of 8
// MiB and more are split in two halves read on two threads (crcs combined),
// so that a warm restore uses the kernel's copy and the hash of two cores. A
// cold read is pipelined: a helper task reads 4 MiB segments back to back
// with O_DIRECT into a ring of pooled huge-page bounce buffers while the
// caller hashes and copies out (never straight into the destination, even
// where alignment would allow it: see Pipelined), and a cold read that
// follows the previous one reads the next one's first segment ahead (see
// Prefetch). Helper threads are the two of io/read_workers.h.
#include "io/posix_random_access_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <future>
#include <limits>
#include <memory>
#include <mutex>
#include <vector>

#include "base/crc32c.h"
#include "ckpt/status_macros.h"
#include "io/bounce_pool.h"
#include "io/posix_error.h"
#include "io/read_workers.h"

namespace ckpt::io {
namespace {

// O_DIRECT requires file offset, length and memory address to be multiples of
// the device's logical block size; 4096 satisfies every device we meet.
constexpr size_t kDirectAlign = 4096;
// Reads of at least this many bytes may bypass the page cache; smaller ones
// (index blocks, small tensors) are always buffered.
constexpr size_t kLargeRead = size_t{4} << 20;
// Reads of at least this many bytes are split over two threads.
constexpr size_t kSplitRead = size_t{8} << 20;
// Residency is decided, and O_DIRECT requests are issued, per segment.
constexpr size_t kSegment = size_t{4} << 20;
static_assert(kSegment <= BouncePool::kBufferSize, "a segment's O_DIRECT read fills one bounce buffer");
// Buffered bytes are read, and bounce bytes copied, in pieces this large so
// the crc pass finds them in L2.
constexpr size_t kPiece = size_t{256} << 10;
// A single read(2) moves at most this much (Linux caps reads near 2 GiB).
constexpr size_t kMaxRead = size_t{1} << 30;
constexpr uint64_t kNoRead = std::numeric_limits<uint64_t>::max();

// cachestat(2) (Linux 6.5): how many pages of a byte range are in the page
// cache, counted per folio, so asking about 1 GiB costs ~0.1 ms where mincore
// (per 4 KiB page) costs 15-60 ms, a fifth of copying it out. Declared here
// because older kernel headers lack it; the number is the same on every
// architecture.
struct CachestatRange {
  uint64_t off, len;
};
struct Cachestat {
  uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};
constexpr long kSysCachestat = 451;

Status PreadAll(int fd, char* p, size_t n, uint64_t offset, const std::string& path) {
  while (n > 0) {
    const ssize_t r = ::pread(fd, p, std::min(n, kMaxRead), static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return ErrnoToStatus(errno, "read " + path);
    }
    if (r == 0) {
      return DataLossError(path + " shrank while being read (short read at offset " + std::to_string(offset) + ")");
    }
    p += r;
    offset += static_cast<uint64_t>(r);
    n -= static_cast<size_t>(r);
  }
  return OkStatus();
}

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd, uint64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixRandomAccessFile() override {
    Discard(std::move(prefetch_));  // its read uses direct_fd_
    ::close(fd_);
    if (direct_fd_ >= 0) ::close(direct_fd_);
    if (map_ != nullptr) ::munmap(map_, static_cast<size_t>(size_));
  }

  Status Read(uint64_t offset, size_t n, void* dst) const override { return ReadImpl(offset, n, dst, nullptr); }

  Status ReadWithCrc32c(uint64_t offset, size_t n, void* dst, uint32_t* crc) const override {
    crc32c::Crc c;
    CKPT_RETURN_IF_ERROR(ReadImpl(offset, n, dst, &c));
    *crc = c.value;
    return OkStatus();
  }

  uint64_t Size() const override { return size_; }
  const std::string& path() const override { return path_; }

 private:
  Status ReadImpl(uint64_t offset, size_t n, void* dst, crc32c::Crc* crc) const {
    if (offset > size_ || n > size_ - offset) {
      return OutOfRangeError("read of bytes [" + std::to_string(offset) + ", " + std::to_string(offset + n) +
                             ") is past the end of " + path_ + " (" + std::to_string(size_) + " bytes)");
    }
    char* p = static_cast<char*>(dst);
    if (crc != nullptr) *crc = crc32c::Crc{};
    if (n < kLargeRead) return Buffered(offset, n, p, crc);
    OpenDirect();
    std::unique_ptr<Prefetch> ahead;
    bool sequential;
    {
      std::lock_guard<std::mutex> lock(prefetch_mu_);
      ahead = std::move(prefetch_);
      sequential = last_end_ == kNoRead || last_end_ == offset;
      last_end_ = offset + n;
    }
    // Bytes to fetch from the disk: a pipeline keeps the disk busy while the
    // caller hashes (and copies out).
    if (direct_fd_ >= 0 && !Cached(offset, n)) return Pipelined(offset, n, p, crc, std::move(ahead), sequential);
    Discard(std::move(ahead));
    // Cached (or no O_DIRECT here): the kernel's copy, on two cores when large.
    if (n < kSplitRead) return Buffered(offset, n, p, crc);
    const size_t first = static_cast<size_t>((offset + n / 2) / kDirectAlign * kDirectAlign - offset);
    crc32c::Crc second_crc;
    std::future<Status> second = RunOnReadWorker([&] {
      return Buffered(offset + first, n - first, p + first, crc != nullptr ? &second_crc : nullptr);
    });
    Status s = Buffered(offset, first, p, crc);
    Status s2 = second.get();
    CKPT_RETURN_IF_ERROR(s);
    CKPT_RETURN_IF_ERROR(s2);
    if (crc != nullptr) *crc = crc32c::Combine(*crc, second_crc, n - first);
    return OkStatus();
  }

  // Buffered pread, hashed piece by piece while the bytes are in cache.
  Status Buffered(uint64_t offset, size_t n, char* dst, crc32c::Crc* crc) const {
    if (crc == nullptr) return PreadAll(fd_, dst, n, offset, path_);
    for (size_t done = 0; done < n;) {
      const size_t k = std::min(kPiece, n - done);
      CKPT_RETURN_IF_ERROR(PreadAll(fd_, dst + done, k, offset + done, path_));
      *crc = crc32c::Extend(*crc, dst + done, k);
      done += k;
    }
    return OkStatus();
  }

  // True when every page of [offset, offset + n) is in the page cache (or
  // residency cannot be asked: then the kernel decides, buffered). Asks
  // cachestat(2); where the kernel lacks it or refuses (it answers only
  // callers that own or may write the file, as mincore does), mincore() on
  // the untouched mapping.
  bool Cached(uint64_t offset, size_t n) const {
    const uint64_t first = offset / kDirectAlign;
    const uint64_t last = (offset + n + kDirectAlign - 1) / kDirectAlign;
    const size_t pages = static_cast<size_t>(last - first);
    if (use_cachestat_.load(std::memory_order_relaxed)) {
      static const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
      CachestatRange range{offset / page * page, (offset + n + page - 1) / page * page - offset / page * page};
      Cachestat stat{};
      if (::syscall(kSysCachestat, fd_, &range, &stat, 0u) == 0) return stat.nr_cache >= range.len / page;
      use_cachestat_.store(false, std::memory_order_relaxed);
    }
    if (map_ == nullptr) return true;
    unsigned char small[kSegment / kDirectAlign + 2];
    std::vector<unsigned char> large;
    unsigned char* vec = small;
    if (pages > sizeof small) {
      large.resize(pages);
      vec = large.data();
    }
    if (::mincore(static_cast<char*>(map_) + first * kDirectAlign, pages * kDirectAlign, vec) != 0) return true;
    for (size_t i = 0; i < pages; ++i) {
      if ((vec[i] & 1) == 0) return false;
    }
    return true;
  }

  // The O_DIRECT read of the first segment of the read expected next, started
  // while the caller still hashes the end of the current one, so the disk does
  // not idle between tensors (a buffered reader gets the same from the
  // kernel's readahead).
  struct Prefetch {
    uint64_t at = 0;  // block-aligned range [at, at + len) of the file
    size_t len = 0;
    base::PageBuffer buf;
    std::future<Status> done;
    ~Prefetch() {
      if (done.valid()) done.wait();  // the read writes into buf
    }
  };

  // Waits for an unused read-ahead and gives its buffer back.
  static void Discard(std::unique_ptr<Prefetch> ahead) {
    if (ahead == nullptr) return;
    if (ahead->done.valid()) ahead->done.wait();
    if (ahead->buf.data() != nullptr) BouncePool::Global().Release(std::move(ahead->buf));
  }

  // Starts reading the block-aligned middle of the first segment of a large
  // read at `at` (where the current one ends), unless no large read fits
  // there or those bytes are cached.
  void StartPrefetch(uint64_t at) const {
    if (at >= size_ || size_ - at < kLargeRead) return;
    const uint64_t seg_end = std::min<uint64_t>(size_, at / kSegment * kSegment + kSegment);
    const uint64_t mid_at = (at + kDirectAlign - 1) / kDirectAlign * kDirectAlign;
    const uint64_t mid_end = seg_end / kDirectAlign * kDirectAlign;
    if (mid_end <= mid_at || Cached(mid_at, static_cast<size_t>(mid_end - mid_at))) return;
    Result<base::PageBuffer> buf = BouncePool::Global().Acquire();
    if (!buf.ok()) return;
    auto ahead = std::make_unique<Prefetch>();
    ahead->at = mid_at;
    ahead->len = static_cast<size_t>(mid_end - mid_at);
    ahead->buf = *std::move(buf);
    char* target = reinterpret_cast<char*>(ahead->buf.data());
    const size_t len = ahead->len;
    ahead->done = RunOnReadWorker([this, target, len, mid_at] { return PreadAll(direct_fd_, target, len, mid_at, path_); });
    std::unique_ptr<Prefetch> old;
    {
      std::lock_guard<std::mutex> lock(prefetch_mu_);
      old = std::move(prefetch_);
      prefetch_ = std::move(ahead);
    }
    Discard(std::move(old));
  }

  // Segment by segment: a helper task reads the block-aligned middles of the
  // uncached segments with O_DIRECT into a ring of bounce buffers while the
  // caller hashes and copies each one out. Cached segments and unaligned
  // edges are read buffered by the caller. `ahead` is the read-ahead taken
  // from the file (used if it holds the first segment's middle); when
  // `sequential` (this read starts where the previous large one ended), the
  // next read's first segment is read ahead once the last segment is read.
  Status Pipelined(uint64_t offset, size_t n, char* dst, crc32c::Crc* crc, std::unique_ptr<Prefetch> ahead,
                   bool sequential) const {
    struct Seg {
      uint64_t at;
      size_t len;
      bool cached;
      uint64_t mid_at;  // block-aligned middle [mid_at, mid_at + mid_len), O_DIRECT
      size_t mid_len;
    };
    std::vector<Seg> segs;
    for (size_t done = 0; done < n;) {
      const uint64_t at = offset + done;
      const size_t k = std::min<size_t>(n - done, kSegment - static_cast<size_t>(at % kSegment));
      const uint64_t mid_at = (at + kDirectAlign - 1) / kDirectAlign * kDirectAlign;
      const uint64_t mid_end = std::max(mid_at, (at + k) / kDirectAlign * kDirectAlign);
      segs.push_back(Seg{at, k, Cached(at, k), mid_at, static_cast<size_t>(mid_end - mid_at)});
      done += k;
    }
    const bool have_first = ahead != nullptr && !segs[0].cached && segs[0].mid_len > 0 &&
                            ahead->at == segs[0].mid_at && ahead->len == segs[0].mid_len;
    if (!have_first) Discard(std::move(ahead));
    // Every O_DIRECT read lands in a pooled huge-page bounce buffer, never in
    // dst: on virtio disks a request can carry at most max_segments (254)
    // memory segments, so a read into 4 KiB pages is cut into ~1 MiB device
    // requests while one into 2 MiB pages goes out whole; measured on the
    // 2-core VM, 1 GiB cold: 1.1-1.4 GB/s into 4 KiB pages, 2.2-3.1 GB/s into
    // huge pages, at any queue depth.
    //
    // One helper task reads the segments back to back into a ring of kRing
    // slots, waiting only for a free one, while the caller hashes and copies
    // out (5x the disk's speed, so two slots keep the disk busy). Issuing
    // every segment as its own request, two at a time, made both finish
    // together and left the disk idle while the caller copied (2.0 GB/s
    // against 3.1 raw). The slots are the two halves of one pool buffer: a
    // read holds 8 MiB plus the read-ahead's, which keeps `ckpt convert`
    // (reader and writer in one process) near one tensor's memory.
    constexpr size_t kRing = 2;
    static_assert(kRing * kSegment <= BouncePool::kBufferSize, "the ring's slots share one bounce buffer");
    CKPT_ASSIGN_OR_RETURN(base::PageBuffer ring_buf, BouncePool::Global().Acquire());
    auto slot = [&](size_t i) { return reinterpret_cast<char*>(ring_buf.data()) + (i % kRing) * kSegment; };
    auto direct = [&](size_t i) {
      return !segs[i].cached && segs[i].mid_len > 0 && !(i == 0 && have_first);
    };
    struct Ring {
      std::mutex mu;
      std::condition_variable cv;
      size_t ready = 0;     // segments [0, ready) are read (or need no read)
      size_t consumed = 0;  // the caller is done with segments [0, consumed)
      bool stop = false;    // the caller gave up: read nothing more
      Status error;         // the first failed read; ready then jumps to the end
    } ring;
    std::future<Status> reader = RunOnReadWorker([&, sequential] {
      for (size_t i = 0; i < segs.size(); ++i) {
        if (direct(i)) {
          {
            std::unique_lock<std::mutex> lock(ring.mu);
            ring.cv.wait(lock, [&] { return ring.stop || i < ring.consumed + kRing; });
            if (ring.stop) break;
          }
          Status r = PreadAll(direct_fd_, slot(i), segs[i].mid_len,
                              segs[i].mid_at, path_);
          if (!r.ok()) {
            std::lock_guard<std::mutex> lock(ring.mu);
            ring.error = std::move(r);
            ring.ready = segs.size();
            ring.cv.notify_all();
            return OkStatus();
          }
        }
        // The next read's first segment starts as soon as this read's last
        // request is done, so the disk does not wait for the caller.
        if (i + 1 == segs.size() && sequential) StartPrefetch(offset + n);
        std::lock_guard<std::mutex> lock(ring.mu);
        ring.ready = i + 1;
        ring.cv.notify_all();
      }
      return OkStatus();
    });
    Status status;
    for (size_t i = 0; i < segs.size() && status.ok(); ++i) {
      const Seg& g = segs[i];
      char* out = dst + (g.at - offset);
      if (g.cached || g.mid_len == 0) {
        status = Buffered(g.at, g.len, out, crc);
      } else {
        const size_t head = static_cast<size_t>(g.mid_at - g.at);
        status = Buffered(g.at, head, out, crc);
        const bool from_ahead = i == 0 && have_first;
        if (from_ahead) {
          Status r = ahead->done.get();
          if (status.ok()) status = std::move(r);
        } else {
          std::unique_lock<std::mutex> lock(ring.mu);
          ring.cv.wait(lock, [&] { return i < ring.ready; });
          if (status.ok() && !ring.error.ok()) status = ring.error;
        }
        const char* bounce = from_ahead ? reinterpret_cast<const char*>(ahead->buf.data()) : slot(i);
        for (size_t done = 0; status.ok() && done < g.mid_len;) {
          const size_t k = std::min(kPiece, g.mid_len - done);
          if (crc != nullptr) *crc = crc32c::Extend(*crc, bounce + done, k);
          std::memcpy(out + head + done, bounce + done, k);
          done += k;
        }
        if (status.ok()) {
          status = Buffered(g.mid_at + g.mid_len, g.len - head - g.mid_len, out + head + g.mid_len, crc);
        }
      }
      std::lock_guard<std::mutex> lock(ring.mu);
      ring.consumed = i + 1;
      ring.cv.notify_all();
    }
    {
      std::lock_guard<std::mutex> lock(ring.mu);
      ring.stop = true;
      ring.cv.notify_all();
    }
    reader.wait();  // it writes into ring_buf and signals ring
    Discard(std::move(ahead));
    BouncePool::Global().Release(std::move(ring_buf));
    return status;
  }

  // Opens the O_DIRECT descriptor and the residency mapping once; either
  // stays unset where the filesystem refuses it (then reads are buffered).
  void OpenDirect() const {
    std::call_once(direct_once_, [this] {
      direct_fd_ = ::open(path_.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
      if (direct_fd_ < 0 || size_ == 0) return;
      void* m = ::mmap(nullptr, static_cast<size_t>(size_), PROT_READ, MAP_SHARED, fd_, 0);
      if (m != MAP_FAILED) map_ = m;
    });
  }

  std::string path_;
  int fd_;
  uint64_t size_;
  mutable std::once_flag direct_once_;
  mutable int direct_fd_ = -1;
  mutable void* map_ = nullptr;  // PROT_READ mapping of the whole file, only for mincore()
  mutable std::atomic<bool> use_cachestat_{true};  // false once the kernel said no
  mutable std::mutex prefetch_mu_;  // guards the two below
  mutable std::unique_ptr<Prefetch> prefetch_;
  mutable uint64_t last_end_ = kNoRead;  // where the last large read ended
};

}  // namespace

std::unique_ptr<RandomAccessFile> NewPosixRandomAccessFile(std::string path, int fd, uint64_t size) {
  return std::make_unique<PosixRandomAccessFile>(std::move(path), fd, size);
}

}  // namespace ckpt::io
