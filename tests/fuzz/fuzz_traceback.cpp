// Fuzzes diagnose::CrashParser, which reads every line a dev server prints.
// Input: the output, split on '\n', with the workspace at /ws. Source lines
// are "read" from the input itself (line N of any file is input line N), so
// caret and column mapping meet arbitrary code text without touching disk.
// Properties:
//  - memory stays bounded: at most 200 frames per part and 16 parts per
//    report, stored text cut to kMaxTextBytes (plus the "…" marker);
//  - every report ends with an exception line;
//  - a diagnostic points into the workspace with sane positions
//    (line >= 0, 0 <= column, end_column -1 or >= column);
//  - feeding the same lines with CRLF endings gives the same reports.
#include <string>
#include <string_view>
#include <vector>

#include "diagnose/python_traceback.h"
#include "diagnose/text.h"
#include "fuzz/fuzz_check.h"

namespace dg = devwatch::diagnose;

namespace {

constexpr std::size_t kMaxStored = dg::kMaxTextBytes + 8;

void check_location(const dg::Location& l) {
  FUZZ_CHECK(l.line >= 0 && l.column >= 0);
  FUZZ_CHECK(l.end_column == -1 || l.end_column >= l.column);
}

std::vector<dg::CrashReport> run(const std::vector<std::string_view>& lines, bool crlf) {
  dg::CrashParserOptions options;
  options.workspace_root = "/ws";
  options.read_line = [&lines](const std::string&, int line) -> std::optional<std::string> {
    if (line < 1 || static_cast<std::size_t>(line) > lines.size()) return std::nullopt;
    return std::string(lines[static_cast<std::size_t>(line) - 1]);
  };
  dg::CrashParser parser(options);
  std::vector<dg::CrashReport> all;
  for (auto line : lines) {
    auto reports = crlf ? parser.feed(std::string(line) + "\r") : parser.feed(line);
    for (auto& r : reports) all.push_back(std::move(r));
  }
  for (auto& r : parser.finish()) all.push_back(std::move(r));
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  const bool has_cr = std::string_view(reinterpret_cast<const char*>(data), size).find('\r') != std::string_view::npos;

  const auto reports = run(lines, false);
  for (const auto& report : reports) {
    FUZZ_CHECK(!report.chain.empty() && report.chain.size() <= 16);
    FUZZ_CHECK(!report.final_exception().empty());
    for (const auto& part : report.chain) {
      FUZZ_CHECK(part.frames.size() <= 200);
      FUZZ_CHECK(part.exception.size() <= kMaxStored);
      for (const auto& frame : part.frames) {
        FUZZ_CHECK(frame.path.size() <= kMaxStored && frame.code.size() <= kMaxStored);
        FUZZ_CHECK(frame.function.size() <= kMaxStored);
        FUZZ_CHECK(frame.caret_start <= frame.caret_end);
      }
    }
    if (report.diagnostic) {
      const auto& d = *report.diagnostic;
      check_location(d.location);
      FUZZ_CHECK(dg::is_workspace_source(d.location.path, "/ws"));
      FUZZ_CHECK(!d.message.empty());
      for (const auto& r : d.related) check_location(r.location);
    }
  }

  if (!has_cr) {
    const auto again = run(lines, true);
    FUZZ_CHECK(again.size() == reports.size());
    for (std::size_t i = 0; i < reports.size(); ++i) {
      FUZZ_CHECK(again[i].final_exception() == reports[i].final_exception());
      FUZZ_CHECK(again[i].diagnostic.has_value() == reports[i].diagnostic.has_value());
    }
  }
  return 0;
}
