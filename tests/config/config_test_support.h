// Real temp directories for the config tests. Single-threaded test use.
#pragma once

#include "support/temp_dir.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include "config/django.h"

namespace devwatch::config::test {

using devwatch::testing::TempDir;

// An environment that holds exactly `vars`.
inline EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace devwatch::config::test
