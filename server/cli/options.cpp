#include "cli/options.h"

#include <charconv>

namespace devwatch::cli {
namespace {

Error usage_error(std::string message) {
  return make_error(ErrorCode::InvalidParams, std::move(message) + " (see 'devwatch --help')");
}

}  // namespace

std::string usage() {
  return R"(devwatch - a native workspace watcher and dev-server supervisor for editors

Usage:
  devwatch [--stdio] [OPTIONS]     serve an editor over stdio (LSP base protocol)
  devwatch check [--json]          diagnose this machine and the workspace here
  devwatch watch [PATH...] [--json] [--exclude GLOB...]
                                   print changes under PATH (default: .)
  devwatch run [OPTIONS] [-- CMD ARGS...]
                                   run the configured, detected or given dev server
                                   in the foreground, restarting it on changes
  devwatch --version | --help

Options:
  --stdio                  editor mode (also the default when stdin is not a terminal)
  --log-level LEVEL        trace|debug|info|warn|error|off (default info; env DEVWATCH_LOG)
  --log-file PATH          append logs to PATH instead of stderr
  --max-message-bytes N    largest accepted message (default 67108864)

stdout carries only the protocol in editor mode; logs go to stderr or --log-file.
)";
}

Result<Options> parse_options(const std::vector<std::string>& args) {
  Options options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](const char* flag) -> Result<std::string> {
      auto eq = arg.find('=');
      if (eq != std::string::npos) return arg.substr(eq + 1);
      if (i + 1 >= args.size()) return usage_error(std::string(flag) + " needs a value");
      return args[++i];
    };
    auto is = [&](const char* flag) { return arg == flag || arg.rfind(std::string(flag) + "=", 0) == 0; };
    if (options.command == Command::Watch || options.command == Command::Run) {
      // Everything after these subcommands is theirs, global flags included.
      options.rest.push_back(arg);
      continue;
    }
    if (arg == "--stdio") {
      options.command = Command::Stdio;
    } else if (arg == "--version" || arg == "-V") {
      options.command = Command::Version;
    } else if (arg == "--help" || arg == "-h") {
      options.command = Command::Help;
    } else if (is("--log-level")) {
      auto v = value("--log-level");
      if (!v) return v.error();
      options.log_level = v.value();
    } else if (is("--log-file")) {
      auto v = value("--log-file");
      if (!v) return v.error();
      options.log_file = v.value();
    } else if (is("--max-message-bytes")) {
      auto v = value("--max-message-bytes");
      if (!v) return v.error();
      std::size_t n = 0;
      auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
      if (ec != std::errc() || ptr != v->data() + v->size() || n == 0) {
        return usage_error("--max-message-bytes needs a positive integer, got '" + v.value() + "'");
      }
      options.max_message_bytes = n;
    } else if (arg == "--json" && options.command == Command::Check) {
      options.json = true;
    } else if (arg == "check" && options.command == Command::None) {
      options.command = Command::Check;
    } else if (arg == "watch" && options.command == Command::None) {
      options.command = Command::Watch;
    } else if (arg == "run" && options.command == Command::None) {
      options.command = Command::Run;
    } else if (!arg.empty() && arg[0] == '-') {
      return usage_error("unknown option '" + arg + "'");
    } else {
      return usage_error("unknown command '" + arg + "'");
    }
  }
  return options;
}

}  // namespace devwatch::cli
