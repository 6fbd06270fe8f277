#include "config/django.h"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>

namespace devwatch::config {
namespace {

namespace fs = std::filesystem;

bool is_executable_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

struct Interpreter {
  std::string program;  // what goes in argv[0]
  std::string why;
};

// Never canonicalised: a venv's bin/python is a symlink to the system
// interpreter, and following it would lose the venv's site-packages.
Interpreter find_interpreter(const fs::path& root, const EnvLookup& env) {
  std::vector<std::string> missing;
  for (const char* rel : {".venv/bin/python", "venv/bin/python"}) {
    fs::path candidate = root / rel;
    if (is_executable_file(candidate)) {
      std::string why = std::string(rel) + " (found)";
      if (!missing.empty()) why += "; not found: " + join(missing, ", ");
      return {candidate.string(), why};
    }
    std::error_code ec;
    if (fs::exists(candidate.parent_path().parent_path(), ec)) {
      missing.emplace_back(std::string(rel) + " (directory exists, interpreter missing or not executable)");
    } else {
      missing.emplace_back(rel);
    }
  }
  if (auto venv = env ? env("VIRTUAL_ENV") : std::nullopt; venv && !venv->empty()) {
    fs::path candidate = fs::path(*venv) / "bin" / "python";
    if (is_executable_file(candidate)) {
      return {candidate.string(), "$VIRTUAL_ENV/bin/python = " + candidate.string() + " (found; not found: " +
                                      join(missing, ", ") + ")"};
    }
    missing.emplace_back("$VIRTUAL_ENV/bin/python (" + candidate.string() + " missing or not executable)");
  } else {
    missing.emplace_back("$VIRTUAL_ENV (not set)");
  }
  return {"python3", "python3 from PATH (not found: " + join(missing, ", ") + ")"};
}

std::vector<std::string> words(const std::vector<std::string>& command, bool shell) {
  if (!shell) return command;
  std::vector<std::string> out;
  for (const auto& part : command) {
    std::size_t i = 0;
    while (i < part.size()) {
      std::size_t end = part.find_first_of(" \t\n;&|", i);
      if (end == std::string::npos) end = part.size();
      if (end > i) out.push_back(part.substr(i, end - i));
      i = end + 1;
    }
  }
  return out;
}

}  // namespace

const char* const kRunserverStopWhy =
    "Django's runserver has nothing to flush: SIGTERM ends it in about 6 ms where SIGINT's KeyboardInterrupt "
    "teardown takes 120-200 ms, on every restart";

bool is_django_runserver(const std::vector<std::string>& command, bool shell) {
  const auto w = words(command, shell);
  bool django = false;
  for (std::size_t i = 0; i < w.size(); ++i) {
    std::string name = fs::path(w[i]).filename().string();
    if (name == "manage.py" || name.rfind("django-admin", 0) == 0 ||
        (w[i] == "-m" && i + 1 < w.size() && w[i + 1] == "django")) {
      django = true;
    } else if (django && w[i] == "runserver") {
      return true;
    }
  }
  return false;
}

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

std::optional<DetectedServer> detect_django(const std::string& root_dir, const EnvLookup& env,
                                            const DjangoOptions& options) {
  fs::path root = fs::path(root_dir).lexically_normal();
  std::string root_str = root.string();
  while (root_str.size() > 1 && root_str.back() == '/') root_str.pop_back();
  std::error_code ec;
  if (!fs::is_regular_file(root / "manage.py", ec)) return std::nullopt;

  DetectedServer out;
  auto& spec = out.spec;
  auto& why = out.explanation;
  spec.name = "django";
  spec.root = root_str;
  spec.cwd = root_str;
  why.emplace_back("project: manage.py found in " + root_str + " (no devwatch.json servers configured)");

  Interpreter python = find_interpreter(root, env);
  why.emplace_back("interpreter: " + python.why);

  std::string address = options.host + ":" + std::to_string(options.port);
  spec.command = {python.program, "manage.py", "runserver", "--noreload", address};
  why.emplace_back("command: " + join(spec.command, " ") +
                " (--noreload: devwatch restarts the server itself; Django's reloader would watch the "
                "same files a second time)");

  // Piped stdout is block-buffered in Python: without this, "Starting
  // development server" and print() output would arrive late or at exit.
  spec.env["PYTHONUNBUFFERED"] = "1";
  why.emplace_back("env: PYTHONUNBUFFERED=1 (output reaches devwatch line by line, not in 8 KiB blocks)");

  spec.ready.port = options.port;
  spec.ready.host = options.host;
  why.emplace_back("ready: when " + address + " accepts a TCP connection");

  spec.restart_on = {"**/*.py", "**/templates/**", "**/locale/**/*.mo"};
  why.emplace_back(
      "restartOn: **/*.py (code is imported once per process); **/templates/** (Django >= 4.1 uses the "
      "cached template loader even with DEBUG=True, and only its autoreloader clears that cache, which "
      "--noreload turns off); **/locale/**/*.mo (compiled translations are loaded once per process)");

  spec.ignore = {"**/static/**", "**/media/**", ".venv/**", "venv/**", "**/node_modules/**", "**/__pycache__/**"};
  why.emplace_back(
      "ignore: **/static/**, **/media/** (served from disk on every request, a restart would only cost "
      "time); .venv/**, venv/**, **/node_modules/** (installed packages); **/__pycache__/** (bytecode "
      "Python writes itself)");

  // runserver --noreload has nothing to flush: SIGTERM's default action ends
  // it at once, where SIGINT runs Python's KeyboardInterrupt teardown first.
  spec.stop_signal = SIGTERM;
  spec.stop_signal_why = std::string("the detected Django server: ") + kRunserverStopWhy;
  why.emplace_back(std::string("stop: SIGTERM, then SIGKILL after 5000 ms (") + kRunserverStopWhy + ")");
  return out;
}

}  // namespace devwatch::config
