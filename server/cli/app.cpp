#include "cli/app.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <vector>

#include <spdlog/spdlog.h>

#include "check/check.h"
#include "cli/options.h"
#include "cli/run_command.h"
#include "cli/stdio_command.h"
#include "cli/watch_command.h"
#include "common/log.h"
#include "common/version.h"

namespace devwatch::cli {
namespace {

Result<void> setup_logging(const Options& options) {
  LogOptions log;
  std::optional<std::string> level = options.log_level;
  if (!level) {
    if (const char* env = std::getenv("DEVWATCH_LOG"); env && *env) level = env;
  }
  if (level) {
    auto parsed = parse_log_level(*level);
    if (!parsed) return parsed.error();
    log.level = parsed.value();
  }
  log.file = options.log_file;
  return init_logging(log);
}

int run_check(const Options& options) {
  char cwd[4096];
  std::string root = ::getcwd(cwd, sizeof cwd) ? cwd : ".";
  auto report = check::run_checks(root);
  if (options.json) {
    std::cout << report.to_json().dump(2) << std::endl;
  } else {
    std::cout << report.to_text() << std::flush;
  }
  return report.exit_code();
}

}  // namespace

int run_app(int argc, char** argv) {
  guard_standard_fds();
  // A client that goes away must give us EPIPE, not kill us.
  std::signal(SIGPIPE, SIG_IGN);

  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parse_options(args);
  if (!parsed) {
    std::cerr << "devwatch: " << parsed.error().message << "\n";
    return 2;
  }
  Options options = std::move(parsed.value());
  if (auto logging = setup_logging(options); !logging) {
    std::cerr << "devwatch: " << logging.error().message << "\n";
    return 2;
  }
  if (options.command == Command::None) {
    if (::isatty(STDIN_FILENO)) {
      std::cerr << usage();
      return 2;
    }
    options.command = Command::Stdio;
  }
  switch (options.command) {
    case Command::Version:
      std::cout << "devwatch " << DEVWATCH_VERSION << "\n";
      return 0;
    case Command::Help:
      std::cout << usage();
      return 0;
    case Command::Check:
      return run_check(options);
    case Command::Stdio:
      return run_stdio(options);
    case Command::Watch:
      return run_watch_command(options.rest);
    case Command::Run:
      return run_run_command(options.rest);
    case Command::None:
      break;
  }
  return 2;
}

}  // namespace devwatch::cli
