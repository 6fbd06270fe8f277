// Which commands can be preloaded, and the zygote's command line: the same
// interpreter and options as the server, then the launcher, then the whole
// command (the launcher rebuilds sys.path and sys.argv from it).
#include <catch2/catch.hpp>

#include "preload/plan.h"

namespace dp = devwatch::preload;
using devwatch::supervise::ServerSpec;

namespace {

ServerSpec spec_of(std::vector<std::string> command) {
  ServerSpec spec;
  spec.name = "web";
  spec.command = std::move(command);
  spec.preload.enabled = true;
  return spec;
}

}  // namespace

TEST_CASE("a script command keeps its interpreter options in front of the launcher", "[preload][plan]") {
  auto argv = dp::zygote_argv(spec_of({"/v/bin/python", "-u", "-X", "dev", "manage.py", "runserver"}), "/d/l.py",
                              "/d/z.sock");
  REQUIRE(argv.ok());
  CHECK(*argv == std::vector<std::string>{"/v/bin/python", "-u", "-X", "dev", "/d/l.py", "--socket", "/d/z.sock",
                                          "--", "/v/bin/python", "-u", "-X", "dev", "manage.py", "runserver"});
}

TEST_CASE("a module list is passed on, -m commands are preloadable", "[preload][plan]") {
  ServerSpec spec = spec_of({"python3.11", "-m", "django", "runserver"});
  spec.preload.modules = {"django", "rest_framework.serializers"};
  auto argv = dp::zygote_argv(spec, "/l.py", "/z.sock");
  REQUIRE(argv.ok());
  CHECK((*argv)[4] == "--modules");
  CHECK((*argv)[5] == "django,rest_framework.serializers");
}

TEST_CASE("commands that cannot be preloaded say why", "[preload][plan]") {
  auto reason = [](ServerSpec spec) {
    auto argv = dp::zygote_argv(spec, "/l.py", "/z.sock");
    REQUIRE_FALSE(argv.ok());
    return argv.error().message;
  };
  ServerSpec shell = spec_of({"python manage.py runserver"});
  shell.shell = true;
  CHECK_THAT(reason(shell), Catch::Contains("through a shell"));
  CHECK_THAT(reason(spec_of({"node", "server.js"})), Catch::Contains("node is not a Python interpreter"));
  CHECK_THAT(reason(spec_of({"python", "-c", "print(1)"})), Catch::Contains("-c is not supported"));
  CHECK_THAT(reason(spec_of({"python", "-i", "x.py"})), Catch::Contains("-i is not supported"));
  CHECK_THAT(reason(spec_of({"python", "-u"})), Catch::Contains("no script or -m module"));
  CHECK_THAT(reason(spec_of({"python", "-m"})), Catch::Contains("-m needs a module name"));
}
