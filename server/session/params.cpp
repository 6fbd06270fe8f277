#include "session/params.h"

namespace devwatch::session {

ParamReader::ParamReader(const json& params, std::string where)
    : params_(params), where_(std::move(where)) {
  if (!params_.is_null() && !params_.is_object()) {
    error_ = make_error(ErrorCode::InvalidParams,
                        where_ + ": expected an object, got " + std::string(params_.type_name()));
  }
}

std::string ParamReader::path(std::string_view field) const { return where_ + "." + std::string(field); }

void ParamReader::fail(std::string_view field, const std::string& message) {
  if (!error_) error_ = make_error(ErrorCode::InvalidParams, path(field) + ": " + message);
}

bool ParamReader::has(std::string_view field) const {
  if (!params_.is_object()) return false;
  auto it = params_.find(field);
  return it != params_.end() && !it->is_null();
}

const json* ParamReader::find(std::string_view field, bool required, const char* expected) {
  if (error_) return nullptr;
  if (!has(field)) {
    if (required) fail(field, std::string("required ") + expected + " is missing");
    return nullptr;
  }
  return &*params_.find(field);
}

std::optional<std::string> ParamReader::string(std::string_view field, bool required) {
  const json* v = find(field, required, "string");
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    fail(field, std::string("expected a string, got ") + v->type_name());
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<std::int64_t> ParamReader::integer(std::string_view field, bool required,
                                                 std::int64_t min, std::int64_t max) {
  const json* v = find(field, required, "integer");
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) {
    fail(field, std::string("expected an integer, got ") + v->type_name());
    return std::nullopt;
  }
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
    fail(field, "integer out of range");
    return std::nullopt;
  }
  auto n = v->get<std::int64_t>();
  if (n < min || n > max) {
    fail(field, "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                    ", got " + std::to_string(n));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> ParamReader::boolean(std::string_view field, bool required) {
  const json* v = find(field, required, "boolean");
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    fail(field, std::string("expected a boolean, got ") + v->type_name());
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<std::vector<std::string>> ParamReader::strings(std::string_view field, bool required) {
  const json* v = find(field, required, "array of strings");
  if (!v) return std::nullopt;
  if (!v->is_array()) {
    fail(field, std::string("expected an array of strings, got ") + v->type_name());
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) {
      fail(std::string(field) + "[" + std::to_string(i) + "]",
           std::string("expected a string, got ") + (*v)[i].type_name());
      return std::nullopt;
    }
    out.push_back((*v)[i].get<std::string>());
  }
  return out;
}

const json* ParamReader::value(std::string_view field, bool required) {
  return find(field, required, "value");
}

Result<void> expect_no_params(const json& params) {
  if (params.is_null() || params.is_object()) return {};
  return make_error(ErrorCode::InvalidParams,
                    std::string("params: expected an object or nothing, got ") + params.type_name());
}

}  // namespace devwatch::session
