// A real temporary directory for unit tests, removed with everything in it
// when the object goes. Single-threaded test use.
#pragma once

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace devwatch::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "dw-test") {
    std::string templ = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (char* made = mkdtemp(templ.data())) path_ = std::filesystem::canonical(made).string();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

  // Writes `text` to `rel` below the directory, creating parents; returns the path.
  std::string write(const std::string& rel, const std::string& text, bool executable = false) const {
    std::filesystem::path p = std::filesystem::path(path_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    ::chmod(p.c_str(), executable ? 0755 : 0644);
    return p.string();
  }

 private:
  std::string path_;
};

}  // namespace devwatch::testing
