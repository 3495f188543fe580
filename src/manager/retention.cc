#include "manager/retention.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "ckpt/file_system.h"

namespace ckpt::manager {

Recovery Recover(const std::optional<CheckpointState>& state, double now) {
  Recovery r;
  if (!state) {
    r.state.last_preserved_timestamp = now - 1.0;
    return r;
  }
  r.state.latest = state->model_checkpoint_path;
  double last = state->last_preserved_timestamp;
  if (now < last) {
    r.clock_behind_by = last - now;
    last = now;
  }
  r.state.last_preserved_timestamp = last;
  const auto& paths = state->all_model_checkpoint_paths;
  std::vector<double> stamps = state->all_model_checkpoint_timestamps;
  if (stamps.empty()) stamps.assign(paths.size(), last);
  const size_t n = std::min(paths.size(), stamps.size());
  for (size_t i = 0; i < n; ++i) {
    const double ts = std::min(stamps[i], now);
    if (ts > last) {
      // Duplicate paths keep their first position with the later timestamp,
      // as an ordered dict assignment does.
      auto it = std::find_if(r.state.active.begin(), r.state.active.end(),
                             [&](const TimedCheckpoint& c) { return c.path == paths[i]; });
      if (it != r.state.active.end()) {
        it->timestamp = ts;
      } else {
        r.state.active.push_back(TimedCheckpoint{paths[i], ts});
      }
    }
  }
  return r;
}

void RecordCheckpoint(ManagerState& state, std::string path, double timestamp) {
  std::erase_if(state.active, [&](const TimedCheckpoint& c) { return c.path == path; });
  state.latest = path;
  state.active.push_back(TimedCheckpoint{std::move(path), timestamp});
}

SweepResult Sweep(ManagerState& state, const RetentionPolicy& policy) {
  SweepResult out;
  if (!policy.max_to_keep) return out;
  const size_t keep = static_cast<size_t>(std::max(0, *policy.max_to_keep));
  while (state.active.size() > keep) {
    TimedCheckpoint oldest = std::move(state.active.front());
    state.active.erase(state.active.begin());
    // 0 hours never preserves: TF tests the value's truthiness (CM-19).
    if (policy.keep_checkpoint_every_n_hours && *policy.keep_checkpoint_every_n_hours != 0.0 &&
        oldest.timestamp - *policy.keep_checkpoint_every_n_hours * 3600.0 >= state.last_preserved_timestamp) {
      state.last_preserved_timestamp = oldest.timestamp;
      out.preserved.push_back(std::move(oldest.path));
    } else {
      out.deleted.push_back(std::move(oldest.path));
    }
  }
  return out;
}

bool SkipForInterval(std::optional<int64_t> last_step, int64_t step, int64_t interval, bool check_interval) {
  if (!last_step) return false;
  if (step == *last_step) return true;
  return check_interval && step < *last_step + interval;
}

namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// "<name>-<digits>" with a non-empty name.
bool LooksLikeCheckpointName(std::string_view base) {
  const size_t dash = base.rfind('-');
  return dash != std::string_view::npos && dash > 0 && AllDigits(base.substr(dash + 1));
}

// ".data-NNNNN-of-NNNNN"
bool IsDataSuffix(std::string_view s) {
  constexpr std::string_view kData = ".data-";
  if (s.size() != kData.size() + 5 + 4 + 5 || s.substr(0, kData.size()) != kData) return false;
  s.remove_prefix(kData.size());
  return AllDigits(s.substr(0, 5)) && s.substr(5, 4) == "-of-" && AllDigits(s.substr(9, 5));
}

bool AllHex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

// "<name>-<digits>" exactly, for the given name.
bool IsNumbered(std::string_view base, std::string_view name) {
  return base.size() > name.size() + 1 && base.substr(0, name.size()) == name && base[name.size()] == '-' &&
         AllDigits(base.substr(name.size() + 1));
}

// `file` is `<name>-<digits>` + ".index" or a data suffix; sets *base to the `<name>-<digits>` part.
bool IsCheckpointFile(std::string_view file, std::string_view name, std::string_view* base, bool* is_data) {
  constexpr std::string_view kIndex = ".index";
  const size_t dot = file.find('.', name.size());
  if (dot == std::string_view::npos || !IsNumbered(file.substr(0, dot), name)) return false;
  const std::string_view suffix = file.substr(dot);
  *base = file.substr(0, dot);
  *is_data = IsDataSuffix(suffix);
  return *is_data || suffix == kIndex;
}

// "<published>.tmp<hex>" or "<published>.tempstate<digits>": sets *published.
bool IsTempOf(std::string_view file, std::string_view* published) {
  for (std::string_view tag : {std::string_view(".tmp"), std::string_view(".tempstate")}) {
    const size_t at = file.rfind(tag);
    if (at == std::string_view::npos || at == 0) continue;
    const std::string_view rest = file.substr(at + tag.size());
    if (tag == ".tmp" ? AllHex(rest) : AllDigits(rest)) {
      *published = file.substr(0, at);
      return true;
    }
  }
  return false;
}

std::string Normal(std::string_view p) {
  std::string s = std::filesystem::path(std::string(p.empty() ? "." : p)).lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

bool IsConfinedCheckpoint(std::string_view dir, std::string_view prefix) {
  const std::string_view base = Basename(prefix);
  return !base.empty() && LooksLikeCheckpointName(base) && Normal(Dirname(prefix)) == Normal(dir);
}

std::vector<std::string> DeletableFiles(std::string_view dir, std::string_view prefix,
                                        const std::vector<std::string>& children) {
  std::vector<std::string> out;
  if (!IsConfinedCheckpoint(dir, prefix)) return out;
  const std::string_view base = Basename(prefix);
  const std::string index = std::string(base) + ".index";
  if (std::find(children.begin(), children.end(), index) != children.end()) out.push_back(index);
  std::vector<std::string> data;
  for (const std::string& c : children) {
    if (c.size() > base.size() && c.compare(0, base.size(), base) == 0 &&
        IsDataSuffix(std::string_view(c).substr(base.size()))) {
      data.push_back(c);
    }
  }
  std::sort(data.begin(), data.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::vector<std::string> Litter(std::string_view checkpoint_name, std::string_view state_filename,
                                const std::vector<std::string>& children) {
  std::vector<std::string> out;
  if (checkpoint_name.empty()) return out;
  std::vector<std::string_view> indexed;  // `<name>-<digits>` with an index
  for (const std::string& c : children) {
    std::string_view base;
    bool is_data = false;
    if (IsCheckpointFile(c, checkpoint_name, &base, &is_data) && !is_data) indexed.push_back(base);
  }
  std::sort(indexed.begin(), indexed.end());
  for (const std::string& c : children) {
    std::string_view published, base;
    bool is_data = false;
    if (IsTempOf(c, &published)) {
      if (published == state_filename || IsCheckpointFile(published, checkpoint_name, &base, &is_data)) {
        out.push_back(c);
      }
    } else if (IsCheckpointFile(c, checkpoint_name, &base, &is_data) && is_data &&
               !std::binary_search(indexed.begin(), indexed.end(), base)) {
      out.push_back(c);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> DistributedTempDirs(std::string_view checkpoint_name,
                                             const std::vector<std::string>& children) {
  std::vector<std::string> out;
  if (checkpoint_name.empty()) return out;
  constexpr std::string_view kTemp = "_temp";
  for (const std::string& c : children) {
    std::string_view v(c);
    if (v.size() <= kTemp.size() || v.substr(v.size() - kTemp.size()) != kTemp) continue;
    v.remove_suffix(kTemp.size());
    if (v.size() > checkpoint_name.size() + 1 && v.substr(0, checkpoint_name.size()) == checkpoint_name &&
        v[checkpoint_name.size()] == '-' && AllDigits(v.substr(checkpoint_name.size() + 1))) {
      out.push_back(c);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool IsDistributedPartFile(std::string_view name) {
  // part-RRRRR-of-NNNNN (distributed/distributed_save.h), then its bundle
  // suffix and maybe a temporary suffix.
  constexpr std::string_view kPart = "part-";
  if (name.size() < kPart.size() + 5 + 4 + 5 || name.substr(0, kPart.size()) != kPart) return false;
  name.remove_prefix(kPart.size());
  if (!AllDigits(name.substr(0, 5)) || name.substr(5, 4) != "-of-" || !AllDigits(name.substr(9, 5))) return false;
  name.remove_prefix(14);
  return name.substr(0, 6) == ".index" || name.substr(0, 6) == ".data-";
}

}  // namespace ckpt::manager
