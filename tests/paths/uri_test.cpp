// file:// URI <-> path: byte-exact round trips and every rejection reason.
#include "paths/uri.h"

#include <catch2/catch.hpp>
#include <string>

using devwatch::ErrorCode;
using devwatch::paths::path_to_uri;
using devwatch::paths::uri_to_path;

namespace {

std::string must_decode(const std::string& uri) {
  auto path = uri_to_path(uri);
  INFO("uri: " << uri);
  REQUIRE(path.ok());
  return *path;
}

}  // namespace

TEST_CASE("path_to_uri encodes like VS Code's URI.file().toString()") {
  struct Case {
    std::string path;
    std::string uri;
  };
  const Case cases[] = {
      {"/", "file:///"},
      {"/a/b.txt", "file:///a/b.txt"},
      {"/a b/\xC3\xA9", "file:///a%20b/%C3%A9"},
      {"/x/100%.txt", "file:///x/100%25.txt"},
      {"/x/a#b?c", "file:///x/a%23b%3Fc"},
      {"/x/C:/y", "file:///x/C%3A/y"},
      {"/x/user@host+1,2;3=4&5$6!7'8(9)*", "file:///x/user%40host%2B1%2C2%3B3%3D4%265%246%217%278%289%29%2A"},
      {"/keep/-._~AZaz09", "file:///keep/-._~AZaz09"},
      {"/x/a\\b", "file:///x/a%5Cb"},
      {"/x/[1]{2}", "file:///x/%5B1%5D%7B2%7D"},
      {"/bad/\xFF\xFE", "file:///bad/%FF%FE"},
      {"/\xE6\x97\xA5\xE6\x9C\xAC", "file:///%E6%97%A5%E6%9C%AC"},
      {"/emoji/\xF0\x9F\x98\x80", "file:///emoji/%F0%9F%98%80"},
      {"/tab\there/nl\n", "file:///tab%09here/nl%0A"},
      {"relative/x", "file:///relative/x"},  // URI.file() adds the leading '/'
      {"", "file:///"},
  };
  for (const Case& c : cases) {
    INFO("path: " << c.path);
    CHECK(path_to_uri(c.path) == c.uri);
  }
}

TEST_CASE("every byte 1..255 in a file name round-trips") {
  for (int b = 1; b <= 255; ++b) {
    std::string path = "/dir/a";
    path += static_cast<char>(b);
    path += "z";
    const std::string uri = path_to_uri(path);
    INFO("byte " << b << " uri " << uri);
    // The URI itself is plain printable ASCII whatever the name holds.
    for (char c : uri) {
      CHECK(static_cast<unsigned char>(c) > 0x20);
      CHECK(static_cast<unsigned char>(c) < 0x7F);
    }
    CHECK(must_decode(uri) == path);
  }
}

TEST_CASE("a name made of all bytes 1..255 round-trips in one piece") {
  std::string path = "/";
  for (int b = 1; b <= 255; ++b) {
    if (b != '/') path += static_cast<char>(b);
  }
  CHECK(must_decode(path_to_uri(path)) == path);
}

TEST_CASE("uri_to_path accepts the local forms and either hex case") {
  struct Case {
    std::string uri;
    std::string path;
  };
  const Case cases[] = {
      {"file:///a/b", "/a/b"},
      {"file://localhost/a/b", "/a/b"},
      {"file://LOCALHOST/a", "/a"},
      {"FILE:///a", "/a"},
      {"File:///a", "/a"},
      {"file:/a/b", "/a/b"},  // RFC 8089 authority-less form
      {"file:///", "/"},
      {"file:///a%20b/%c3%a9", "/a b/\xC3\xA9"},
      {"file:///a%20b/%C3%A9", "/a b/\xC3\xA9"},
      {"file:///x/%2F", "/x//"},
      {"file:///x/%25", "/x/%"},
      {"file:///x/%23%3F", "/x/#?"},
      {"file:///raw space/\xC3\xA9", "/raw space/\xC3\xA9"},  // lenient: unencoded bytes pass through
      {"file:///c%3A/x", "/c:/x"},
      {"file:///x/%FF", "/x/\xFF"},
  };
  for (const Case& c : cases) CHECK(must_decode(c.uri) == c.path);
}

TEST_CASE("uri_to_path rejects what is not a local absolute file path") {
  struct Case {
    std::string uri;
    std::string why;  // a fragment the message must contain
  };
  const Case cases[] = {
      {"http://example.com/a", "scheme 'http'"},
      {"untitled:Untitled-1", "scheme 'untitled'"},
      {"/just/a/path", "no scheme"},
      {"", "no scheme"},
      {"file://server/share/a", "authority 'server'"},
      {"file://localhost.example/a", "not local"},
      {"file://", "empty"},
      {"file://localhost", "empty"},
      {"file:", "empty"},
      {"file:a/b", "relative"},
      {"file:///a%2", "malformed percent-escape '%2'"},
      {"file:///a%", "malformed percent-escape '%'"},
      {"file:///a%zz", "malformed percent-escape '%zz'"},
      {"file:///a%g0b", "malformed"},
      {"file:///a/%00b", "NUL"},
      {"file:///a?x=1", "query"},
      {"file:///a#frag", "fragment"},
  };
  for (const Case& c : cases) {
    INFO("uri: " << c.uri);
    auto path = uri_to_path(c.uri);
    REQUIRE_FALSE(path.ok());
    CHECK(path.error().code == ErrorCode::InvalidParams);
    CHECK_THAT(path.error().message, Catch::Contains(c.why));
  }
}

TEST_CASE("a raw NUL byte in the URI is rejected") {
  const std::string uri("file:///a\0b", 11);
  auto path = uri_to_path(uri);
  REQUIRE_FALSE(path.ok());
  CHECK_THAT(path.error().message, Catch::Contains("NUL"));
}
