// The model keeps two views. The live view is `base` itself plus maps from
// live paths to inode / directory ids. The durable view is, per directory we
// have touched ("adopted"), the name -> entry map as of its last SyncDir, plus
// per inode the length of its synced prefix. Untouched directories are
// durable as they stand, so adoption is lazy: a directory's listing is read
// from `base` the first time something inside it changes. SimulateCrash()
// walks the durable view from each adopted directory whose parent is
// untouched and makes `base` match it.
#include "testing/fault_injection_file_system.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <string_view>

#include "ckpt/status_macros.h"

namespace ckpt::test {
namespace {

using InodeId = uint64_t;
using DirId = uint64_t;

// A durable directory entry: a file (inode) or a subdirectory.
struct Entry {
  bool is_dir = false;
  uint64_t id = 0;
  friend bool operator==(const Entry&, const Entry&) = default;
};

struct Inode {
  std::string live_path;    // empty once no live name refers to it
  uint64_t synced = 0;      // length of the durable prefix
  uint64_t generation = 0;  // bumped when NewWritableFile truncates the file
  int durable_refs = 0;     // durable entries naming it
  std::string saved;        // its durable bytes, kept once unlinked while durable_refs > 0
};

struct DirNode {
  bool live = true;
  bool adopted = false;                   // `durable` is known
  std::map<std::string, Entry> durable;   // as of the last SyncDir
};

std::string ParentOf(const std::string& path) {
  std::string p(Dirname(path));
  return p.empty() ? "." : p;
}

std::string ChildPath(const std::string& dir, const std::string& name) {
  return dir == "." ? name : JoinPath(dir, name);
}

std::string NormalizeDir(std::string d) {
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  return d.empty() ? "." : d;
}

}  // namespace

class FaultInjectionFileSystem::Impl {
 public:
  explicit Impl(FileSystem* b) : base(b) {}

  FileSystem* base;
  std::unique_ptr<FileSystem> owned;

  mutable std::mutex mu;
  // Failure injection (absolute call numbers; 0 = none).
  uint64_t calls = 0;
  uint64_t fail_at = 0;
  StatusCode fail_code = StatusCode::kOk;
  uint64_t crash_at = 0;
  bool power_cut = false;

  // The model.
  uint64_t next_id = 1;
  std::map<InodeId, Inode> inodes;
  std::map<DirId, DirNode> dirs;
  std::map<std::string, InodeId> live_files;
  std::map<std::string, DirId> live_dirs;
  std::set<File*> open_files;
  std::set<Lock*> held_locks;

  // Counts one mutating call and decides whether an injected fault fails it.
  Status BeginMutation(std::string_view op, const std::string& path);

  // Live node for directory `path` (created on first sight).
  DirNode& DirFor(const std::string& path, DirId* id_out = nullptr);
  // Inode of the live file `path`; a file not seen before counts as fully durable.
  InodeId FileFor(const std::string& path);
  // Reads the durable listing of `dir` from `base` if not yet known. False if
  // `dir` is not a directory (the caller's operation will then fail in `base`).
  bool Adopt(const std::string& dir);
  void Acquire(const Entry& e);
  void Release(const Entry& e);
  // The first `n` bytes of `path` in `base`.
  Result<std::string> ReadPrefix(const std::string& path, uint64_t n);
  // Bytes to keep for `path`'s inode if unlinking it now, when a durable entry still names it.
  Result<std::string> BytesToKeep(const std::string& path, InodeId* id, bool* found);
  void Unlink(InodeId id, std::string bytes);

  // SimulateCrash's helpers.
  Status Collect(const std::string& path, const DirNode& node, std::map<InodeId, std::string>* contents);
  Status Reconcile(const std::string& path, const DirNode& node, const std::map<InodeId, std::string>& contents);
  Status RemoveAll(const std::string& path);
  Status WriteWhole(const std::string& path, const std::string& bytes);
};

// Forwards to a `base` file; tells the model what was synced.
class FaultInjectionFileSystem::File final : public WritableFile {
 public:
  File(std::shared_ptr<FaultInjectionFileSystem::Impl> fs, std::string path, InodeId inode, uint64_t generation,
       std::unique_ptr<WritableFile> base)
      : fs_(std::move(fs)), path_(std::move(path)), inode_(inode), generation_(generation), base_(std::move(base)) {}

