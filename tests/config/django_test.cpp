#include "config/django.h"

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>

#include "config/config.h"
#include "config/config_test_support.h"

namespace dc = devwatch::config;
using dc::test::env_of;
using dc::test::TempDir;

namespace {

bool mentions(const std::vector<std::string>& lines, const std::string& fragment) {
  for (const auto& l : lines) {
    if (l.find(fragment) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("no manage.py, no Django", "[config][django]") {
  TempDir dir;
  CHECK_FALSE(dc::detect_django(dir.path(), env_of({})));
  std::filesystem::create_directory(dir.path() + "/manage.py");  // a directory is not the script
  CHECK_FALSE(dc::detect_django(dir.path(), env_of({})));
}

TEST_CASE("the interpreter is found in each place, in order", "[config][django]") {
  TempDir dir;
  dir.write("manage.py", "#!/usr/bin/env python\n");
  TempDir other_venv;
  std::string venv_python = other_venv.write("bin/python", "#!/bin/sh\n", true);

  SECTION(".venv/bin/python first") {
    std::string p = dir.write(".venv/bin/python", "#!/bin/sh\n", true);
    dir.write("venv/bin/python", "#!/bin/sh\n", true);
    auto d = dc::detect_django(dir.path(), env_of({{"VIRTUAL_ENV", other_venv.path()}}));
    REQUIRE(d);
    CHECK(d->spec.command.at(0) == p);
    CHECK(mentions(d->explanation, "interpreter: .venv/bin/python (found)"));
  }
  SECTION("venv/bin/python next") {
    std::string p = dir.write("venv/bin/python", "#!/bin/sh\n", true);
    auto d = dc::detect_django(dir.path(), env_of({{"VIRTUAL_ENV", other_venv.path()}}));
    REQUIRE(d);
    CHECK(d->spec.command.at(0) == p);
    CHECK(mentions(d->explanation, "interpreter: venv/bin/python (found); not found: .venv/bin/python"));
  }
  SECTION("$VIRTUAL_ENV/bin/python then") {
    auto d = dc::detect_django(dir.path(), env_of({{"VIRTUAL_ENV", other_venv.path()}}));
    REQUIRE(d);
    CHECK(d->spec.command.at(0) == venv_python);
    CHECK(mentions(d->explanation, "interpreter: $VIRTUAL_ENV/bin/python = " + venv_python + " (found"));
  }
  SECTION("python3 from PATH last") {
    auto d = dc::detect_django(dir.path(), env_of({}));
    REQUIRE(d);
    CHECK(d->spec.command.at(0) == "python3");
    CHECK(mentions(d->explanation, "interpreter: python3 from PATH (not found: .venv/bin/python, venv/bin/python, "
                                   "$VIRTUAL_ENV (not set))"));
  }
  SECTION("a non-executable or broken interpreter is skipped and said so") {
    dir.write(".venv/bin/python", "not executable", false);
    std::filesystem::create_directories(dir.path() + "/venv/bin");
    std::filesystem::create_symlink("/nonexistent/python3.99", dir.path() + "/venv/bin/python");
    auto d = dc::detect_django(dir.path(), env_of({{"VIRTUAL_ENV", "/nonexistent-venv"}}));
    REQUIRE(d);
    CHECK(d->spec.command.at(0) == "python3");
    CHECK(mentions(d->explanation, ".venv/bin/python (directory exists, interpreter missing or not executable)"));
    CHECK(mentions(d->explanation, "$VIRTUAL_ENV/bin/python (/nonexistent-venv/bin/python missing or not executable)"));
  }
  SECTION("a venv symlink is kept, not resolved to the system interpreter") {
    std::filesystem::create_directories(dir.path() + "/.venv/bin");
    std::filesystem::create_symlink(venv_python, dir.path() + "/.venv/bin/python");
    auto d = dc::detect_django(dir.path(), env_of({}));
    REQUIRE(d);
    CHECK(d->spec.command.at(0) == dir.path() + "/.venv/bin/python");
  }
}

TEST_CASE("the detected django server", "[config][django]") {
  TempDir dir;
  dir.write("manage.py", "");
  auto d = dc::detect_django(dir.path() + "/", env_of({}));
  REQUIRE(d);
  const auto& s = d->spec;
  CHECK(s.name == "django");
  CHECK(s.root == dir.path());
  CHECK(s.cwd == dir.path());
  CHECK(s.command == std::vector<std::string>{"python3", "manage.py", "runserver", "--noreload", "127.0.0.1:8000"});
  CHECK_FALSE(s.shell);
  CHECK(s.ready.port == std::optional<int>(8000));
  CHECK(s.ready.host == std::optional<std::string>("127.0.0.1"));
  CHECK(s.restart_on == std::vector<std::string>{"**/*.py", "**/templates/**", "**/locale/**/*.mo"});
  CHECK(std::find(s.ignore.begin(), s.ignore.end(), "**/static/**") != s.ignore.end());
  CHECK(std::find(s.ignore.begin(), s.ignore.end(), "**/media/**") != s.ignore.end());
  CHECK(s.env.at("PYTHONUNBUFFERED") == "1");
  CHECK(s.stop_signal == SIGTERM);
  CHECK(mentions(d->explanation, "cached template loader"));
  CHECK(mentions(d->explanation, "--noreload"));

  auto other = dc::detect_django(dir.path(), env_of({}), dc::DjangoOptions{"0.0.0.0", 8123});
  REQUIRE(other);
  CHECK(other->spec.command.back() == "0.0.0.0:8123");
  CHECK(other->spec.ready.port == std::optional<int>(8123));
}

TEST_CASE("Django's runserver is recognised in the command forms people configure", "[config][django]") {
  using V = std::vector<std::string>;
  CHECK(dc::is_django_runserver(V{"python", "manage.py", "runserver", "--noreload"}, false));
  CHECK(dc::is_django_runserver(V{".venv/bin/python", "./manage.py", "runserver", "0:8000"}, false));
  CHECK(dc::is_django_runserver(V{"uv", "run", "manage.py", "runserver"}, false));
  CHECK(dc::is_django_runserver(V{"django-admin", "runserver", "--settings=x"}, false));
  CHECK(dc::is_django_runserver(V{"python3", "-m", "django", "runserver"}, false));
  CHECK(dc::is_django_runserver(V{"cd site && python manage.py runserver"}, true));
  CHECK_FALSE(dc::is_django_runserver(V{"python", "manage.py", "runserver_plus"}, false));
  CHECK_FALSE(dc::is_django_runserver(V{"python", "manage.py", "migrate"}, false));
  CHECK_FALSE(dc::is_django_runserver(V{"runserver", "manage.py"}, false));
  CHECK_FALSE(dc::is_django_runserver(V{"npm", "run", "dev"}, false));
  // Unsplit, it is one program name: not a runserver.
  CHECK_FALSE(dc::is_django_runserver(V{"python manage.py runserver"}, false));
}

TEST_CASE("a configured runserver stops with SIGTERM unless stopSignal is set, and says why", "[config][django]") {
  auto with = [](const std::string& extra) {
    auto v = dc::validate_config_text(
        R"({"servers": {"web": {"command": ["python", "manage.py", "runserver", "--noreload"])" + extra + "}}}",
        "/ws");
    REQUIRE(v.ok());
    return v.config->servers.at(0);
  };
  auto recognised = with("");
  CHECK(recognised.stop_signal == SIGTERM);
  CHECK(recognised.stop_signal_why.rfind("recognised as Django's runserver (set \"stopSignal\" to choose)", 0) == 0);
  auto chosen = with(R"(, "stopSignal": "SIGINT")");
  CHECK(chosen.stop_signal == SIGINT);
  CHECK(chosen.stop_signal_why == "\"stopSignal\" in the configuration");
  auto other = dc::validate_config_text(R"({"servers": {"web": {"command": ["npm", "run", "dev"]}}})", "/ws");
  REQUIRE(other.ok());
  CHECK(other.config->servers.at(0).stop_signal == SIGINT);
  CHECK(other.config->servers.at(0).stop_signal_why.empty());
}
