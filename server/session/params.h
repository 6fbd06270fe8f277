// Reads typed fields out of request params and names the field in every
// error ("params.name: expected a string, got number"), so a handler's params
// struct is parsed in a few lines and bad input always gets InvalidParams.
// Threading: plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/json.h"

namespace devwatch::session {

class ParamReader {
 public:
  // `params` may be null (absent); `where` prefixes error messages.
  explicit ParamReader(const json& params, std::string where = "params");
  // The reader keeps a reference: a temporary would dangle (ASan found one in a test).
  explicit ParamReader(json&& params, std::string where = "params") = delete;

  std::optional<std::string> string(std::string_view field, bool required);
  std::optional<std::int64_t> integer(std::string_view field, bool required,
                                      std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX);
  std::optional<bool> boolean(std::string_view field, bool required);
  std::optional<std::vector<std::string>> strings(std::string_view field, bool required);
  // Any JSON value (objects, unions); checked by the caller.
  const json* value(std::string_view field, bool required);
  // Null members count as absent (LSP clients send null for optional fields).
  bool has(std::string_view field) const;

  void fail(std::string_view field, const std::string& message);
  bool ok() const { return !error_; }
  Error error() const { return error_.value_or(Error{}); }
  std::string path(std::string_view field) const;

 private:
  const json* find(std::string_view field, bool required, const char* expected);
  const json& params_;
  std::string where_;
  std::optional<Error> error_;
};

// The params of a method that takes none must be absent, null or an object.
Result<void> expect_no_params(const json& params);

}  // namespace devwatch::session
