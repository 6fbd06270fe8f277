// count_watched_folders: the folders `devwatch check` holds against the
// inotify budget follow the watcher's crawl rules.
#include "check/folders.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "support/temp_dir.h"

using namespace devwatch::check;
using devwatch::testing::TempDir;
namespace fs = std::filesystem;

namespace {
void mkdirs(const TempDir& dir, const std::string& rel) { fs::create_directories(fs::path(dir.path()) / rel); }
}  // namespace

TEST_CASE("folders are counted with the built-in ignores, .gitignore and excludes") {
  TempDir dir;
  mkdirs(dir, "app/templates/app");
  mkdirs(dir, "app/__pycache__");
  mkdirs(dir, "node_modules/x/y");
  mkdirs(dir, ".git/objects/aa");
  mkdirs(dir, "media/uploads");
  mkdirs(dir, "dist/assets");
  dir.write(".gitignore", "media/\n");
  ::symlink(dir.path().c_str(), (dir.path() + "/loop").c_str());  // never followed

  devwatch::paths::IgnoreOptions options;
  options.excludes = {"dist"};
  auto count = count_watched_folders(dir.path(), options);
  REQUIRE(count);
  // root, app, app/templates, app/templates/app, .git (its internals are ignored)
  CHECK(count->folders == 5);

  options.respect_gitignore = false;
  options.excludes.clear();
  count = count_watched_folders(dir.path(), options);
  REQUIRE(count);
  CHECK(count->folders == 9);  // + media, media/uploads, dist, dist/assets
}

TEST_CASE("the largest subtrees are named, none inside another") {
  TempDir dir;
  for (int i = 0; i < 30; ++i) mkdirs(dir, "big/sub" + std::to_string(i));
  for (int i = 0; i < 3; ++i) mkdirs(dir, "small/s" + std::to_string(i));
  auto count = count_watched_folders(dir.path(), {});
  REQUIRE(count);
  CHECK(count->folders == 1 + 31 + 4);
  REQUIRE(count->largest.size() >= 2);
  CHECK(count->largest[0] == std::make_pair(std::string("big"), std::size_t{31}));
  CHECK(count->largest[1] == std::make_pair(std::string("small"), std::size_t{4}));
  CHECK(describe_largest(*count).rfind("big (31 folders), small (4 folders)", 0) == 0);
}

TEST_CASE("a missing root is an error, not zero folders") {
  auto count = count_watched_folders("/nonexistent/devwatch-test", {});
  REQUIRE_FALSE(count);
  CHECK(count.error().message.find("/nonexistent/devwatch-test") != std::string::npos);
}

TEST_CASE("an absolute exclude counts below the root it names, as the watcher reads it") {
  TempDir dir;
  mkdirs(dir, "pkg/locale/de");
  mkdirs(dir, "pkg/code");
  devwatch::paths::IgnoreOptions options;
  options.excludes = {dir.path() + "/pkg/locale"};
  auto count = count_watched_folders(dir.path(), options);
  REQUIRE(count);
  CHECK(count->folders == 3);  // root, pkg, pkg/code
  options.excludes = {"/elsewhere/pkg/locale"};
  count = count_watched_folders(dir.path(), options);
  REQUIRE(count);
  CHECK(count->folders == 5);
}
