"""`devwatch check` in a Django project (what Django itself would pick, and
an interpreter without Django), and the watch budget held against the
folders the workspace really needs."""

import json
import os
import subprocess
import sys
from pathlib import Path


def check(binary, cwd, **env):
    full = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    full.update(env)
    p = subprocess.run([binary, "check", "--json"], cwd=cwd, env=full, capture_output=True, text=True, timeout=120)
    report = json.loads(p.stdout)
    text = subprocess.run([binary, "check"], cwd=cwd, env=full, capture_output=True, text=True, timeout=120)
    return p.returncode, {c["name"]: c for c in report["checks"]}, text.stdout


def django_project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "manage.py").write_text(
        "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n")
    (root / "mysite").mkdir()
    (root / "mysite" / "__init__.py").write_text("")
    (root / "mysite" / "settings.py").write_text("INSTALLED_APPS = ['django.contrib.contenttypes']\n")
    return root


def test_reports_django_and_the_reloader_it_would_pick(binary, tmp_path):
    project = django_project(tmp_path / "site")
    # The test venv has PyPI Django and no pywatchman: plain StatReloader.
    code, checks, text = check(binary, project, VIRTUAL_ENV=str(Path(sys.executable).parent.parent))
    import django

    assert checks["django"]["status"] == "ok"
    assert checks["django"]["detail"].startswith(f"Django {django.get_version()} on ")
    reloader = checks["runserver reloader"]
    assert reloader["data"]["reloader"] == "StatReloader"
    assert "pywatchman is not installed" in reloader["detail"]
    assert '"devwatch.django"' in reloader["fix"]
    assert "[info] runserver reloader: runserver would use StatReloader" in text


def test_an_interpreter_without_django_is_a_failure_with_the_fix(binary, tmp_path):
    project = django_project(tmp_path / "site")
    venv_bin = project / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    python = venv_bin / "python"
    # An interpreter that cannot see any site-packages: no Django.
    python.write_text(f"#!/bin/sh\nexec {sys.executable} -I -S \"$@\"\n")
    python.chmod(0o755)
    code, checks, text = check(binary, project)
    assert code == 1
    django_item = checks["django"]
    assert django_item["status"] == "fail"
    assert "cannot import Django: ModuleNotFoundError: No module named 'django'" in django_item["detail"]
    assert "interpreter: .venv/bin/python (found)" in django_item["detail"]
    assert f"{python} -m pip install Django" in django_item["fix"]
    assert "devwatch can run here" not in text
    assert "Something above blocks normal use." in text


def make_tree(root: Path) -> None:
    """1,201 folders to watch (the root included), plus ignored ones."""
    for i in range(1000):
        (root / "big" / f"d{i}").mkdir(parents=True)
    for i in range(198):
        (root / "small" / f"d{i}").mkdir(parents=True)
    for i in range(50):  # ignored: cost no watch
        (root / "node_modules" / f"p{i}").mkdir(parents=True)
        (root / "media" / f"m{i}").mkdir(parents=True)
    (root / ".gitignore").write_text("media/\n")


def test_the_budget_counts_the_folders_needed(binary, tmp_path):
    make_tree(tmp_path)
    code, checks, text = check(binary, tmp_path, DEVWATCH_CHECK_MAX_USER_WATCHES="300")
    budget = checks["watch budget"]
    assert budget["data"]["needed"] == 1201
    assert budget["data"]["limit"] == 300
    assert budget["status"] == "fail"
    assert "Not enough inotify watches: needed 1201 folders" in budget["detail"]
    assert "sudo sysctl fs.inotify.max_user_watches=" in budget["fix"]
    assert "largest folders you could exclude" in budget["fix"] and "big (1,001 folders)" in budget["fix"]
    assert code == 1
    assert "devwatch can run here" not in text


def test_the_budget_is_ok_when_the_tree_fits(binary, tmp_path):
    make_tree(tmp_path)
    code, checks, text = check(binary, tmp_path, DEVWATCH_CHECK_MAX_USER_WATCHES="10000000")
    budget = checks["watch budget"]
    assert budget["status"] == "ok", budget
    assert budget["detail"].startswith("this workspace needs 1,201 folders watched")
    assert "devwatch can run here" in text


def test_check_names_each_servers_stop_policy_and_why(binary, tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "devwatch.json").write_text(json.dumps({"servers": {
        "web": {"command": ["python3", "manage.py", "runserver", "--noreload"]},
        "chosen": {"command": ["python3", "manage.py", "runserver"], "stopSignal": "SIGINT", "stopTimeoutMs": 900},
        "worker": {"command": ["celery", "worker"]}}}))
    code, checks, text = check(binary, root)
    servers = {s["name"]: s for s in checks["config"]["data"]["servers"]}
    assert servers["web"]["stopPolicy"]["signal"] == "SIGTERM"
    assert servers["web"]["stopPolicy"]["why"].startswith("recognised as Django's runserver")
    assert servers["chosen"]["stopPolicy"] == {"signal": "SIGINT", "timeoutMs": 900,
                                               "why": "\"stopSignal\" in the configuration"}
    assert servers["worker"]["stopPolicy"]["signal"] == "SIGINT"
    assert ("server web stop: SIGTERM, then SIGKILL after 5000 ms (recognised as Django's runserver "
            "(set \"stopSignal\" to choose): Django's runserver has nothing to flush") in text
    assert "server chosen stop: SIGINT, then SIGKILL after 900 ms (\"stopSignal\" in the configuration)" in text
    assert "server worker stop: SIGINT, then SIGKILL after 5000 ms (the default: \"stopSignal\" is not set" in text
