// Helpers shared by the diagnose tests: a real temp directory, file I/O and
// running a real command. Single-threaded test use only.
#pragma once

#include "support/temp_dir.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace devwatch::diagnose::test {

using devwatch::testing::TempDir;

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// Runs `command` through /bin/sh in `dir`, returns stdout+stderr.
inline std::string run_capture(const std::string& dir, const std::string& command) {
  std::string full = "cd '" + dir + "' && " + command + " 2>&1";
  std::string out;
  FILE* pipe = popen(full.c_str(), "r");
  if (!pipe) return out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  return out;
}

// The interpreter used for real tracebacks: Debian's, else the PATH one.
inline std::string python() {
  if (std::filesystem::exists("/usr/bin/python3")) return "/usr/bin/python3";
  return "python3";
}

}  // namespace devwatch::diagnose::test
