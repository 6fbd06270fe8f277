// Incremental reader for LSP's base protocol framing: "Content-Length: N\r\n"
// headers, a blank line, then N bytes of body. It knows nothing of JSON.
//
// Bytes arrive in arbitrary pieces; feed() turns them into whole message
// bodies and framing errors. Malformed input never throws or stalls: a bad
// header block is reported and the reader resynchronises on the next header.
// A body larger than the limit is skipped without ever being allocated.
// Threading: one instance per stream, used from one thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace devwatch::rpc {

struct FrameLimits {
  std::size_t max_content_length = std::size_t{64} * 1024 * 1024;  // 64 MiB
  std::size_t max_header_line = std::size_t{8} * 1024;              // 8 KiB
};

enum class FrameErrorKind {
  JunkLine,          // a line that is not a header (e.g. stray output)
  HeaderTooLong,     // a header line over max_header_line
  MissingLength,     // a header block without Content-Length
  BadLength,         // non-numeric, negative, overflowing or conflicting
  TooLarge,          // Content-Length above max_content_length (body skipped)
};

const char* frame_error_name(FrameErrorKind kind);

struct FrameEvent {
  bool is_error = false;
  std::string body;                   // message body when !is_error
  FrameErrorKind error{};             // when is_error
  std::string detail;                 // human-readable explanation
  // For TooLarge: the request id found near the start of the skipped body, as
  // JSON text ("7" or "\"abc\""), so the reply can name the request.
  std::optional<std::string> sniffed_id;
};

class FrameReader {
 public:
  explicit FrameReader(FrameLimits limits = {});

  // Consumes all of `bytes`; appends any complete events to `out`.
  void feed(std::string_view bytes, std::vector<FrameEvent>& out);

  // True while a message is partly read (for a useful message on EOF).
  bool mid_message() const;
  std::string describe_partial() const;

 private:
  enum class State { Header, DiscardLine, Body, Skip };

  void on_header_line(std::string_view line, std::vector<FrameEvent>& out);
  void end_of_headers(std::vector<FrameEvent>& out);
  void report(std::vector<FrameEvent>& out, FrameErrorKind kind, std::string detail);
  void reset_headers();
  void begin_skip(std::size_t length, std::string detail);

  FrameLimits limits_;
  State state_ = State::Header;
  std::string line_;            // the header line being read
  bool block_started_ = false;  // at least one header line in this block
  bool block_bad_ = false;      // an error already reported for this block
  std::optional<std::size_t> length_;
  std::string body_;            // the body being read
  std::size_t remaining_ = 0;   // body bytes still expected (Body / Skip)
  std::string skip_prefix_;     // the start of a skipped body, for the id
  std::string skip_detail_;     // the error to report after skipping (empty = quiet)
  bool junk_reported_ = false;  // one report per run of junk lines
};

}  // namespace devwatch::rpc
