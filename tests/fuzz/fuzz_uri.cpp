// Fuzzes paths::path_to_uri / uri_to_path. Input: one byte string used both
// as a path and as a URI. Properties:
//  - round trip: any path without NUL comes back byte for byte (with the
//    leading '/' path_to_uri adds to a relative one), since Linux file names
//    are bytes, not text;
//  - path_to_uri emits only "file://", '/', unreserved bytes and %XX with
//    uppercase hex, so two encoders' URIs compare equal as strings;
//  - a URI that decodes gives an absolute path without NUL, and encoding and
//    decoding that path again is stable.
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "paths/uri.h"

using devwatch::paths::path_to_uri;
using devwatch::paths::uri_to_path;

namespace {

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}
bool is_upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

void check_encoding(std::string_view uri) {
  FUZZ_CHECK(uri.starts_with("file:///"));
  uri.remove_prefix(7);
  for (std::size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] == '%') {
      FUZZ_CHECK(i + 2 < uri.size() && is_upper_hex(uri[i + 1]) && is_upper_hex(uri[i + 2]));
      i += 2;
    } else {
      FUZZ_CHECK(uri[i] == '/' || is_unreserved(uri[i]));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const std::string uri = path_to_uri(input);
  check_encoding(uri);
  auto back = uri_to_path(uri);
  if (input.find('\0') != std::string_view::npos) {
    FUZZ_CHECK(!back.ok());
  } else {
    FUZZ_CHECK(back.ok());
    const std::string expected = input.starts_with('/') ? std::string(input) : "/" + std::string(input);
    FUZZ_CHECK(back.value() == expected);
  }

  auto path = uri_to_path(input);
  if (!path.ok()) {
    FUZZ_CHECK(!path.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(!path.value().empty() && path.value().front() == '/');
  FUZZ_CHECK(path.value().find('\0') == std::string::npos);
  const std::string again = path_to_uri(path.value());
  auto twice = uri_to_path(again);
  FUZZ_CHECK(twice.ok() && twice.value() == path.value());
  return 0;
}
