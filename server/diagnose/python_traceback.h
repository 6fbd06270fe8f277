// Recognises Python tracebacks and SyntaxError reports in a dev server's
// output and turns each into a Diagnostic on the innermost frame that lies in
// the workspace. Fed line by line, so the supervisor can call it as output
// arrives; memory stays bounded whatever the output (long lines are cut,
// frames beyond a cap are counted, not kept).
// Thread-safety: a CrashParser is used by one thread at a time; the free
// functions are pure apart from reading source lines through the reader.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diagnose/diagnostic.h"

namespace devwatch::diagnose {

// One `File "…", line N[, in func]` entry as Python printed it.
struct Frame {
  std::string path;      // as printed ("<frozen importlib._bootstrap>" kept)
  int line = 0;          // 1-based, as printed
  std::string function;  // empty for a SyntaxError location (no ", in …")
  std::string code;      // the source line as printed (Python strips it)
  // Caret marks under the code line (SyntaxError '^', or 3.11+ '~~^^'),
  // as offsets into `code`; -1 when Python printed none.
  int caret_start = -1;
  int caret_end = -1;
};

// How one traceback of a chain leads to the next one Python printed.
enum class ChainLink { None, Cause, Context };

struct TracebackPart {
  std::vector<Frame> frames;  // outermost first, as printed
  std::size_t dropped_frames = 0;  // beyond the cap, from the outer end
  std::string exception;      // "ValueError: bad x"
  ChainLink link_to_next = ChainLink::None;
};

// A complete report: the chain in printed order, so the LAST part is the
// exception that actually propagated. `diagnostic` is empty when no frame of
// the chain lies in the workspace (the crash is then only reported by the
// supervisor's crash message, which quotes `final_exception()`).
struct CrashReport {
  std::vector<TracebackPart> chain;
  std::optional<Diagnostic> diagnostic;
  const std::string& final_exception() const { return chain.back().exception; }
};

// Returns the text of 1-based line `line` of `path`, or nullopt if unreadable.
// Used to turn Python's stripped code + caret back into a real column.
using SourceLineReader = std::function<std::optional<std::string>(const std::string& path, int line)>;

// Reads from disk (the default).
std::optional<std::string> read_source_line(const std::string& path, int line);

struct CrashParserOptions {
  std::string workspace_root;  // absolute
  std::string cwd;             // resolves relative frame paths; empty = workspace_root
  SourceLineReader read_line = read_source_line;
};

class CrashParser {
 public:
  explicit CrashParser(CrashParserOptions options);

  // One output line without its newline (a trailing '\r' is ignored).
  // Returns the reports this line completed: a report is complete once the
  // line after its exception line shows no chained exception follows.
  std::vector<CrashReport> feed(std::string_view line);

  // End of output (process exited) or a quiet spell: completes a report that
  // waits for a possible chained exception, drops a half-printed one.
  std::vector<CrashReport> finish();

 private:
  enum class State { Idle, InTraceback, AfterException, ExpectChained };
  void start_part();
  void reset();
  std::vector<CrashReport> emit();
  bool strip_prefix(std::string_view& line) const;
  void process(std::string_view raw, std::vector<CrashReport>& out);

  CrashParserOptions options_;
  State state_ = State::Idle;
  std::string prefix_;  // e.g. "web_1  | " before "Traceback …", stripped after
  std::vector<TracebackPart> chain_;
  std::size_t noise_lines_ = 0;
  std::size_t blank_lines_ = 0;
};

// Builds the diagnostic for a parsed chain (what CrashParser does on emit).
std::optional<Diagnostic> diagnostic_for(const std::vector<TracebackPart>& chain,
                                         const CrashParserOptions& options);

// Whole-output convenience: every report's diagnostic, in output order.
std::vector<Diagnostic> parse_python_crash(const std::vector<std::string>& lines,
                                           const std::string& workspace_root);

// True if `path` (absolute, normalised) is the user's code: under the root
// and not inside site-packages, dist-packages or a virtualenv directory.
bool is_workspace_source(const std::string& path, const std::string& workspace_root);

}  // namespace devwatch::diagnose
