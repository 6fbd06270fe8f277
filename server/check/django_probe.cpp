#include "check/django_probe.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace devwatch::check {
namespace {

// Python 3.6+; prints one JSON object. Never imports the project's apps:
// only Django, pywatchman and the settings module (for INSTALLED_APPS).
constexpr const char* kProbe = R"PY(
import json, os, re, sys
out = {"python": sys.executable, "pythonVersion": "%d.%d.%d" % tuple(sys.version_info[:3])}
def text(e):
    return "%s: %s" % (type(e).__name__, e)
def done():
    sys.stdout.write(json.dumps(out) + "\n")
    sys.exit(0)
try:
    import django
    out["django"] = django.get_version()
except BaseException as e:
    out["djangoError"] = text(e)
    done()
try:
    import pywatchman
    try:
        from importlib import metadata
        out["pywatchman"] = metadata.version("pywatchman")
    except Exception:
        out["pywatchman"] = getattr(pywatchman, "__version__", "?")
    try:
        result = pywatchman.client(timeout=0.1).capabilityCheck()
        out["watchman"] = result.get("version")
    except BaseException as e:
        out["capabilityError"] = text(e)
except ImportError as e:
    out["pywatchmanMissing"] = text(e)
except BaseException as e:
    out["pywatchmanError"] = text(e)
try:
    from django.utils import autoreload
    try:
        autoreload.WatchmanReloader.check_availability()
    except BaseException as e:
        out["watchmanUnavailable"] = str(e)
    out["reloader"] = type(autoreload.get_reloader()).__name__
except BaseException as e:
    out["reloaderError"] = text(e)
try:
    import devwatch
    out["devwatchPackage"] = getattr(devwatch, "__version__", "?")
except BaseException:
    pass
module = os.environ.get("DJANGO_SETTINGS_MODULE")
if not module and os.path.isfile("manage.py"):
    with open("manage.py", encoding="utf-8", errors="replace") as f:
        m = re.search(r"DJANGO_SETTINGS_MODULE['\"]\s*,\s*['\"]([\w.]+)['\"]", f.read())
    module = m.group(1) if m else None
out["settingsModule"] = module
if module:
    sys.path.insert(0, os.getcwd())
    try:
        import importlib
        apps = [str(a) for a in getattr(importlib.import_module(module), "INSTALLED_APPS", [])]
        out["devwatchApp"] = any(a == "devwatch.django" or a.startswith("devwatch.django.") for a in apps)
    except BaseException as e:
        out["settingsError"] = text(e)
done()
)PY";

// The first lines of kProbe: the interpreter and Django, nothing else.
constexpr const char* kImportProbe = R"PY(
import json, sys
out = {"python": sys.executable, "pythonVersion": "%d.%d.%d" % tuple(sys.version_info[:3])}
try:
    import django
    out["django"] = django.get_version()
except BaseException as e:
    out["djangoError"] = "%s: %s" % (type(e).__name__, e)
sys.stdout.write(json.dumps(out) + "\n")
)PY";

struct Captured {
  std::string out, err;
  int status = -1;
  int exec_errno = 0;
  bool timed_out = false;
};

Captured run_capture(const std::vector<std::string>& argv, const std::string& cwd, int timeout_ms) {
  Captured c;
  int out_pipe[2], err_pipe[2], exec_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) { c.exec_errno = errno; return c; }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) { c.exec_errno = errno; ::close(out_pipe[0]); ::close(out_pipe[1]); return c; }
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    c.exec_errno = errno;
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    return c;
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::setpgid(0, 0);  // its own group: a timeout kills everything it started
    if (::chdir(cwd.c_str()) == 0) {
      ::setenv("PYTHONDONTWRITEBYTECODE", "1", 1);
      ::execvp(args[0], args.data());
    }
    int err = errno;
    (void)!::write(exec_pipe[1], &err, sizeof err);
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ::close(exec_pipe[1]);
  if (pid < 0) {
    c.exec_errno = errno;
    for (int fd : {out_pipe[0], err_pipe[0], exec_pipe[0]}) ::close(fd);
    return c;
  }
  int err = 0;
  if (::read(exec_pipe[0], &err, sizeof err) == static_cast<ssize_t>(sizeof err)) c.exec_errno = err;
  ::close(exec_pipe[0]);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&c.out, &c.err};
  int open_fds = 2;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      c.timed_out = true;
      ::kill(-pid, SIGKILL);
      break;
    }
    int n = ::poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
      if (r > 0) {
        if (sinks[i]->size() < (1u << 20)) sinks[i]->append(buf, static_cast<std::size_t>(r));
      } else if (r == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) ::close(f.fd);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  c.status = status;
  return c;
}

std::string last_line(const std::string& text) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
  auto nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

const char* django_probe_script() { return kProbe; }

