// django_items: what `devwatch check` says about a Django project, from the
// probe's answer; run_django_probe against real interpreters.
#include "check/django_probe.h"

#include <catch2/catch.hpp>

#include "support/temp_dir.h"

using namespace devwatch::check;
using devwatch::json;
using devwatch::testing::TempDir;

namespace {
const Item& find(const std::vector<Item>& items, const std::string& name) {
  for (const auto& item : items)
    if (item.name == name) return item;
  FAIL("no item " << name);
  return items.front();
}
}  // namespace

TEST_CASE("an interpreter without Django fails with the fix") {
  json probe{{"python", "/p/.venv/bin/python"}, {"pythonVersion", "3.11.7"},
             {"djangoError", "ModuleNotFoundError: No module named 'django'"}};
  auto items = django_items(probe, "/p/.venv/bin/python", "interpreter: .venv/bin/python (found)");
  const Item& django = find(items, "django");
  CHECK(django.status == Status::Fail);
  CHECK(django.detail.find("cannot import Django: ModuleNotFoundError") != std::string::npos);
  CHECK(django.fix.find("/p/.venv/bin/python -m pip install Django") != std::string::npos);
}

TEST_CASE("a broken pywatchman is named with the exception Django swallows") {
  json probe{{"python", "/p/.venv/bin/python"}, {"pythonVersion", "3.11.7"}, {"django", "5.2"},
             {"pywatchman", "1.4.1"},
             {"capabilityError", "SystemError: PY_SSIZE_T_CLEAN macro must be defined for '#' formats"},
             {"watchmanUnavailable", "Cannot connect to the watchman service."}, {"reloader", "StatReloader"}};
  auto items = django_items(probe, "python", "");
  const Item& reloader = find(items, "runserver reloader");
  CHECK(reloader.status == Status::Warn);
  CHECK(reloader.detail.find("silently use StatReloader") != std::string::npos);
  CHECK(reloader.detail.find("pywatchman 1.4.1") != std::string::npos);
  CHECK(reloader.detail.find("SystemError: PY_SSIZE_T_CLEAN") != std::string::npos);
  CHECK(reloader.fix.find("devwatch.django") != std::string::npos);
}

TEST_CASE("devwatch.django in INSTALLED_APPS is reported as the reloader") {
  json probe{{"python", "p"}, {"pythonVersion", "3.11.7"}, {"django", "5.2"}, {"reloader", "StatReloader"},
             {"devwatchApp", true}, {"devwatchPackage", "0.1.0"}};
  auto items = django_items(probe, "python", "");
  const Item& reloader = find(items, "runserver reloader");
  CHECK(reloader.status == Status::Ok);
  CHECK(reloader.data["reloader"] == "DevwatchReloader");
}

TEST_CASE("the probe reports an interpreter that cannot run") {
  TempDir dir;
  json probe = run_django_probe(dir.path() + "/no-such-python", dir.path(), 5000);
  REQUIRE(probe.contains("probeError"));
  CHECK(probe["probeError"].get<std::string>().find("No such file") != std::string::npos);
  auto items = django_items(probe, "x", "");
  CHECK(find(items, "django").status == Status::Fail);
}

TEST_CASE("the probe runs a real interpreter") {
  TempDir dir;
  // A fake "python" that answers like the probe: the protocol is one JSON line.
  std::string fake = dir.write("python", "#!/bin/sh\necho 'noise'\necho '{\"python\": \"fake\", \"djangoError\": \"E\"}'\n",
                               true);
  json probe = run_django_probe(fake, dir.path(), 5000);
  CHECK(probe["djangoError"] == "E");
  std::string failing = dir.write("bad", "#!/bin/sh\necho 'Traceback' >&2\necho 'ImportError: x' >&2\nexit 1\n", true);
  probe = run_django_probe(failing, dir.path(), 5000);
  CHECK(probe["probeError"].get<std::string>().find("exit 1): ImportError: x") != std::string::npos);
}
