// Problems a retry cannot fix, as values (SetupProblem, state_change.h):
// a command that cannot be executed (with the PATH directories execvp
// searched), and a server that crashes the same way on every start before it
// was ever ready. Pure functions over the spec, the error and the output,
// plus SameCrashTracker, which counts identical crashes in a row.
// Threading: plain values; the tracker is owned by one DevServer (loop thread).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "supervise/output_ring.h"
#include "supervise/spec.h"
#include "supervise/state_change.h"

namespace devwatch::supervise {

// The directories execvp searches for a bare command name, in order: PATH
// from the server's env, else devwatch's own, else the C library's default
// (/bin:/usr/bin). An empty entry means the current directory (shown as ".").
std::vector<std::string> path_search_dirs(const std::map<std::string, std::string>& env);

// The spawn error of `spec` as a setup problem: the error's text first, then
// the facts a user needs (the PATH searched, a file that is there but not
// executable, a missing cwd) and the fix.
SetupProblem exec_problem(const ServerSpec& spec, const Error& error);

// What makes two crashes "the same": the same exit code or signal and the
// same last line of output of that process (its last stderr line, or its last
// stdout line when it wrote nothing to stderr), compared exactly.
struct CrashSignature {
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::string last_line;
  bool operator==(const CrashSignature&) const = default;
};

// `lines`: that process's output, oldest first.
CrashSignature crash_signature(std::optional<int> exit_code, std::optional<int> signal,
                               const std::vector<OutputLine>& lines);

// Counts identical crashes in a row of a server that was never ready (in
// this devwatch session). A different crash starts a new count; once the
// server has been ready, a crash is a code problem, never a setup problem,
// and the count stays 0.
class SameCrashTracker {
 public:
  std::size_t record(const CrashSignature& signature);  // the count so far, this crash included
  void ready() {
    ever_ready_ = true;
    count_ = 0;
  }
  std::size_t count() const { return count_; }

 private:
  CrashSignature last_;
  std::size_t count_ = 0;
  bool ever_ready_ = false;
};

// The setup problem for `count` identical crashes; `lines` is the last
// crash's output (a missing Python module gets a pip fix for the command's
// interpreter).
SetupProblem same_crash_problem(const ServerSpec& spec, const CrashSignature& signature, std::size_t count,
                                const std::vector<OutputLine>& lines);

// True when `path` (absolute) appears in one of `lines`: a traceback names
// the files a change to which could fix the crash.
bool output_names(const std::vector<std::string>& lines, const std::string& path);

}  // namespace devwatch::supervise
