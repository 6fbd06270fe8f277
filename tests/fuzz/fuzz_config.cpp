// Fuzzes the configuration path a devwatch.json edit takes: json_text
// (comments, duplicate keys, line/column), validate (every field), merge
// (client settings over the file, RFC 7386) and load (the file on disk, the
// Django detection fallback). Input: devwatch.json text, optionally followed
// by a NUL byte and the client settings as JSON text. Properties:
//  - a validation is a complete config or a non-empty list of issues, never
//    both (nothing half-applied); syntax issues carry line and column >= 1;
//  - parse_config and validate_config_text agree, and the ConfigInvalid error's
//    data_json is JSON listing exactly the issues;
//  - a valid document stays valid after a dump/parse round trip;
//  - load_workspace_config from a real file agrees with validating the
//    merged text (it adds only Django detection on top).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/json.h"
#include "config/config.h"
#include "config/load.h"
#include "config/merge.h"
#include "fuzz/fuzz_check.h"

namespace cfg = devwatch::config;
using devwatch::dump_json;
using devwatch::json;
using devwatch::parse_json;

namespace {

std::string g_root;  // a real directory with a manage.py, so detection runs too

void check_validation(const cfg::Validation& v) {
  FUZZ_CHECK(v.ok() == v.issues.empty());
  for (const auto& issue : v.issues) {
    FUZZ_CHECK(!issue.message.empty());
    FUZZ_CHECK((issue.line > 0) == (issue.column > 0));
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  char tmpl[] = "/tmp/devwatch-fuzz-config-XXXXXX";
  const char* dir = ::mkdtemp(tmpl);
  if (!dir) std::abort();
  g_root = dir;
  std::ofstream(g_root + "/manage.py") << "import sys\n";
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  const std::string_view text = input.substr(0, nul);

  const cfg::Validation v = cfg::validate_config_text(text, g_root);
  check_validation(v);

  auto result = cfg::parse_config(text, g_root);
  FUZZ_CHECK(result.ok() == v.ok());
  if (!v.ok()) {
    const auto error = cfg::config_error(v.issues, "devwatch.json");
    auto data_json = parse_json(error.data_json);
    FUZZ_CHECK(data_json && (*data_json)["issues"].size() == v.issues.size());
  }

  std::vector<cfg::ConfigIssue> syntax;
  auto doc = cfg::parse_config_json(text, syntax);
  FUZZ_CHECK(doc.has_value() == syntax.empty());
  if (!doc) return 0;
  if (v.ok()) {
    const cfg::Validation again = cfg::validate_config_text(dump_json(*doc), g_root);
    FUZZ_CHECK(again.ok());
  }

  json client = json::object();
  if (nul != std::string_view::npos) {
    std::vector<cfg::ConfigIssue> ignored;
    if (auto parsed = cfg::parse_config_json(input.substr(nul + 1), ignored)) client = std::move(*parsed);
  }
  const cfg::Validation merged = cfg::validate_merged(*doc, client, g_root);
  check_validation(merged);

  // The file as load() reads it; an oversized one is refused before parsing.
  {
    std::ofstream out(g_root + "/devwatch.json", std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  auto loaded = cfg::load_workspace_config(g_root, client, [](const std::string&) { return std::nullopt; });
  FUZZ_CHECK(loaded.ok() == merged.ok());
  if (loaded.ok()) {
    FUZZ_CHECK(loaded.value().config.servers.size() >= merged.config->servers.size());
  } else {
    FUZZ_CHECK(loaded.error().code == devwatch::ErrorCode::ConfigInvalid);
  }
  return 0;
}
