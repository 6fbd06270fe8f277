#include "cli/run_preflight.h"

#include "check/django_probe.h"

namespace devwatch::cli {

std::optional<check::Item> preflight(const workspace::RootStatus& status, const supervise::ServerSpec& spec) {
  // Only the detected project: a configured command is the user's own choice
  // (and a crash of it is still reported as a setup problem when it repeats).
  if (status.source != "detected Django project" || spec.command.empty()) return std::nullopt;
  std::string why;
  for (const auto& line : status.explanation)
    if (line.rfind("interpreter:", 0) == 0) why = line;
  const std::string& interpreter = spec.command.front();
  auto items = check::django_items(check::run_django_import_probe(interpreter, spec.cwd), interpreter, why);
  if (items.empty() || items.front().status != check::Status::Fail) return std::nullopt;
  return items.front();
}

}  // namespace devwatch::cli
