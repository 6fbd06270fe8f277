// HTTP/1.1 message heads (start line + headers) for the proxy: find where a
// head ends in a byte stream, parse it, decide how its body is framed, and
// write it back out (with edits). Bodies are never parsed here: the proxy
// streams them (chunked.h tracks chunked framing without buffering).
// Thread-safe: pure functions over values.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace devwatch::proxy {

inline constexpr std::size_t kMaxHeadBytes = std::size_t{64} * 1024;

struct Header {
  std::string name;  // as received (case kept); compared case-insensitively
  std::string value;  // surrounding whitespace trimmed
};

struct Head {
  bool request = true;
  std::string method, target;  // request
  std::string version;         // "HTTP/1.1"
  int status = 0;              // response
  std::string reason;          // response
  std::vector<Header> headers;

  const std::string* find(std::string_view name) const;
  // Case-insensitive token search in a comma-separated header ("close" in Connection).
  bool has_token(std::string_view name, std::string_view token) const;
  void remove(std::string_view name);
  void set(std::string_view name, std::string value);  // replaces every occurrence
  std::string serialize() const;
};

// Bytes up to and including the blank line ending the head, when `data`
// holds all of it. Leading CRLFs (allowed between messages) count as part
// of the head.
std::optional<std::size_t> head_size(std::string_view data);

// Parses one complete head (as returned by head_size). Errors name the defect.
Result<Head> parse_request_head(std::string_view data);
Result<Head> parse_response_head(std::string_view data);

enum class BodyKind { None, Length, Chunked, UntilClose };
struct Framing {
  BodyKind kind = BodyKind::None;
  std::uint64_t length = 0;  // BodyKind::Length
};

// RFC 9112 §6: Transfer-Encoding chunked wins over Content-Length; a request
// without either has no body; a bad Content-Length is an error.
Result<Framing> request_framing(const Head& head);
// HEAD requests, 1xx, 204 and 304 have no body; otherwise chunked, length,
// or until the server closes.
Result<Framing> response_framing(const Head& head, std::string_view request_method);

// Whether the connection may carry another message after this one.
bool keep_alive(const Head& head);

bool iequals(std::string_view a, std::string_view b);

}  // namespace devwatch::proxy
