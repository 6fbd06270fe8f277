// The shared issue collector of devwatch.json's validation (validator.h).
#include "config/validator.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "common/json.h"
#include "config/exclude.h"
#include "config/suggest.h"
#include "paths/glob.h"

namespace devwatch::config {

using json = nlohmann::json;

std::string type_of(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return "integer";
  if (v.is_number_float()) return "number";
  return v.type_name();
}

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

// Server names become keys in paths; quote the ones that would be ambiguous.
std::string child_path(const std::string& parent, const std::string& key) {
  bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '$';
  });
  std::string k = plain ? key : "[" + dump_json(json(key)) + "]";
  if (parent.empty()) return k;
  return plain ? parent + "." + k : parent + k;
}

void Validator::issue(const std::string& path, std::string message) {
  issues.push_back(ConfigIssue{path, std::move(message), 0, 0});
}

void Validator::expected(const std::string& path, const std::string& what, const json& got) {
  issue(path, "expected " + what + ", got " + type_of(got));
}

void Validator::unknown_keys(const json& obj, const std::string& path,
                             const std::vector<std::string>& known) {
  for (const auto& [key, value] : obj.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string msg = "unknown key " + in_quotes(key);
    if (auto guess = closest_match(key, known)) {
      msg += " (did you mean " + in_quotes(*guess) + "?)";
    } else {
      std::string list;
      for (const auto& k : known) {
        if (k == "$schema") continue;
        list += (list.empty() ? "" : ", ") + k;
      }
      msg += " (known keys: " + list + ")";
    }
    issue(child_path(path, key), msg);
  }
}


void Validator::boolean(const json& obj, const std::string& path, const char* key, bool& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return;
  if (!it->is_boolean()) return expected(child_path(path, key), "true or false", *it);
  out = it->get<bool>();
}


bool Validator::integer_value(const json& obj, const std::string& path, const char* key, long long min,
                              long long max, long long& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return false;
  std::string p = child_path(path, key);
  if (!(it->is_number_integer() || it->is_number_unsigned())) {
    if (it->is_number_float() && *it == std::floor(it->get<double>())) {
      // 20.0 is an integer in spirit but not in the schema; say so plainly.
      issue(p, "expected an integer, got " + it->dump() + " (drop the fraction)");
      return false;
    }
    expected(p, "an integer", *it);
    return false;
  }
  long long v = it->is_number_unsigned()
                    ? static_cast<long long>(std::min<std::uint64_t>(
                          it->get<std::uint64_t>(), static_cast<std::uint64_t>(std::numeric_limits<long long>::max())))
                    : it->get<long long>();
  if (v < min || v > max) {
    issue(p, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                 std::to_string(v));
    return false;
  }
  out = v;
  return true;
}


void Validator::globs(const json& obj, const std::string& path, const char* key,
                      std::vector<std::string>& out, bool based_ok) {
  auto it = obj.find(key);
  if (it == obj.end()) return;
  std::string p = child_path(path, key);
  if (!it->is_array()) return expected(p, "an array of glob patterns", *it);
  std::vector<std::string> result;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& g = (*it)[i];
    std::string gp = p + "[" + std::to_string(i) + "]";
    if (based_ok && g.is_object()) {
      std::string absolute;
      if (auto problem = parse_based_exclude(g, absolute)) {
        issue(gp, *problem);
      } else {
        result.push_back(std::move(absolute));
      }
      continue;
    }
    if (!g.is_string()) {
      expected(gp, based_ok ? "a glob pattern string or a {baseUri, pattern} object" : "a glob pattern string", g);
      continue;
    }
    std::string pattern = g.get<std::string>();
    if (pattern.empty()) {
      issue(gp, "empty glob pattern");
      continue;
    }
    if (pattern.front() == '/') {
      issue(gp, "glob " + in_quotes(pattern) + " must be relative to the workspace root (drop the leading '/'" +
                    (based_ok ? std::string(", or give {\"baseUri\": \"file:///...\", \"pattern\": ...} to "
                                            "anchor it elsewhere)")
                              : std::string(")")));
      continue;
    }
    auto compiled = paths::Glob::compile(pattern);
    if (!compiled) {
      issue(gp, compiled.error().message);
      continue;
    }
    result.push_back(std::move(pattern));
  }
  out = std::move(result);
}

}  // namespace devwatch::config
