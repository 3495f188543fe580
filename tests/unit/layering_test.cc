// Keeps the layer rule (docs/README.md) true: a folder under src/ includes only
// folders below it; siblings never include each other; tools/ and python/
// see only the public API in include/ckpt/.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

namespace {

namespace fs = std::filesystem;

// Rank of each src/ folder; a file may include folders of strictly lower rank
// (or its own folder). Equal ranks are siblings and may not include each other.
const std::map<std::string, int> kRank = {
    {"base", 0}, {"io", 1}, {"format", 2}, {"graph", 3}, {"saver", 3}, {"interop", 3},
    {"async", 4}, {"manager", 5}, {"distributed", 5}, {"api", 6}, {"mpi", 6}, {"testing", 7},
};

std::vector<std::pair<int, std::string>> Includes(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::vector<std::pair<int, std::string>> out;
  static const std::regex re(R"re(^\s*#\s*include\s*[<"]([^>"]+)[>"])re");
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::smatch m;
    if (std::regex_search(line, m, re)) out.emplace_back(n, m[1]);
  }
  return out;
}

bool IsSource(const fs::path& p) {
  const auto ext = p.extension();
  return ext == ".h" || ext == ".cc" || ext == ".cpp";
}

TEST(LayeringTest, SrcFoldersIncludeOnlyLowerLayers) {
  const fs::path src = fs::path(CKPT_SOURCE_DIR) / "src";
  int checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(src)) {
    if (!entry.is_regular_file() || !IsSource(entry.path())) continue;
    const std::string folder = fs::relative(entry.path(), src).begin()->string();
    ASSERT_TRUE(kRank.count(folder)) << "unknown layer folder src/" << folder << " (add it to kRank)";
    const bool is_test = entry.path().filename().string().find("_test.") != std::string::npos;
    for (const auto& [line, inc] : Includes(entry.path())) {
      const auto slash = inc.find('/');
      if (slash == std::string::npos) continue;
      const std::string target = inc.substr(0, slash);
      if (target == "ckpt" || target == folder || !kRank.count(target)) continue;
      if (is_test && target == "testing") continue;  // tests may use test helpers
      ++checked;
      EXPECT_LT(kRank.at(target), kRank.at(folder))
          << entry.path() << ":" << line << " includes \"" << inc << "\": src/" << folder
          << " may not depend on src/" << target;
    }
  }
  EXPECT_GT(checked, 0);
}

TEST(LayeringTest, ToolsAndPythonUseOnlyThePublicApi) {
  int checked = 0;
  for (const char* dir : {"tools", "python", "examples"}) {
    const fs::path root = fs::path(CKPT_SOURCE_DIR) / dir;
    if (!fs::exists(root)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || !IsSource(entry.path())) continue;
      for (const auto& [line, inc] : Includes(entry.path())) {
        const auto slash = inc.find('/');
        if (slash == std::string::npos) continue;  // the folder's own local headers
        ++checked;
        const std::string target = inc.substr(0, slash);
        EXPECT_FALSE(kRank.count(target)) << entry.path() << ":" << line << " includes internal header \"" << inc
                                          << "\"; use include/ckpt/ only";
      }
    }
  }
  EXPECT_GT(checked, 0);
}

// MPI is optional (ckpt::mpi): only src/mpi/, its public header ckpt/mpi.h
// and the mpirun test driver may include <mpi.h>; the core library, the
// umbrella header, the CLI and the Python extension never see it.
TEST(LayeringTest, OnlyTheMpiLayerIncludesMpiH) {
  const fs::path root(CKPT_SOURCE_DIR);
  int mpi_includes = 0;
  for (const char* dir : {"src", "include", "tools", "python", "examples", "tests/unit", "bench"}) {
    if (!fs::exists(root / dir)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      if (!entry.is_regular_file() || !IsSource(entry.path())) continue;
      const std::string rel = fs::relative(entry.path(), root).generic_string();
      const bool allowed = rel.rfind("src/mpi/", 0) == 0 || rel == "include/ckpt/mpi.h";
      for (const auto& [line, inc] : Includes(entry.path())) {
        if (inc != "mpi.h" && inc != "ckpt/mpi.h") continue;
        ++mpi_includes;
        EXPECT_TRUE(allowed) << rel << ":" << line << " includes " << inc
                             << ": only src/mpi/ (the optional ckpt::mpi layer) may depend on MPI";
      }
    }
  }
  EXPECT_GE(mpi_includes, 2);  // ckpt/mpi.h includes mpi.h, src/mpi includes ckpt/mpi.h
}

}  // namespace