  ~File() override {
    std::lock_guard<std::mutex> l(fs_->mu);
    fs_->open_files.erase(this);
    // base_'s own destructor performs the implicit (uncounted) close.
  }

  Status Append(const void* data, size_t n) override {
    CKPT_RETURN_IF_ERROR(Begin("Append"));
    return base_->Append(data, n);
  }

  Status Sync() override {
    CKPT_RETURN_IF_ERROR(Begin("Sync"));
    CKPT_RETURN_IF_ERROR(base_->Sync());
    const uint64_t size = base_->Size();
    std::lock_guard<std::mutex> l(fs_->mu);
    auto it = fs_->inodes.find(inode_);
    if (it != fs_->inodes.end() && it->second.generation == generation_ && !it->second.live_path.empty()) {
      it->second.synced = size;
    }
    return OkStatus();
  }

  Status Close() override {
    CKPT_RETURN_IF_ERROR(Begin("Close"));
    return base_->Close();
  }

  uint64_t Size() const override { return base_ ? base_->Size() : size_at_crash_; }

  // Power off: flush and drop the base handle; later calls fail. Requires fs_->mu.
  void Detach() {
    base_->Close().IgnoreError();
    size_at_crash_ = base_->Size();
    base_.reset();
  }

 private:
  Status Begin(std::string_view op) {
    std::lock_guard<std::mutex> l(fs_->mu);
    CKPT_RETURN_IF_ERROR(fs_->BeginMutation(op, path_));
    if (!base_) return FailedPreconditionError(std::string(op) + " " + path_ + ": file was opened before a simulated crash");
    return OkStatus();
  }

  std::shared_ptr<FaultInjectionFileSystem::Impl> fs_;
  std::string path_;
  InodeId inode_;
  uint64_t generation_;
  std::unique_ptr<WritableFile> base_;
  uint64_t size_at_crash_ = 0;
};

// Holds `base`'s lock until destroyed or until a simulated crash ends it.
class FaultInjectionFileSystem::Lock final : public FileLock {
 public:
  Lock(std::shared_ptr<FaultInjectionFileSystem::Impl> fs, std::unique_ptr<FileLock> base)
      : fs_(std::move(fs)), base_(std::move(base)) {}

  ~Lock() override {
    std::lock_guard<std::mutex> l(fs_->mu);
    fs_->held_locks.erase(this);
    base_.reset();
  }

  // Power off: the process holding the lock is gone. Requires fs_->mu.
  void Release() { base_.reset(); }

