#include "paths/uri.h"

#include <cstdint>

namespace devwatch::paths {
namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

Error invalid(std::string_view uri, std::string_view why) {
  std::string msg = "invalid file URI '";
  msg += uri;
  msg += "': ";
  msg += why;
  return make_error(ErrorCode::InvalidParams, std::move(msg));
}

}  // namespace

std::string path_to_uri(std::string_view absolute_path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "file://";
  out.reserve(out.size() + absolute_path.size() * 3 + 1);
  if (absolute_path.empty() || absolute_path.front() != '/') out += '/';
  for (char ch : absolute_path) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '/' || is_unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

Result<std::string> uri_to_path(std::string_view uri) {
  const size_t colon = uri.find(':');
  if (colon == std::string_view::npos) return invalid(uri, "no scheme (expected file://...)");
  if (!iequals(uri.substr(0, colon), "file")) {
    return invalid(uri, "scheme '" + std::string(uri.substr(0, colon)) +
                            "' is not supported (only local file:// URIs name watchable paths)");
  }
  std::string_view rest = uri.substr(colon + 1);
  if (rest.substr(0, 2) == "//") {
    rest.remove_prefix(2);
    const size_t slash = rest.find('/');
    const std::string_view authority = rest.substr(0, slash);
    if (!authority.empty() && !iequals(authority, "localhost")) {
      return invalid(uri, "authority '" + std::string(authority) +
                              "' is not local (only file:/// or file://localhost/ name local files)");
    }
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  if (rest.empty()) return invalid(uri, "the path is empty");
  if (rest.front() != '/') return invalid(uri, "the path is relative (it must start with '/')");
  if (const size_t q = rest.find_first_of("?#"); q != std::string_view::npos) {
    return invalid(uri, std::string("it has a ") + (rest[q] == '?' ? "query" : "fragment") +
                            " (a '?' or '#' in a file name must be percent-encoded as %3F or %23)");
  }

  std::string path;
  path.reserve(rest.size());
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] != '%') {
      path += rest[i];
      continue;
    }
    const int hi = i + 1 < rest.size() ? hex_value(rest[i + 1]) : -1;
    const int lo = i + 2 < rest.size() ? hex_value(rest[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return invalid(uri, "malformed percent-escape '" + std::string(rest.substr(i, 3)) +
                              "' (a '%' must be followed by two hex digits; a literal '%' is %25)");
    }
    const auto byte = static_cast<char>(static_cast<std::uint8_t>(hi * 16 + lo));
    if (byte == '\0') return invalid(uri, "it decodes to a NUL byte (%00), which no file name can hold");
    path += byte;
    i += 2;
  }
  // A raw NUL cannot come from a well-formed URI either.
  if (path.find('\0') != std::string::npos) return invalid(uri, "it contains a NUL byte");
  return path;
}

}  // namespace devwatch::paths