namespace {

json run_probe(const char* script, const std::string& interpreter, const std::string& root, int timeout_ms) {
  Captured c = run_capture({interpreter, "-c", script}, root, timeout_ms);
  if (c.exec_errno != 0)
    return json{{"probeError", "cannot run " + interpreter + ": " + std::strerror(c.exec_errno)}};
  if (c.timed_out)
    return json{{"probeError", interpreter + " did not answer within " + std::to_string(timeout_ms / 1000) + " s"}};
  auto line = last_line(c.out);
  auto parsed = json::parse(line, nullptr, false);
  if (parsed.is_object()) return parsed;
  std::string why = last_line(c.err);
  if (why.empty()) why = "no output";
  std::string exit = WIFEXITED(c.status) ? "exit " + std::to_string(WEXITSTATUS(c.status))
                                         : "signal " + std::to_string(WTERMSIG(c.status));
  return json{{"probeError", interpreter + " failed to run the probe (" + exit + "): " + why}};
}

}  // namespace

json run_django_probe(const std::string& interpreter, const std::string& root, int timeout_ms) {
  return run_probe(kProbe, interpreter, root, timeout_ms);
}

json run_django_import_probe(const std::string& interpreter, const std::string& root, int timeout_ms) {
  return run_probe(kImportProbe, interpreter, root, timeout_ms);
}

std::vector<Item> django_items(const json& probe, const std::string& interpreter,
                               const std::string& interpreter_why) {
  std::vector<Item> items;
  const std::string install = interpreter + " -m pip install Django";
  if (probe.contains("probeError")) {
    items.push_back(Item{"django", Status::Fail, str(probe, "probeError") + " (" + interpreter_why + ")",
                         "create the project's virtualenv (python3 -m venv .venv && .venv/bin/pip install Django), "
                         "or activate it before running devwatch",
                         probe});
    return items;
  }
  const std::string python = str(probe, "python") + " (Python " + str(probe, "pythonVersion") + ")";
  if (probe.contains("djangoError")) {
    items.push_back(Item{"django", Status::Fail,
                         "the project's interpreter " + python + " cannot import Django: " +
                             str(probe, "djangoError") + " (" + interpreter_why + ")",
                         "install Django into it: " + install +
                             " (or create .venv with the project's requirements; devwatch picks .venv/bin/python, "
                             "venv/bin/python, $VIRTUAL_ENV, then python3)",
                         probe});
    return items;
  }
  items.push_back(Item{"django", Status::Ok, "Django " + str(probe, "django") + " on " + python, {}, probe});

  // What runserver's autoreloader would be, and why.
  Item reloader{"runserver reloader", Status::Info, {}, {}, json::object()};
  const std::string picked = str(probe, "reloader");
  reloader.data["reloader"] = picked;
  const std::string adopt =
      "pip install devwatch and add \"devwatch.django\" to INSTALLED_APPS (runserver then reloads through "
      "devwatch, and says so when it cannot), or run the server under devwatch: devwatch run";
  if (probe.value("devwatchApp", false)) {
    reloader.data["reloader"] = "DevwatchReloader";
    if (probe.contains("devwatchPackage")) {
      reloader.status = Status::Ok;
      reloader.detail = "runserver reloads with DevwatchReloader (\"devwatch.django\" is in INSTALLED_APPS, "
                        "devwatch package " + str(probe, "devwatchPackage") + ")";
    } else {
      reloader.status = Status::Warn;
      reloader.detail = "\"devwatch.django\" is in INSTALLED_APPS but the devwatch package does not import in " +
                        python + ": runserver will not start";
      reloader.fix = interpreter + " -m pip install devwatch";
    }
  } else if (probe.contains("reloaderError")) {
    reloader.status = Status::Warn;
    reloader.detail = "django.utils.autoreload.get_reloader() failed: " + str(probe, "reloaderError");
  } else if (picked == "WatchmanReloader") {
    reloader.status = Status::Ok;
    reloader.detail = "runserver uses WatchmanReloader (watchman " + str(probe, "watchman") + ")";
  } else if (probe.contains("capabilityError") || probe.contains("pywatchmanError")) {
    const std::string error = probe.contains("capabilityError") ? str(probe, "capabilityError")
                                                                : str(probe, "pywatchmanError");
    reloader.status = Status::Warn;
    reloader.detail = "runserver would silently use " + picked + ": pywatchman " + str(probe, "pywatchman") +
                      " is installed but " +
                      (probe.contains("capabilityError") ? "its capability check raises " : "it fails to import: ") +
                      error + " — Django swallows this (it only logs \"" + str(probe, "watchmanUnavailable") +
                      "\" at debug level) and polls every module once a second";
    reloader.fix = adopt + "; or repair or remove pywatchman (" + interpreter + " -m pip uninstall pywatchman)";
  } else if (probe.contains("watchmanUnavailable") && probe.contains("pywatchman")) {
    reloader.status = Status::Warn;
    reloader.detail = "runserver would use " + picked + ": pywatchman is installed but Django says \"" +
                      str(probe, "watchmanUnavailable") + "\"";
    reloader.fix = adopt;
  } else {
    reloader.detail = "runserver would use " + picked +
                      " (pywatchman is not installed): it polls every module once a second";
    reloader.fix = adopt;
  }
  if (probe.contains("settingsError"))
    reloader.detail += "; the settings module " + str(probe, "settingsModule") +
                       " did not import: " + str(probe, "settingsError");
  items.push_back(std::move(reloader));
  return items;
}

}  // namespace devwatch::check
