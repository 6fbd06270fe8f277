"""The launcher's default modules change nothing a cold start would not have:
a real Django set up and checked as runserver does, once cold and once after
importing the defaults the way the zygote does, on the example project and on
a minimal one (no apps), with a LOGGING that disables existing loggers (a
logger preloaded early would be disabled where a cold start's is not)."""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from devserver_util import copy_example

LAUNCHER = Path(__file__).resolve().parents[2] / "python" / "src" / "devwatch" / "preload_launcher.py"
DJANGOS = [pytest.param(sys.executable, id="django-pypi"), pytest.param("/usr/bin/python3", id="django-3.2")]
# dictConfig's default disable_existing_loggers is True.
LOGGING = '\nLOGGING = {"version": 1, "handlers": {"c": {"class": "logging.StreamHandler"}}, ' \
          '"loggers": {"blog": {"handlers": ["c"]}}}\n'

# Runs in the project's directory: [preload], then what runserver does up to
# serving (setup, system checks, migration check), then prints the state
# outside any one module that an import could have changed.
PROBE = textwrap.dedent("""
    import atexit, gc, importlib, importlib.util, json, logging, os, sys, warnings
    launcher_path, mode, settings_module = sys.argv[1:4]
    if mode == "preloaded":
        spec = importlib.util.spec_from_file_location("launcher", launcher_path)
        launcher = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(launcher)
        for name in launcher.DJANGO_DEFAULT + launcher.DJANGO_SELF_CONTAINED:
            try:
                importlib.import_module(name)
            except ModuleNotFoundError:
                assert name in launcher.DJANGO_SELF_CONTAINED, name  # the launcher skips these too
    sys.path.insert(0, os.getcwd())
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django
    from django.core import checks
    django.setup()
    issues = sorted(m.id for m in checks.run_checks())
    from django.core.management.commands.runserver import Command
    Command().check_migrations()
    from django.dispatch import Signal
    # A signal is named after the module that defines it (the shortest
    # "...signals" module holding it), not after one that imported it.
    names = {}
    for module_name in sorted(sys.modules, key=lambda m: (not m.endswith("signals"), len(m), m)):
        for attr, value in list(vars(sys.modules[module_name] or object()).items()):
            if issubclass(type(value), Signal):
                names.setdefault(id(value), module_name + "." + attr)
    signals = {names.get(id(s), "?"): len(s.receivers) for s in gc.get_objects() if issubclass(type(s), Signal)}
    registry = checks.registry.registry
    sqlite3 = sys.modules.get("sqlite3")
    print(json.dumps({
        "loggers": {k: v.disabled for k, v in logging.Logger.manager.loggerDict.items() if isinstance(v, logging.Logger)},
        "signals": signals,
        "checks": sorted({c.__module__ + "." + c.__qualname__ for c in registry.registered_checks | registry.deployment_checks}),
        "issues": issues,
        "sqlite3": sorted("%r=%s" % (k, getattr(v, "__qualname__", type(v).__name__))
                          for d in (sqlite3.adapters, sqlite3.converters) for k, v in d.items()) if sqlite3 else None,
        "warnings": [repr(f) for f in warnings.filters],
        "atexit": atexit._ncallbacks(),
    }))
""")


def minimal_project(root: Path) -> Path:
    (root / "minisite").mkdir(parents=True)
    (root / "minisite" / "__init__.py").write_text("")
    (root / "minisite" / "settings.py").write_text('SECRET_KEY = "x"\nINSTALLED_APPS = []\nROOT_URLCONF = "minisite.urls"\n'
                                                   + LOGGING.replace('"blog"', '"minisite"'))
    (root / "minisite" / "urls.py").write_text("urlpatterns = []\n")
    return root


def example_project(root: Path) -> Path:
    copy_example(root)
    settings = root / "blogsite" / "settings.py"
    settings.write_text(settings.read_text() + LOGGING)
    return root


def probe(python: str, root: Path, mode: str, settings: str) -> dict:
    out = subprocess.run([python, "-c", PROBE, str(LAUNCHER), mode, settings], cwd=root,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def compare(cold: dict, preloaded: dict):
    # A logger only the preloaded run has is one the cold start creates later
    # (or never), enabled: it must be enabled in the preloaded run too.
    for name in set(cold["loggers"]) | set(preloaded["loggers"]):
        assert cold["loggers"].get(name, False) == preloaded["loggers"].get(name, False), name
    # A signal only the preloaded run has comes from a module only it imported: no receivers.
    for name in set(cold["signals"]) | set(preloaded["signals"]):
        assert cold["signals"].get(name, 0) == preloaded["signals"].get(name, 0), name
    for key in ("checks", "issues", "sqlite3", "warnings", "atexit"):
        assert cold[key] == preloaded[key], key


@pytest.mark.parametrize("python", DJANGOS)
@pytest.mark.parametrize("project", ["example", "minimal"])
def test_the_defaults_change_nothing_outside_themselves(tmp_path, python, project):
    if not Path(python).exists():
        pytest.skip(f"{python} is not installed")
    if project == "example":
        root, settings = example_project(tmp_path / "p"), "blogsite.settings"
    else:
        root, settings = minimal_project(tmp_path / "p"), "minisite.settings"
    cold = probe(python, root, "cold", settings)
    preloaded = probe(python, root, "preloaded", settings)
    compare(cold, preloaded)
    # The comparison can see a difference: LOGGING did disable the loggers that existed.
    assert cold["loggers"]["django"] is True