 private:
  std::shared_ptr<FaultInjectionFileSystem::Impl> fs_;
  std::unique_ptr<FileLock> base_;
};

Status FaultInjectionFileSystem::Impl::BeginMutation(std::string_view op, const std::string& path) {
  ++calls;
  const std::string what = std::string(op) + " " + path + " (mutating call #" + std::to_string(calls) + ")";
  if (power_cut) return UnavailableError("simulated power loss: " + what);
  if (crash_at != 0 && calls >= crash_at) {
    crash_at = 0;
    power_cut = true;
    return UnavailableError("simulated power loss: " + what);
  }
  if (fail_at != 0 && calls == fail_at) {
    fail_at = 0;
    return Status(fail_code, "injected fault: " + what);
  }
  return OkStatus();
}

DirNode& FaultInjectionFileSystem::Impl::DirFor(const std::string& path, DirId* id_out) {
  auto it = live_dirs.find(path);
  if (it == live_dirs.end()) it = live_dirs.emplace(path, next_id++).first;
  if (id_out) *id_out = it->second;
  return dirs[it->second];
}

InodeId FaultInjectionFileSystem::Impl::FileFor(const std::string& path) {
  auto it = live_files.find(path);
  if (it != live_files.end()) return it->second;
  const InodeId id = next_id++;
  Inode& inode = inodes[id];
  inode.live_path = path;
  auto size = base->GetFileSize(path);
  inode.synced = size.ok() ? *size : 0;
  live_files[path] = id;
  return id;
}

bool FaultInjectionFileSystem::Impl::Adopt(const std::string& dir) {
  auto known = live_dirs.find(dir);
  if (known != live_dirs.end() && dirs[known->second].adopted) return true;
  if (!base->IsDirectory(dir)) return false;
  auto names = base->GetChildren(dir);
  if (!names.ok()) return false;
  std::map<std::string, Entry> durable;
  for (const std::string& name : *names) {
    const std::string p = ChildPath(dir, name);
    Entry e;
    if (base->IsDirectory(p)) {
      e.is_dir = true;
      DirFor(p, &e.id);
    } else {
      e.id = FileFor(p);
    }
    Acquire(e);
    durable[name] = e;
  }
  DirNode& node = DirFor(dir);
  node.durable = std::move(durable);
  node.adopted = true;
  return true;
}

void FaultInjectionFileSystem::Impl::Acquire(const Entry& e) {
  if (!e.is_dir) ++inodes[e.id].durable_refs;
}

void FaultInjectionFileSystem::Impl::Release(const Entry& e) {
  if (!e.is_dir) {
    Inode& inode = inodes[e.id];
    if (--inode.durable_refs == 0 && inode.live_path.empty()) inodes.erase(e.id);
    return;
  }
  auto it = dirs.find(e.id);
  if (it == dirs.end() || it->second.live) return;
  // A deleted directory whose deletion is now durable: its durable entries go with it.
  const std::map<std::string, Entry> entries = std::move(it->second.durable);
  dirs.erase(it);
  for (const auto& [name, child] : entries) Release(child);
}

Result<std::string> FaultInjectionFileSystem::Impl::ReadPrefix(const std::string& path, uint64_t n) {
  CKPT_ASSIGN_OR_RETURN(auto file, base->NewRandomAccessFile(path));
  std::string out(std::min(n, file->Size()), '\0');
  CKPT_RETURN_IF_ERROR(file->Read(0, out.size(), out.data()));
  return out;
}

Result<std::string> FaultInjectionFileSystem::Impl::BytesToKeep(const std::string& path, InodeId* id, bool* found) {
  auto it = live_files.find(path);
  *found = it != live_files.end();
  if (!*found) return std::string();
  *id = it->second;
  const Inode& inode = inodes[*id];
  if (inode.durable_refs == 0) return std::string();
  return ReadPrefix(path, inode.synced);
}

void FaultInjectionFileSystem::Impl::Unlink(InodeId id, std::string bytes) {
  Inode& inode = inodes[id];
  inode.live_path.clear();
  if (inode.durable_refs == 0) {
    inodes.erase(id);
  } else {
    inode.saved = std::move(bytes);
  }
}

Status FaultInjectionFileSystem::Impl::Collect(const std::string& path, const DirNode& node,
                                               std::map<InodeId, std::string>* contents) {
  for (const auto& [name, e] : node.durable) {
    const std::string p = ChildPath(path, name);
    if (e.is_dir) {
      const DirNode& child = dirs.at(e.id);
      if (child.adopted) CKPT_RETURN_IF_ERROR(Collect(p, child, contents));
      continue;
    }
    if (contents->count(e.id)) continue;
    const Inode& inode = inodes.at(e.id);
    if (inode.live_path.empty()) {
      (*contents)[e.id] = inode.saved;
      continue;
    }
    if (inode.live_path == p) {
      auto size = base->GetFileSize(p);
      if (size.ok() && *size == inode.synced) continue;  // already exactly durable
    }
    CKPT_ASSIGN_OR_RETURN((*contents)[e.id], ReadPrefix(inode.live_path, inode.synced));
  }
  return OkStatus();
}

Status FaultInjectionFileSystem::Impl::Reconcile(const std::string& path, const DirNode& node,
                                                 const std::map<InodeId, std::string>& contents) {
  CKPT_ASSIGN_OR_RETURN(auto names, base->GetChildren(path));
  for (const std::string& name : names) {
    if (!node.durable.count(name)) CKPT_RETURN_IF_ERROR(RemoveAll(ChildPath(path, name)));
  }
  for (const auto& [name, e] : node.durable) {
    const std::string p = ChildPath(path, name);
    const bool exists = base->FileExists(p).ok();
    const bool is_dir = exists && base->IsDirectory(p);
    if (!e.is_dir) {
      auto c = contents.find(e.id);
      if (c == contents.end()) {
        // Collect() found the file already in place.
        if (exists && !is_dir) continue;
        return InternalError("fault injection model lost the contents of " + p);
      }
      if (is_dir) CKPT_RETURN_IF_ERROR(RemoveAll(p));
      CKPT_RETURN_IF_ERROR(WriteWhole(p, c->second));
      continue;
    }
    auto live = live_dirs.find(p);
    const bool same_dir = is_dir && live != live_dirs.end() && live->second == e.id;
    if (!same_dir) {
      if (exists) CKPT_RETURN_IF_ERROR(RemoveAll(p));
      CKPT_RETURN_IF_ERROR(base->CreateDir(p));
    }
    const DirNode& child = dirs.at(e.id);
    if (child.adopted) CKPT_RETURN_IF_ERROR(Reconcile(p, child, contents));
  }
  return OkStatus();
}

Status FaultInjectionFileSystem::Impl::RemoveAll(const std::string& path) {
  if (!base->IsDirectory(path)) return base->DeleteFile(path);
  CKPT_ASSIGN_OR_RETURN(auto names, base->GetChildren(path));
  for (const std::string& name : names) CKPT_RETURN_IF_ERROR(RemoveAll(ChildPath(path, name)));
  return base->DeleteDir(path);
}

Status FaultInjectionFileSystem::Impl::WriteWhole(const std::string& path, const std::string& bytes) {
  CKPT_ASSIGN_OR_RETURN(auto file, base->NewWritableFile(path));
  CKPT_RETURN_IF_ERROR(file->Append(bytes));
  return file->Close();
}

// ---------------------------------------------------------------------------

FaultInjectionFileSystem::FaultInjectionFileSystem(FileSystem* base)
    : ForwardingFileSystem(base), impl_(std::make_shared<Impl>(base)) {}

FaultInjectionFileSystem::FaultInjectionFileSystem(std::unique_ptr<FileSystem> base)
    : ForwardingFileSystem(base.get()), impl_(std::make_shared<Impl>(base.get())) {
  impl_->owned = std::move(base);
}

FaultInjectionFileSystem::~FaultInjectionFileSystem() = default;

FileSystem* FaultInjectionFileSystem::base() const { return impl_->base; }

void FaultInjectionFileSystem::FailAfter(uint64_t n, StatusCode code) {
  std::lock_guard<std::mutex> l(impl_->mu);
  impl_->fail_at = code == StatusCode::kOk ? 0 : impl_->calls + std::max<uint64_t>(n, 1);
  impl_->fail_code = code;
}

void FaultInjectionFileSystem::CrashAfter(uint64_t n) {
  std::lock_guard<std::mutex> l(impl_->mu);
  impl_->crash_at = impl_->calls + std::max<uint64_t>(n, 1);
}

void FaultInjectionFileSystem::ClearFaults() {
  std::lock_guard<std::mutex> l(impl_->mu);
  impl_->fail_at = 0;
  impl_->crash_at = 0;
}

bool FaultInjectionFileSystem::power_cut() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->power_cut;
}

