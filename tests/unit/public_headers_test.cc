// The public surface as a user meets it: ckpt/ckpt.h includes every header of
// include/ckpt/ (and compiles on its own: it is this file's first include),
// library-made objects have no public constructor from internals, and the
// version constants agree with the build and the Python package.
#include "ckpt/ckpt.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>

namespace {

// Objects the library makes cannot be made by users: their constructors
// from library internals are private.
static_assert(!std::is_constructible_v<ckpt::LoadStatus, std::shared_ptr<ckpt::internal::RestoreSession>>);
static_assert(!std::is_default_constructible_v<ckpt::LoadStatus>);

namespace fs = std::filesystem;

std::string ReadSource(const std::string& relative) {
  std::ifstream in(fs::path(CKPT_SOURCE_DIR) / relative);
  EXPECT_TRUE(in.good()) << "cannot read " << relative;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The first capture group of `re` in the file, "" when absent.
std::string Find(const std::string& relative, const std::string& re) {
  std::smatch m;
  const std::string text = ReadSource(relative);
  if (!std::regex_search(text, m, std::regex(re))) return "";
  return m[1];
}

// Headers of optional components, left out of the umbrella so that including
// ckpt/ckpt.h never needs a dependency the core does not have: ckpt/mpi.h
// (target ckpt::mpi) includes <mpi.h>.
const std::set<std::string> kOptionalComponentHeaders = {"ckpt/mpi.h"};

TEST(PublicHeadersTest, UmbrellaIncludesEveryPublicHeader) {
  std::set<std::string> headers;
  for (const auto& entry : fs::directory_iterator(fs::path(CKPT_SOURCE_DIR) / "include" / "ckpt")) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".h" && name != "ckpt.h" && !kOptionalComponentHeaders.count("ckpt/" + name)) {
      headers.insert("ckpt/" + name);
    }
  }
  std::set<std::string> included;
  const std::string umbrella = ReadSource("include/ckpt/ckpt.h");
  static const std::regex re(R"re(#include\s+"([^"]+)")re");
  for (auto it = std::sregex_iterator(umbrella.begin(), umbrella.end(), re); it != std::sregex_iterator(); ++it) {
    included.insert((*it)[1]);
  }
  EXPECT_EQ(included, headers) << "include/ckpt/ckpt.h must include exactly the headers of include/ckpt/";
}

TEST(PublicHeadersTest, VersionConstantsAgreeWithTheBuildAndThePythonPackage) {
  const std::string parts = std::to_string(CKPT_VERSION_MAJOR) + "." + std::to_string(CKPT_VERSION_MINOR) + "." +
                            std::to_string(CKPT_VERSION_PATCH);
  EXPECT_EQ(parts, CKPT_VERSION_STRING);
  EXPECT_EQ(Find("CMakeLists.txt", R"re(project\(\s*ckpt\s+VERSION\s+([0-9.]+))re"), CKPT_VERSION_STRING);
  EXPECT_EQ(Find("pyproject.toml", R"re(\[project\][^\[]*?\nversion\s*=\s*"([^"]+)")re"), CKPT_VERSION_STRING);
  EXPECT_EQ(Find("python/ckpt/__init__.py", R"re(\n__version__\s*=\s*"([^"]+)")re"), CKPT_VERSION_STRING);
}

}  // namespace
