// Converts between absolute file paths and file:// URIs. Paths are byte
// strings on Linux, not text, so the URI percent-encodes bytes (RFC 3986):
// a file name that is not valid UTF-8 still round-trips exactly.
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace devwatch::paths {

// "/a b/é" -> "file:///a%20b/%C3%A9". Every byte except the unreserved set
// (ALPHA DIGIT - . _ ~) and '/' is %XX-encoded with uppercase hex, which is
// what VS Code's URI.file(p).toString() produces for Linux paths (it also
// encodes ':', '@', '+', ... in the path), so URIs compare equal as strings.
// A path without a leading '/' gets one, as URI.file() does; "" -> "file:///".
std::string path_to_uri(std::string_view absolute_path);

// Accepts file:///x, file://localhost/x and the authority-less file:/x (RFC
// 8089); the scheme and "localhost" are case-insensitive. %XX decodes (either
// hex case) to raw bytes; other bytes are taken as they are, so a lenient
// client's unencoded spaces or UTF-8 still work. Errors (InvalidParams, the
// message says why): another scheme, a non-local authority, a malformed
// %-escape, a path that is empty or not absolute, a decoded NUL byte, or a
// query/fragment (a '?' or '#' in a file name must be sent as %3F / %23).
Result<std::string> uri_to_path(std::string_view uri);

}  // namespace devwatch::paths