uint64_t FaultInjectionFileSystem::mutating_calls() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->calls;
}

Status FaultInjectionFileSystem::SimulateCrash() {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> l(m.mu);
  for (File* f : m.open_files) f->Detach();
  m.open_files.clear();
  for (Lock* lock : m.held_locks) lock->Release();
  m.held_locks.clear();

  // Roots: adopted live directories whose parent is untouched (so their own
  // existence is durable as it stands).
  std::vector<std::pair<std::string, DirId>> roots;
  for (const auto& [path, id] : m.live_dirs) {
    if (!m.dirs[id].adopted) continue;
    const std::string parent = ParentOf(path);
    auto p = m.live_dirs.find(parent);
    if (parent == path || p == m.live_dirs.end() || !m.dirs[p->second].adopted) roots.emplace_back(path, id);
  }
  // Read every durable content that has to move before anything is rewritten.
  std::map<InodeId, std::string> contents;
  for (const auto& [path, id] : roots) CKPT_RETURN_IF_ERROR(m.Collect(path, m.dirs.at(id), &contents));
  for (const auto& [path, id] : roots) {
    if (m.base->IsDirectory(path)) CKPT_RETURN_IF_ERROR(m.Reconcile(path, m.dirs.at(id), contents));
  }

  m.inodes.clear();
  m.dirs.clear();
  m.live_files.clear();
  m.live_dirs.clear();
  m.power_cut = false;
  m.fail_at = 0;
  m.crash_at = 0;
  return OkStatus();
}

