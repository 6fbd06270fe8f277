// Zero-config Django: with no devwatch.json and a manage.py at the root,
// a "django" server running `runserver --noreload` under the project's
// interpreter, restarted on Python, template and compiled-translation
// changes. Each choice comes with a one-line explanation for `devwatch check`.
// Thread-safe: reads the file system and the injected environment only.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "supervise/spec.h"

namespace devwatch::config {

// Looks up an environment variable; injected so tests control $VIRTUAL_ENV.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_env();  // getenv

struct DjangoOptions {
  std::string host = "127.0.0.1";
  int port = 8000;
};

struct DetectedServer {
  supervise::ServerSpec spec;
  // "interpreter: .venv/bin/python (found)", one line per choice.
  std::vector<std::string> explanation;
};

// True for a command that runs Django's development server: `manage.py
// runserver`, `django-admin runserver` or `python -m django runserver`, also
// behind a wrapper (uv run, poetry run) or in a shell command line.
bool is_django_runserver(const std::vector<std::string>& command, bool shell);

// Why runserver gets SIGTERM: the explanation both the detection and a
// configured runserver without stopSignal give.
extern const char* const kRunserverStopWhy;

// nullopt when root has no manage.py (a regular file).
std::optional<DetectedServer> detect_django(const std::string& root, const EnvLookup& env,
                                            const DjangoOptions& options = {});

}  // namespace devwatch::config
