#include "diagnose/python_traceback.h"

#include <utility>

#include "diagnose/text.h"

namespace devwatch::diagnose {
namespace {

// Bounds that keep a flooding or looping server from exhausting memory. A
// RecursionError prints ~1000 frames; the innermost ones are what we need.
constexpr std::size_t kMaxFrames = 200;
constexpr std::size_t kMaxChain = 16;
// A traceback interrupted by this many unrelated lines is abandoned.
constexpr std::size_t kMaxNoise = 50;
constexpr std::size_t kMaxBlanks = 2;

constexpr std::string_view kHeader = "Traceback (most recent call last):";
constexpr std::string_view kCauseMarker =
    "The above exception was the direct cause of the following exception:";
constexpr std::string_view kContextMarker =
    "During handling of the above exception, another exception occurred:";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\v'; }

std::size_t leading_space(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

bool is_blank(std::string_view s) { return leading_space(s) == s.size(); }

// `  File "/a/b.py", line 12, in view` or, for a SyntaxError, without ", in".
std::optional<Frame> parse_frame_line(std::string_view s) {
  std::size_t indent = leading_space(s);
  if (indent == 0) return std::nullopt;
  s.remove_prefix(indent);
  constexpr std::string_view kFile = "File \"";
  if (!s.starts_with(kFile)) return std::nullopt;
  s.remove_prefix(kFile.size());
  // The last `", line ` ends the path: a path may itself contain quotes.
  constexpr std::string_view kLine = "\", line ";
  std::size_t at = s.rfind(kLine);
  if (at == std::string_view::npos) return std::nullopt;
  Frame frame;
  frame.path = truncate_utf8(s.substr(0, at));
  std::string_view rest = s.substr(at + kLine.size());
  std::size_t digits = 0;
  long value = 0;
  while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') {
    if (value < 100000000) value = value * 10 + (rest[digits] - '0');
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  frame.line = static_cast<int>(value);
  rest.remove_prefix(digits);
  constexpr std::string_view kIn = ", in ";
  if (rest.starts_with(kIn)) {
    frame.function = truncate_utf8(trim(rest.substr(kIn.size())));
  } else if (!is_blank(rest)) {
    return std::nullopt;
  }
  return frame;
}

// `    ~~^~~` or `          ^`: carets under the code line.
bool is_caret_line(std::string_view s) {
  std::size_t indent = leading_space(s);
  if (indent == 0 || indent == s.size()) return false;
  bool marks = false;
  for (std::size_t i = indent; i < s.size(); ++i) {
    char c = s[i];
    if (c == '^' || c == '~') {
      marks = true;
    } else if (!is_space(c)) {
      return false;
    }
  }
  return marks;
}

// `ValueError: bad x`, `KeyboardInterrupt`, `django.core.exceptions.X: …`.
bool is_exception_line(std::string_view s) {
  if (s.empty()) return false;
  char first = s[0];
  if (!(first == '_' || (first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z'))) {
    return false;
  }
  std::size_t i = 0;
  while (i < s.size() && i < 256) {
    char c = s[i];
    bool ident = c == '_' || c == '.' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
                 (c >= 'a' && c <= 'z');
    if (!ident) break;
    ++i;
  }
  if (i == s.size()) return true;
  return s[i] == ':';
}

std::optional<std::size_t> find_header(std::string_view s) {
  std::size_t at = s.find(kHeader);
  if (at == std::string_view::npos) return std::nullopt;
  if (!is_blank(s.substr(at + kHeader.size()))) return std::nullopt;
  return at;
}

}  // namespace

CrashParser::CrashParser(CrashParserOptions options) : options_(std::move(options)) {
  if (options_.cwd.empty()) options_.cwd = options_.workspace_root;
  if (!options_.read_line) options_.read_line = read_source_line;
}

void CrashParser::reset() {
  state_ = State::Idle;
  prefix_.clear();
  chain_.clear();
  noise_lines_ = 0;
  blank_lines_ = 0;
}

void CrashParser::start_part() {
  if (chain_.size() == kMaxChain) chain_.erase(chain_.begin());
  chain_.emplace_back();
  noise_lines_ = 0;
  blank_lines_ = 0;
}

std::vector<CrashReport> CrashParser::emit() {
  std::vector<CrashReport> out;
  if (!chain_.empty() && !chain_.back().exception.empty()) {
    CrashReport report;
    report.chain = std::move(chain_);
    report.diagnostic = diagnostic_for(report.chain, options_);
    out.push_back(std::move(report));
  }
  reset();
  return out;
}

bool CrashParser::strip_prefix(std::string_view& line) const {
  if (prefix_.empty()) return true;
  if (!line.starts_with(prefix_)) return false;
  line.remove_prefix(prefix_.size());
  return true;
}

std::vector<CrashReport> CrashParser::feed(std::string_view line) {
  if (line.ends_with('\r')) line.remove_suffix(1);
  std::vector<CrashReport> out;
  process(line, out);
  return out;
}

std::vector<CrashReport> CrashParser::finish() {
  if (state_ == State::AfterException || state_ == State::ExpectChained) return emit();
  reset();
  return {};
}

void CrashParser::process(std::string_view raw, std::vector<CrashReport>& out) {
  switch (state_) {
    case State::Idle: {
      if (auto at = find_header(raw)) {
        start_part();
        prefix_ = std::string(raw.substr(0, *at));
        state_ = State::InTraceback;
        return;
      }
      // A SyntaxError in the main script has no "Traceback" header.
      if (auto frame = parse_frame_line(raw); frame && frame->function.empty()) {
        start_part();
        chain_.back().frames.push_back(std::move(*frame));
        state_ = State::InTraceback;
      }
      return;
    }

    case State::InTraceback: {
      std::string_view line = raw;
      if (!strip_prefix(line)) {
        if (++noise_lines_ > kMaxNoise) reset();
        return;
      }
      TracebackPart& part = chain_.back();
      if (find_header(line)) {
        // A new traceback before this one ended: the old one was cut off.
        part = TracebackPart{};
        return;
      }
      if (auto frame = parse_frame_line(line)) {
        if (part.frames.size() == kMaxFrames) {
          part.frames.erase(part.frames.begin());
          ++part.dropped_frames;
        }
        part.frames.push_back(std::move(*frame));
        return;
      }
      if (is_blank(line)) return;
      if (is_space(line[0])) {
        if (part.frames.empty()) return;
        Frame& last = part.frames.back();
        if (is_caret_line(line) && last.caret_start < 0 && !last.code.empty()) {
          // Python prints the code 4 columns in and the carets under it.
          std::size_t first = line.find_first_of("^~");
          std::size_t end = line.find_last_of("^~") + 1;
          int base = 4;
          if (first >= static_cast<std::size_t>(base)) {
            last.caret_start = static_cast<int>(first) - base;
            last.caret_end = static_cast<int>(end) - base;
          }
        } else if (last.code.empty() && last.caret_start < 0) {
          last.code = truncate_utf8(trim(line));
        }
        // Anything else ("[Previous line repeated 996 more times]") is context only.
        return;
      }
      if (is_exception_line(line)) {
        part.exception = truncate_utf8(trim_right(line));
        state_ = State::AfterException;
        blank_lines_ = 0;
        return;
      }
      if (++noise_lines_ > kMaxNoise) reset();
      return;
    }

    case State::AfterException:
    case State::ExpectChained: {
      std::string_view line = raw;
      bool ours = strip_prefix(line);
      if (ours && is_blank(line)) {
        if (++blank_lines_ > kMaxBlanks) {
          for (auto& r : emit()) out.push_back(std::move(r));
        }
        return;
      }
      if (ours && state_ == State::AfterException) {
        std::string_view text = trim(line);
        if (text == kCauseMarker || text == kContextMarker) {
          chain_.back().link_to_next = text == kCauseMarker ? ChainLink::Cause : ChainLink::Context;
          state_ = State::ExpectChained;
          blank_lines_ = 0;
          return;
        }
      }
      if (ours && state_ == State::ExpectChained && find_header(line)) {
        start_part();
        state_ = State::InTraceback;
        return;
      }
      // The report is over; this line may start the next one.
      for (auto& r : emit()) out.push_back(std::move(r));
      process(raw, out);
      return;
    }
  }
}

std::vector<Diagnostic> parse_python_crash(const std::vector<std::string>& lines,
                                           const std::string& workspace_root) {
  CrashParser parser(CrashParserOptions{workspace_root, {}, read_source_line});
  std::vector<Diagnostic> out;
  auto take = [&out](std::vector<CrashReport> reports) {
    // cppcheck-suppress constVariable  // moved from, so not const
    for (auto& r : reports) {
      if (r.diagnostic) out.push_back(std::move(*r.diagnostic));
    }
  };
  for (const auto& line : lines) take(parser.feed(line));
  take(parser.finish());
  return out;
}

}  // namespace devwatch::diagnose