Result<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::NewWritableFile(const std::string& path,
                                                                                const WritableFileOptions& options) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> l(m.mu);
  CKPT_RETURN_IF_ERROR(m.BeginMutation("NewWritableFile", path));
  m.Adopt(ParentOf(path));
  CKPT_ASSIGN_OR_RETURN(auto file, m.base->NewWritableFile(path, options));
  InodeId id;
  auto it = m.live_files.find(path);
  if (it != m.live_files.end()) {
    id = it->second;
    ++m.inodes[id].generation;
    m.inodes[id].synced = 0;  // truncation is durable at once
  } else {
    id = m.next_id++;
    m.inodes[id].live_path = path;
    m.live_files[path] = id;
  }
  auto out = std::make_unique<File>(impl_, path, id, m.inodes[id].generation, std::move(file));
  m.open_files.insert(out.get());
  return std::unique_ptr<WritableFile>(std::move(out));
}

Result<std::unique_ptr<FileLock>> FaultInjectionFileSystem::LockFile(const std::string& path) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> l(m.mu);
  CKPT_RETURN_IF_ERROR(m.BeginMutation("LockFile", path));
  m.Adopt(ParentOf(path));
  const bool existed = m.base->FileExists(path).ok();
  CKPT_ASSIGN_OR_RETURN(auto base_lock, m.base->LockFile(path));
  if (!existed && m.base->FileExists(path).ok() && !m.base->IsDirectory(path)) {
    // `base` created the lock file: new and empty, its name not yet durable.
    const InodeId id = m.next_id++;
    m.inodes[id].live_path = path;
    m.live_files[path] = id;
  }
  auto out = std::make_unique<Lock>(impl_, std::move(base_lock));
  m.held_locks.insert(out.get());
  return std::unique_ptr<FileLock>(std::move(out));
}

Status FaultInjectionFileSystem::RenameFile(const std::string& from, const std::string& to) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> l(m.mu);
  CKPT_RETURN_IF_ERROR(m.BeginMutation("RenameFile", from));
  if (m.base->IsDirectory(from)) {
    return UnimplementedError("rename " + from + " to " + to + ": FaultInjectionFileSystem does not model directory renames");
  }
  if (m.base->IsDirectory(to) && m.base->FileExists(from).ok()) {
    return FailedPreconditionError("rename " + from + " to " + to + ": Is a directory");
  }
  if (from == to) return m.base->RenameFile(from, to);
  m.Adopt(ParentOf(from));
  m.Adopt(ParentOf(to));
  const bool from_known = m.live_files.count(from) > 0;
  const InodeId moved = from_known ? m.live_files[from] : 0;
  InodeId victim = 0;
  bool replaces = false;
  CKPT_ASSIGN_OR_RETURN(std::string victim_bytes, m.BytesToKeep(to, &victim, &replaces));
  CKPT_RETURN_IF_ERROR(m.base->RenameFile(from, to));
  if (replaces) {
    m.live_files.erase(to);
    m.Unlink(victim, std::move(victim_bytes));
  }
  if (from_known) {
    m.live_files.erase(from);
    m.live_files[to] = moved;
    m.inodes[moved].live_path = to;
  } else {
    m.FileFor(to);  // came from a directory the model could not list: treat as durable
  }
  return OkStatus();
}

