// What Django itself would do in this project: runs the project's
// interpreter (the one the zero-config detection picks) once with a small
// embedded probe script and turns its answer into check items — Django's
// version, whether pywatchman imports and passes its capability check (with
// the exception Django swallows), the reloader get_reloader() returns, and
// whether devwatch.django is in INSTALLED_APPS.
// Threading: blocking (runs a child process, at most `timeout_ms`).
#pragma once

#include <string>
#include <vector>

#include "check/check.h"
#include "common/json.h"

namespace devwatch::check {

// The probe's answer: the JSON object it printed, or {"probeError": "..."}
// when the interpreter could not run it (exec failure, timeout, no JSON).
json run_django_probe(const std::string& interpreter, const std::string& root, int timeout_ms = 30000);

// The short form for `devwatch run`'s start: only whether `interpreter`
// imports Django (the same answer keys: python, pythonVersion, django or
// djangoError, or probeError), about one interpreter start-up.
json run_django_import_probe(const std::string& interpreter, const std::string& root, int timeout_ms = 30000);

// Check items from a probe answer; `interpreter_why` is the detection's
// explanation ("interpreter: .venv/bin/python (found)").
std::vector<Item> django_items(const json& probe, const std::string& interpreter,
                               const std::string& interpreter_why);

// The embedded script (for tests and --json consumers).
const char* django_probe_script();

}  // namespace devwatch::check
