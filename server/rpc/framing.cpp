#include "rpc/framing.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace devwatch::rpc {
namespace {

constexpr std::size_t kSniffBytes = 4096;
constexpr std::string_view kContentLength = "content-length";

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 7230 token characters: what a header name may be made of.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

// Finds "content-length:" anywhere in a junk line so that garbage glued to the
// front of a real header does not cost the message behind it.
std::size_t find_content_length(std::string_view line) {
  if (line.size() < kContentLength.size() + 1) return std::string_view::npos;
  for (std::size_t i = 0; i + kContentLength.size() < line.size(); ++i) {
    if (iequals(line.substr(i, kContentLength.size()), kContentLength) &&
        line[i + kContentLength.size()] == ':') {
      return i;
    }
  }
  return std::string_view::npos;
}

std::string printable(std::string_view s, std::size_t max = 60) {
  std::string out;
  for (char c : s.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  if (s.size() > max) out += "...";
  return out;
}

// Looks for a top-level-looking "id" member in the first bytes of a body.
std::optional<std::string> sniff_id(std::string_view prefix) {
  std::size_t pos = 0;
  while ((pos = prefix.find("\"id\"", pos)) != std::string_view::npos) {
    std::size_t i = pos + 4;
    while (i < prefix.size() && std::isspace(static_cast<unsigned char>(prefix[i]))) ++i;
    if (i >= prefix.size() || prefix[i] != ':') { pos += 4; continue; }
    ++i;
    while (i < prefix.size() && std::isspace(static_cast<unsigned char>(prefix[i]))) ++i;
    if (i >= prefix.size()) return std::nullopt;
    if (prefix[i] == '"') {
      std::size_t end = prefix.find('"', i + 1);
      if (end == std::string_view::npos || end - i > 256) return std::nullopt;
      auto text = prefix.substr(i, end - i + 1);
      if (text.find('\\') != std::string_view::npos) return std::nullopt;
      return std::string(text);
    }
    std::size_t end = i;  // i < prefix.size(), checked above
    if (prefix[end] == '-') ++end;
    while (end < prefix.size() && std::isdigit(static_cast<unsigned char>(prefix[end]))) ++end;
    if (end == i || end - i > 19) return std::nullopt;
    if (end < prefix.size() && (prefix[end] == '.' || prefix[end] == 'e' || prefix[end] == 'E')) {
      return std::nullopt;
    }
    return std::string(prefix.substr(i, end - i));
  }
  return std::nullopt;
}

}  // namespace

const char* frame_error_name(FrameErrorKind kind) {
  switch (kind) {
    case FrameErrorKind::JunkLine: return "junk line";
    case FrameErrorKind::HeaderTooLong: return "header line too long";
    case FrameErrorKind::MissingLength: return "missing Content-Length";
    case FrameErrorKind::BadLength: return "bad Content-Length";
    case FrameErrorKind::TooLarge: return "message too large";
  }
  return "framing error";
}

FrameReader::FrameReader(FrameLimits limits) : limits_(limits) {}

bool FrameReader::mid_message() const {
  return block_started_ || !line_.empty() || state_ == State::Body || state_ == State::Skip ||
         state_ == State::DiscardLine;
}

std::string FrameReader::describe_partial() const {
  if (state_ == State::Body) {
    return "in the middle of a message body (" + std::to_string(body_.size()) + " of " +
           std::to_string(body_.size() + remaining_) + " bytes)";
  }
  if (state_ == State::Skip) return "while skipping an oversized message body";
  return "in the middle of a header block";
}

void FrameReader::report(std::vector<FrameEvent>& out, FrameErrorKind kind, std::string detail) {
  FrameEvent event;
  event.is_error = true;
  event.error = kind;
  event.detail = std::move(detail);
  out.push_back(std::move(event));
}

void FrameReader::begin_skip(std::size_t length, std::string detail) {
  skip_detail_ = std::move(detail);
  skip_prefix_.clear();
  remaining_ = length;
  // Only a quiet skip can be empty: an oversized body is never zero bytes.
  if (remaining_ > 0) state_ = State::Skip;
}

void FrameReader::reset_headers() {
  block_started_ = false;
  block_bad_ = false;
  length_.reset();
}

void FrameReader::feed(std::string_view bytes, std::vector<FrameEvent>& out) {
  while (!bytes.empty()) {
    switch (state_) {
      case State::Header: {
        auto nl = bytes.find('\n');
        auto piece = bytes.substr(0, nl);
        if (line_.size() + piece.size() > limits_.max_header_line) {
          // Quote only bytes every split of the stream has seen by now (the
          // first min(limit, 60)), so the report does not depend on how the
          // bytes arrived.
          std::string head = line_ + std::string(piece.substr(0, 60));
          head.resize(std::min({head.size(), limits_.max_header_line, std::size_t{60}}));
          report(out, FrameErrorKind::HeaderTooLong,
                 "header line longer than " + std::to_string(limits_.max_header_line) +
                     " bytes (starts with '" + printable(head) + "...'); skipping to the next line");
          block_bad_ = true;
          block_started_ = true;
          line_.clear();
          state_ = State::DiscardLine;
          continue;  // DiscardLine consumes up to the newline
        }
        line_.append(piece);
        if (nl == std::string_view::npos) return;
        bytes.remove_prefix(nl + 1);
        std::string line = std::move(line_);
        line_.clear();
        if (!line.empty() && line.back() == '\r') line.pop_back();
        on_header_line(line, out);
        break;
      }
      case State::DiscardLine: {
        auto nl = bytes.find('\n');
        if (nl == std::string_view::npos) return;
        bytes.remove_prefix(nl + 1);
        state_ = State::Header;
        break;
      }
      case State::Body: {
        auto take = std::min(remaining_, bytes.size());
        body_.append(bytes.substr(0, take));
        bytes.remove_prefix(take);
        remaining_ -= take;
        if (remaining_ == 0) {
          FrameEvent event;
          event.body = std::move(body_);
          body_.clear();
          out.push_back(std::move(event));
          junk_reported_ = false;
          state_ = State::Header;
        }
        break;
      }
      case State::Skip: {
        auto take = std::min(remaining_, bytes.size());
        if (skip_prefix_.size() < kSniffBytes) {
          skip_prefix_.append(bytes.substr(0, std::min(take, kSniffBytes - skip_prefix_.size())));
        }
        bytes.remove_prefix(take);
        remaining_ -= take;
        if (remaining_ == 0) {
          state_ = State::Header;
          if (skip_detail_.empty()) break;  // quiet skip: already reported
          // Reported once the body is gone, so the id sniffed from it can be used.
          FrameEvent event;
          event.is_error = true;
          event.error = FrameErrorKind::TooLarge;
          event.detail = std::move(skip_detail_);
          event.sniffed_id = sniff_id(skip_prefix_);
          skip_detail_.clear();
          skip_prefix_.clear();
          out.push_back(std::move(event));
        }
        break;
      }
    }
  }
}

void FrameReader::on_header_line(std::string_view line, std::vector<FrameEvent>& out) {
  if (line.empty()) {
    if (block_started_) end_of_headers(out);
    // A blank line with no headers before it: a stray newline between messages.
    return;
  }
  auto colon = line.find(':');
  std::string_view name = colon == std::string_view::npos ? std::string_view{} : line.substr(0, colon);
  if (!is_token(name)) {
    // Not a header. Garbage glued to the front of a real header still lets us
    // resynchronise on that header; anything else is reported once per run.
    auto at = find_content_length(line);
    if (!junk_reported_) {
      report(out, FrameErrorKind::JunkLine,
             "expected a header line, got '" + printable(line) + "'; skipping it");
      junk_reported_ = true;
    }
    if (at != std::string_view::npos) on_header_line(line.substr(at), out);
    return;
  }
  block_started_ = true;
  if (!iequals(name, kContentLength)) return;  // Content-Type and unknown headers are ignored
  auto value = trim(line.substr(colon + 1));
  std::size_t parsed = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (value.empty() || ec != std::errc() || ptr != value.data() + value.size()) {
    if (!block_bad_) {
      report(out, FrameErrorKind::BadLength,
             "Content-Length '" + printable(value) + "' is not a non-negative integer");
    }
    block_bad_ = true;
    return;
  }
  if (length_ && *length_ != parsed) {
    if (!block_bad_) report(out, FrameErrorKind::BadLength, "conflicting Content-Length headers");
    block_bad_ = true;
    return;
  }
  length_ = parsed;
}

void FrameReader::end_of_headers(std::vector<FrameEvent>& out) {
  auto length = length_;
  bool bad = block_bad_;
  reset_headers();
  if (!length) {
    if (!bad) report(out, FrameErrorKind::MissingLength, "header block without Content-Length");
    return;
  }
  if (*length > limits_.max_content_length) {
    // Skip the body without storing it; the error goes out once it is skipped.
    begin_skip(*length, "Content-Length " + std::to_string(*length) + " exceeds the limit of " +
                            std::to_string(limits_.max_content_length) +
                            " bytes; the message was skipped");
    return;
  }
  if (bad) {
    // The error was reported already; skip the body quietly to stay framed.
    begin_skip(*length, {});
    return;
  }
  remaining_ = *length;
  body_.clear();
  body_.reserve(std::min<std::size_t>(*length, std::size_t{64} * 1024));
  if (remaining_ == 0) {
    FrameEvent event;  // an empty body: the JSON layer reports the parse error
    out.push_back(std::move(event));
    return;
  }
  state_ = State::Body;
}

}  // namespace devwatch::rpc