Status FaultInjectionFileSystem::DeleteFile(const std::string& path) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> l(m.mu);
  CKPT_RETURN_IF_ERROR(m.BeginMutation("DeleteFile", path));
  m.Adopt(ParentOf(path));
  InodeId victim = 0;
  bool found = false;
  CKPT_ASSIGN_OR_RETURN(std::string bytes, m.BytesToKeep(path, &victim, &found));
  CKPT_RETURN_IF_ERROR(m.base->DeleteFile(path));
  if (found) {
    m.live_files.erase(path);
    m.Unlink(victim, std::move(bytes));
  }
  return OkStatus();
}

Status FaultInjectionFileSystem::CreateDir(const std::string& path) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> l(m.mu);
  CKPT_RETURN_IF_ERROR(m.BeginMutation("CreateDir", path));
  m.Adopt(ParentOf(path));
  CKPT_RETURN_IF_ERROR(m.base->CreateDir(path));
  // A new directory: nothing in it is durable yet.
  const DirId id = m.next_id++;
  m.live_dirs[path] = id;
  m.dirs[id].adopted = true;
  return OkStatus();
}

Status FaultInjectionFileSystem::DeleteDir(const std::string& path) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> l(m.mu);
  CKPT_RETURN_IF_ERROR(m.BeginMutation("DeleteDir", path));
  m.Adopt(ParentOf(path));
  CKPT_RETURN_IF_ERROR(m.base->DeleteDir(path));
  auto it = m.live_dirs.find(path);
  if (it != m.live_dirs.end()) {
    // Kept (with its durable entries) while its parent's durable listing names it.
    m.dirs[it->second].live = false;
    m.live_dirs.erase(it);
  }
  return OkStatus();
}

Status FaultInjectionFileSystem::SyncDir(const std::string& dir) {
  Impl& m = *impl_;
  const std::string d = NormalizeDir(dir);
  std::lock_guard<std::mutex> l(m.mu);
  CKPT_RETURN_IF_ERROR(m.BeginMutation("SyncDir", d));
  if (!m.base->IsDirectory(d)) {
    if (m.base->FileExists(d).ok()) return FailedPreconditionError("sync directory " + d + ": Not a directory");
    return NotFoundError("sync directory " + d + ": No such file or directory");
  }
  CKPT_RETURN_IF_ERROR(m.base->SyncDir(d));
  auto live = m.live_dirs.find(d);
  if (live == m.live_dirs.end() || !m.dirs[live->second].adopted) return OkStatus();  // untouched: durable already
  CKPT_ASSIGN_OR_RETURN(auto names, m.base->GetChildren(d));
  std::map<std::string, Entry> now;
  for (const std::string& name : names) {
    const std::string p = ChildPath(d, name);
    Entry e;
    if (m.base->IsDirectory(p)) {
      e.is_dir = true;
      m.DirFor(p, &e.id);
    } else {
      e.id = m.FileFor(p);
    }
    now[name] = e;
  }
  DirNode& node = m.dirs[live->second];
  std::map<std::string, Entry> before = std::move(node.durable);
  for (const auto& [name, e] : now) {
    auto b = before.find(name);
    if (b == before.end() || !(b->second == e)) m.Acquire(e);
  }
  for (const auto& [name, e] : before) {
    auto n = now.find(name);
    if (n == now.end() || !(n->second == e)) m.Release(e);
  }
  node.durable = std::move(now);
  return OkStatus();
}

}  // namespace ckpt::test
