#include "proxy/http_head.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace devwatch::proxy {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

Error bad(std::string message) { return make_error(ErrorCode::InvalidRequest, std::move(message)); }

// Splits the head into lines (CRLF, a bare LF tolerated) and parses the
// header lines after the first; the first line is returned for the caller.
Result<std::string_view> split_head(std::string_view data, Head& head) {
  while (data.substr(0, 2) == "\r\n") data.remove_prefix(2);
  std::vector<std::string_view> lines;
  while (!data.empty()) {
    auto nl = data.find('\n');
    if (nl == std::string_view::npos) return bad("head does not end with a blank line");
    auto line = data.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    data.remove_prefix(nl + 1);
    if (line.empty()) break;
    lines.push_back(line);
  }
  if (lines.empty()) return bad("empty head");
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto line = lines[i];
    if (line.front() == ' ' || line.front() == '\t') return bad("obsolete header line folding");
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return bad("header line without a name: " + std::string(line));
    auto name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), is_token_char)) return bad("invalid header name " + std::string(name));
    head.headers.push_back(Header{std::string(name), std::string(trim(line.substr(colon + 1)))});
  }
  return lines.front();
}

bool valid_version(std::string_view v) { return v == "HTTP/1.1" || v == "HTTP/1.0"; }

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return lower(x) == lower(y);
         });
}

const std::string* Head::find(std::string_view name) const {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) return &h.value;
  }
  return nullptr;
}

bool Head::has_token(std::string_view name, std::string_view token) const {
  for (const auto& h : headers) {
    if (!iequals(h.name, name)) continue;
    std::string_view rest = h.value;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto item = trim(rest.substr(0, comma));
      if (iequals(item, token)) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

void Head::remove(std::string_view name) {
  std::erase_if(headers, [&](const Header& h) { return iequals(h.name, name); });
}

void Head::set(std::string_view name, std::string value) {
  remove(name);
  headers.push_back(Header{std::string(name), std::move(value)});
}

std::string Head::serialize() const {
  std::string out;
  out.reserve(256);
  if (request) {
    out += method + " " + target + " " + version + "\r\n";
  } else {
    out += version + " " + std::to_string(status) + " " + reason + "\r\n";
  }
  for (const auto& h : headers) out += h.name + ": " + h.value + "\r\n";
  out += "\r\n";
  return out;
}

std::optional<std::size_t> head_size(std::string_view data) {
  std::size_t start = 0;
  while (data.substr(start, 2) == "\r\n") start += 2;
  for (std::size_t i = start; i < data.size(); ++i) {
    if (data[i] != '\n') continue;
    // A blank line: "\n\n" or "\n\r\n".
    if (i + 1 < data.size() && data[i + 1] == '\n') return i + 2;
    if (i + 2 < data.size() && data[i + 1] == '\r' && data[i + 2] == '\n') return i + 3;
  }
  return std::nullopt;
}

Result<Head> parse_request_head(std::string_view data) {
  Head head;
  head.request = true;
  auto first = split_head(data, head);
  if (!first) return first.error();
  std::string_view line = *first;
  auto sp1 = line.find(' ');
  auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return bad("malformed request line: " + std::string(line));
  head.method = std::string(line.substr(0, sp1));
  head.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  head.version = std::string(line.substr(sp2 + 1));
  if (head.method.empty() || !std::all_of(head.method.begin(), head.method.end(), is_token_char)) {
    return bad("invalid method in request line: " + std::string(line));
  }
  if (head.target.empty()) return bad("empty request target");
  if (!valid_version(head.version)) return bad("unsupported HTTP version " + head.version);
  return head;
}

Result<Head> parse_response_head(std::string_view data) {
  Head head;
  head.request = false;
  auto first = split_head(data, head);
  if (!first) return first.error();
  std::string_view line = *first;
  auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return bad("malformed status line: " + std::string(line));
  head.version = std::string(line.substr(0, sp1));
  if (!valid_version(head.version)) return bad("unsupported HTTP version " + head.version);
  auto code = line.substr(sp1 + 1, 3);
  int status = 0;
  auto [p, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
  if (ec != std::errc() || p != code.data() + code.size() || code.size() != 3 || status < 100) {
    return bad("malformed status code in: " + std::string(line));
  }
  head.status = status;
  head.reason = sp1 + 4 < line.size() ? std::string(trim(line.substr(sp1 + 4))) : "";
  return head;
}

namespace {

Result<Framing> length_framing(const Head& head) {
  const std::string* te = head.find("Transfer-Encoding");
  if (te) {
    if (head.has_token("Transfer-Encoding", "chunked")) return Framing{BodyKind::Chunked, 0};
    return bad("unsupported Transfer-Encoding " + *te);
  }
  std::optional<std::uint64_t> length;
  for (const auto& h : head.headers) {
    if (!iequals(h.name, "Content-Length")) continue;
    std::uint64_t n = 0;
    auto [p, ec] = std::from_chars(h.value.data(), h.value.data() + h.value.size(), n);
    if (h.value.empty() || ec != std::errc() || p != h.value.data() + h.value.size()) {
      return bad("invalid Content-Length " + h.value);
    }
    if (length && *length != n) return bad("conflicting Content-Length headers");
    length = n;
  }
  if (length) return Framing{BodyKind::Length, *length};
  return Framing{BodyKind::UntilClose, 0};
}

}  // namespace

Result<Framing> request_framing(const Head& head) {
  auto f = length_framing(head);
  if (f && f->kind == BodyKind::UntilClose) return Framing{BodyKind::None, 0};
  return f;
}

Result<Framing> response_framing(const Head& head, std::string_view request_method) {
  if (request_method == "HEAD" || head.status < 200 || head.status == 204 || head.status == 304) {
    return Framing{BodyKind::None, 0};
  }
  return length_framing(head);
}

bool keep_alive(const Head& head) {
  if (head.has_token("Connection", "close")) return false;
  if (head.version == "HTTP/1.0") return head.has_token("Connection", "keep-alive");
  return true;
}

}  // namespace devwatch::proxy
