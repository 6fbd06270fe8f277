#include "supervise/setup_problem.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "supervise/wait_status.h"

namespace devwatch::supervise {
namespace {

namespace fs = std::filesystem;

std::string join(const std::vector<std::string>& parts, const char* sep = ", ") {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool executable(const fs::path& p) { return is_file(p) && ::access(p.c_str(), X_OK) == 0; }

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.pop_back();
  return text;
}

constexpr const char* kExecRetry = "devwatch tries again when the configuration changes or on a start or restart request";
constexpr const char* kCrashRetry =
    "devwatch no longer restarts it on every edit; it tries again when the configuration changes, when a file "
    "named in the crash output changes, or on a start or restart request";

// The facts and the fix for a bare command name looked up on PATH.
std::pair<std::string, std::string> path_lookup(const ServerSpec& spec, const std::string& cmd,
                                                std::vector<std::string>& searched) {
  searched = path_search_dirs(spec.env);
  std::vector<std::string> found, not_executable;
  for (const auto& dir : searched) {
    fs::path candidate = (dir == "." ? fs::path(spec.cwd) : fs::path(dir)) / cmd;
    if (executable(candidate)) {
      found.push_back(candidate.string());
    } else if (is_file(candidate)) {
      not_executable.push_back(candidate.string());
    }
  }
  if (!found.empty()) {
    return {"; found " + found.front() + " on PATH, but the kernel could not run it",
            "check its first line: a #! interpreter that does not exist gives this error"};
  }
  if (!not_executable.empty()) {
    return {"; " + join(not_executable) + " is on PATH but not executable",
            "chmod +x " + not_executable.front() + ", or give the absolute path of an executable in \"command\""};
  }
  return {"; " + cmd + " is in none of PATH's directories (" + join(searched) + ")",
          "install " + cmd + ", or add the folder that holds it to PATH (or to the server's \"env\"), or give its "
          "absolute path in \"command\""};
}

}  // namespace

std::vector<std::string> path_search_dirs(const std::map<std::string, std::string>& env) {
  std::string path;
  if (auto it = env.find("PATH"); it != env.end()) {
    path = it->second;
  } else if (const char* own = std::getenv("PATH")) {
    path = own;
  } else {
    path = "/bin:/usr/bin";  // confstr(_CS_PATH), what execvp uses without PATH
  }
  std::vector<std::string> dirs;
  std::size_t start = 0;
  while (true) {
    std::size_t colon = path.find(':', start);
    std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    dirs.push_back(dir.empty() ? "." : dir);
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return dirs;
}

SetupProblem exec_problem(const ServerSpec& spec, const Error& error) {
  SetupProblem problem;
  problem.kind = SetupProblem::Kind::Exec;
  const auto argv = effective_argv(spec);
  const std::string cmd = argv.empty() ? std::string() : argv.front();
  std::string facts;
  std::string fix = "fix the server's \"command\"";
  std::error_code ec;
  if (!spec.cwd.empty() && !fs::is_directory(spec.cwd, ec)) {
    fix = "create " + spec.cwd + ", or set the server's \"cwd\" to a folder that exists";
  } else if (!cmd.empty() && cmd.find('/') == std::string::npos) {
    std::tie(facts, fix) = path_lookup(spec, cmd, problem.searched);
  } else if (!cmd.empty()) {
    fs::path program = fs::path(cmd).is_absolute() ? fs::path(cmd) : fs::path(spec.cwd) / cmd;
    if (!is_file(program)) {
      fix = program.string() + " does not exist: fix the path in \"command\"";
    } else if (!executable(program)) {
      fix = "chmod +x " + program.string();
    } else {
      fix = "check the first line of " + program.string() + ": a #! interpreter that does not exist gives this error";
    }
  }
  problem.message = error.message + facts;
  problem.fix = fix + "; " + kExecRetry;
  return problem;
}

CrashSignature crash_signature(std::optional<int> exit_code, std::optional<int> signal,
                               const std::vector<OutputLine>& lines) {
  CrashSignature sig{exit_code, signal, {}};
  std::string last_out;
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    std::string text = trimmed(it->text);
    if (text.empty()) continue;
    if (it->stream == Stream::Stderr) {
      sig.last_line = std::move(text);
      return sig;
    }
    if (last_out.empty()) last_out = std::move(text);
  }
  sig.last_line = std::move(last_out);
  return sig;
}

std::size_t SameCrashTracker::record(const CrashSignature& signature) {
  if (ever_ready_) return 0;
  if (count_ > 0 && signature == last_) {
    ++count_;
  } else {
    last_ = signature;
    count_ = 1;
  }
  return count_;
}

SetupProblem same_crash_problem(const ServerSpec& spec, const CrashSignature& signature, std::size_t count,
                                const std::vector<OutputLine>& lines) {
  SetupProblem problem;
  problem.kind = SetupProblem::Kind::SameCrash;
  problem.crashes = count;
  std::string exit = signature.signal ? "killed by " + signal_name(*signature.signal)
                     : signature.exit_code ? "exit " + std::to_string(*signature.exit_code)
                                           : "exited";
  problem.message = "a setup problem: it crashed " + std::to_string(count) +
                    " times in a row the same way and was never ready (" + exit +
                    (signature.last_line.empty() ? "" : ": " + signature.last_line) + ")";
  // A module that is not installed: the fix is pip, into the interpreter that ran.
  std::string module;
  const std::string marker = "No module named '";
  for (auto it = lines.rbegin(); it != lines.rend() && module.empty(); ++it) {
    auto at = it->text.find(marker);
    if (at == std::string::npos) continue;
    auto end = it->text.find('\'', at + marker.size());
    if (end != std::string::npos) module = it->text.substr(at + marker.size(), end - at - marker.size());
  }
  if (auto dot = module.find('.'); dot != std::string::npos) module.resize(dot);
  const auto argv = effective_argv(spec);
  const std::string program = argv.empty() ? std::string() : argv.front();
  const bool python = fs::path(program).filename().string().rfind("python", 0) == 0;
  if (!module.empty() && python) {
    problem.fix = "install the package that provides '" + module + "' into " + program + " (" + program +
                  " -m pip install " + module + "), or point \"command\" at the project's virtualenv interpreter";
  } else if (!module.empty()) {
    problem.fix = "install the package that provides '" + module + "' for the interpreter this command runs";
  } else {
    problem.fix = "fix what the last line says; an edit to the project's files did not change it";
  }
  problem.fix += "; ";
  problem.fix += kCrashRetry;
  return problem;
}

bool output_names(const std::vector<std::string>& lines, const std::string& path) {
  if (path.empty()) return false;
  for (const auto& line : lines) {
    if (line.find(path) != std::string::npos) return true;
  }
  return false;
}

}  // namespace devwatch::supervise
