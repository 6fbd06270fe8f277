#include "preload/plan.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace devwatch::preload {
namespace {

// Options that change nothing but what the zygote starts with too: the
// zygote runs with the same ones, so it imports what a cold start would.
constexpr std::array<std::string_view, 10> kFlags = {"-u", "-B", "-b", "-bb", "-O", "-OO", "-s", "-E", "-I", "-P"};

Error unsupported(const std::string& why) {
  return make_error(ErrorCode::ConfigInvalid, "preload is off for this command: " + why);
}

}  // namespace

Result<std::vector<std::string>> zygote_argv(const supervise::ServerSpec& spec, const std::string& launcher,
                                             const std::string& socket) {
  if (spec.shell) return unsupported("it runs through a shell (\"shell\": true); give the command as a list");
  const auto& cmd = spec.command;
  if (cmd.empty()) return unsupported("the command is empty");
  std::string_view program = cmd.front();
  std::string_view base = program.substr(program.find_last_of('/') + 1);
  if (base.rfind("python", 0) != 0) {
    return unsupported(std::string(base) + " is not a Python interpreter; preloading needs `python script.py ...` "
                       "or `python -m module ...`");
  }
  size_t i = 1;
  std::vector<std::string> options;
  while (i < cmd.size() && cmd[i].size() > 1 && cmd[i][0] == '-' && cmd[i] != "-m") {
    const std::string& opt = cmd[i];
    if (opt == "-W" || opt == "-X") {
      if (i + 1 >= cmd.size()) return unsupported(opt + " needs a value");
      options.push_back(opt);
      options.push_back(cmd[i + 1]);
      i += 2;
      continue;
    }
    bool known = std::find(kFlags.begin(), kFlags.end(), opt) != kFlags.end() || opt.rfind("-W", 0) == 0 ||
                 opt.rfind("-X", 0) == 0;
    if (!known) return unsupported("the interpreter option " + opt + " is not supported by preloading");
    options.push_back(opt);
    ++i;
  }
  if (i >= cmd.size()) return unsupported("there is no script or -m module to run");
  if (cmd[i] == "-m" && i + 1 >= cmd.size()) return unsupported("-m needs a module name");
  if (cmd[i] == "-" || cmd[i] == "-c") return unsupported(cmd[i] + " (code from stdin or -c) cannot be preloaded");

  std::vector<std::string> out;
  out.push_back(cmd.front());
  out.insert(out.end(), options.begin(), options.end());
  out.push_back(launcher);
  out.emplace_back("--socket");
  out.push_back(socket);
  if (!spec.preload.modules.empty()) {
    std::string joined;
    for (const auto& m : spec.preload.modules) joined += (joined.empty() ? "" : ",") + m;
    out.emplace_back("--modules");
    out.push_back(joined);
  }
  out.emplace_back("--");
  out.insert(out.end(), cmd.begin(), cmd.end());
  return out;
}

}  // namespace devwatch::preload
