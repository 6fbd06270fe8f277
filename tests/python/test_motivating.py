"""The failure that started devwatch: pywatchman 1.4.1 on Python 3.11 breaks
Watchman's capability check with a SystemError, and Django silently uses
StatReloader. devwatch names it, and never falls back without saying so."""

from __future__ import annotations

import json
import sys
import time

from conftest import VIEWS, check_run, edit, env_without_devwatch_bin, make_project, run

STARTUP = "Watching for file changes with DevwatchReloader (devwatch 0.1.0, inotify, "


def test_plain_django_silently_picks_statreloader(venv52, tmp_path, runservers):
    project = make_project(venv52, tmp_path / "plain", with_app=False)
    broken = run([venv52, "-c", "import pywatchman; pywatchman.client(timeout=0.1).capabilityCheck()"])
    assert "SystemError: PY_SSIZE_T_CLEAN macro must be defined for '#' formats" in broken.stderr
    server = runservers(venv52, project, env_without_devwatch_bin())
    server.wait_for_body("", "v1")
    server.wait_for_output("Watching for file changes with StatReloader")
    assert "atchman" not in server.output  # not a word about why


def test_devwatch_check_names_the_swallowed_error(venv52, tmp_path):
    project = make_project(venv52, tmp_path / "plain", with_app=False)
    devwatch = venv52.parent / "devwatch"
    env = env_without_devwatch_bin(VIRTUAL_ENV=str(venv52.parent.parent))
    report = json.loads(run([devwatch, "check", "--json"], cwd=project, env=env).stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["django"]["status"] == "ok"
    assert checks["django"]["detail"].startswith("Django 5.2")
    reloader = checks["runserver reloader"]
    assert reloader["status"] == "warn"
    assert "silently use StatReloader" in reloader["detail"]
    assert "pywatchman 1.4.1" in reloader["detail"]
    assert "SystemError: PY_SSIZE_T_CLEAN macro must be defined for '#' formats" in reloader["detail"]
    assert '"devwatch.django"' in reloader["fix"]
    text = run([devwatch, "check"], cwd=project, env=env).stdout
    assert "SystemError: PY_SSIZE_T_CLEAN" in text


def test_with_the_app_runserver_runs_on_devwatch(venv52, tmp_path, runservers):
    project = make_project(venv52, tmp_path / "site")
    server = runservers(venv52, project, env_without_devwatch_bin())
    server.wait_for_output(STARTUP)
    server.wait_for_body("", "v1")
    assert "StatReloader" not in server.output
    devwatch = venv52.parent / "devwatch"
    env = env_without_devwatch_bin(VIRTUAL_ENV=str(venv52.parent.parent))
    report = json.loads(run([devwatch, "check", "--json"], cwd=project, env=env).stdout)
    reloader = next(c for c in report["checks"] if c["name"] == "runserver reloader")
    assert reloader["status"] == "ok" and reloader["data"]["reloader"] == "DevwatchReloader", reloader


def test_missing_binary_warns_and_falls_back(venv52, tmp_path, runservers):
    project = make_project(venv52, tmp_path / "site")
    env = env_without_devwatch_bin(DEVWATCH_BIN=str(tmp_path / "no-devwatch"))
    server = runservers(venv52, project, env)
    server.wait_for_body("", "v1")
    server.wait_for_output("Watching for file changes with StatReloader")
    out = server.output
    assert "devwatch: DevwatchReloader cannot run: the devwatch executable was not found" in out
    assert "fix: install it into this environment: pip install devwatch" in out
    assert "devwatch: WARNING: falling back to StatReloader (set DEVWATCH_FALLBACK=strict" in out


def test_strict_refuses_to_start_with_the_reason(venv52, tmp_path, runservers):
    project = make_project(venv52, tmp_path / "site")
    env = env_without_devwatch_bin(DEVWATCH_BIN=str(tmp_path / "no-devwatch"), DEVWATCH_FALLBACK="strict")
    server = runservers(venv52, project, env)
    assert server.wait_for_exit() != 0
    out = server.output
    assert "the devwatch executable was not found" in out
    assert "refusing to start (DEVWATCH_FALLBACK=strict)" in out
    assert "Starting development server" not in out


def test_manage_py_check_shows_the_warning(venv52, tmp_path):
    project = make_project(venv52, tmp_path / "site")
    env = env_without_devwatch_bin(DEVWATCH_BIN=str(tmp_path / "no-devwatch"))
    p = check_run([venv52, "manage.py", "check"], cwd=project, env=env)
    assert "(devwatch.W001) runserver cannot reload through devwatch: the devwatch executable was not found" \
        in p.stderr + p.stdout
    ok = check_run([venv52, "manage.py", "check"], cwd=project, env=env_without_devwatch_bin())
    assert "devwatch." not in ok.stdout + ok.stderr


def test_runserver_noreload_does_not_probe_devwatch(venv52, tmp_path, runservers):
    """Nothing reloads with --noreload (devwatch run restarts it that way), so
    its system checks must not start devwatch: the probe cost every start
    ~150 ms. The missing binary shows whether the probe ran: it says W001."""
    project = make_project(venv52, tmp_path / "site")
    env = env_without_devwatch_bin(DEVWATCH_BIN=str(tmp_path / "no-devwatch"))
    server = runservers(venv52, project, env, args=["--noreload"])
    server.wait_for_output("Starting development server")
    assert "System check identified no issues" in server.output
    assert "devwatch." not in server.output


def test_an_app_that_replaces_get_reloader_later_is_named(venv52, tmp_path, runservers):
    """django-watchfiles' issue 146: listed in the wrong place, its reloader
    silently lost to StatReloader. Here the loser is named, with the fix."""
    project = make_project(venv52, tmp_path / "site")
    late = project / "late"
    late.mkdir()
    (late / "__init__.py").write_text("")
    (late / "apps.py").write_text(
        "from django.apps import AppConfig\nfrom django.utils import autoreload\n\n\n"
        "def my_get_reloader():\n    return autoreload.StatReloader()\n\n\n"
        "class LateConfig(AppConfig):\n    name = 'late'\n\n    def ready(self):\n"
        "        autoreload.get_reloader = my_get_reloader\n")
    settings = project / "mysite" / "settings.py"
    settings.write_text(settings.read_text().replace("'devwatch.django',\n", "'devwatch.django',\n    'late',\n"))
    env = env_without_devwatch_bin()
    p = check_run([venv52, "manage.py", "check"], cwd=project, env=env)
    assert "(devwatch.W004) runserver will not reload through devwatch: django.utils.autoreload.get_reloader " \
           "was replaced after devwatch.django's ready() by late.apps.my_get_reloader" in p.stderr + p.stdout
    server = runservers(venv52, project, env)
    server.wait_for_output("devwatch: WARNING: devwatch.django is installed but Django started StatReloader "
                           "without asking it: django.utils.autoreload.get_reloader is late.apps.my_get_reloader")


FAKE_SERVER = '''
import json, sys
def read():
    length = None
    while True:
        line = sys.stdin.buffer.readline()
        if not line:
            sys.exit(0)
        line = line.strip()
        if not line:
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(sys.stdin.buffer.read(length))
def send(msg_id, result):
    body = json.dumps({"jsonrpc": "2.0", "id": msg_id, "result": result}).encode()
    sys.stdout.buffer.write(b"Content-Length: %d\\r\\n\\r\\n" % len(body) + body)
    sys.stdout.buffer.flush()
WATCHER = {"backend": "poll", "reason": "inotify_init1 failed: EMFILE", "crawling": False,
           "watchedDirectories": 5, "unwatched": [],
           "problems": [{"kind": "fallback", "severity": "warning",
                         "message": "inotify unavailable (too many instances): polling every 1000 ms",
                         "fix": "sudo sysctl fs.inotify.max_user_instances=512"}]}
while True:
    m = read()
    method, msg_id = m.get("method"), m.get("id")
    if method == "initialize":
        send(msg_id, {"serverInfo": {"name": "devwatch", "version": "0.1.0"},
                      "capabilities": {"experimental": {"devwatch": {"version": 1, "files": FILES}}}})
    elif method == "devwatch/files/subscribe":
        send(msg_id, {"subscriptionId": "s1"})
    elif method == "devwatch/status":
        send(msg_id, {"watcher": WATCHER})
    elif method == "shutdown":
        send(msg_id, None)
    elif method == "exit":
        sys.exit(0)
'''


def fake_server(tmp_path, files):
    """A stand-in devwatch (named as such: a degraded watcher and an old build
    cannot be caused for real here) announcing ``files`` as its capabilities."""
    fake = tmp_path / "devwatch"
    fake.write_text(f"#!{sys.executable}\nFILES = {files!r}\n{FAKE_SERVER}")
    fake.chmod(0o755)
    return fake


def test_a_server_without_base_uri_excludes_is_too_old(venv52, tmp_path, runservers):
    """A devwatch from before {baseUri} excludes would refuse the watch
    settings devwatch.django sends (so git-ignored modules would go
    unwatched): named as too old, and StatReloader serves instead."""
    fake = fake_server(tmp_path, files={"subscribe": True})
    project = make_project(venv52, tmp_path / "site")
    server = runservers(venv52, project, env_without_devwatch_bin(DEVWATCH_BIN=str(fake)))
    server.wait_for_body("", "v1")
    server.wait_for_output("falling back to StatReloader")
    assert (f"devwatch: DevwatchReloader cannot run: devwatch 0.1.0 ({fake}) is too old: it does not take the "
            "{baseUri, pattern} excludes") in server.output
    assert "upgrade it: pip install --upgrade devwatch" in server.output


def test_a_degraded_watcher_is_explained_and_stat_polling_takes_over(venv52, tmp_path, runservers):
    """devwatch that had to fall back to polling (simulated: a stand-in that
    reports it as devwatch/status does): the reason and fix are printed,
    StatReloader's loop takes over in place, and edits still reload."""
    fake = fake_server(tmp_path, files={"subscribe": True, "excludeBaseUri": True})
    project = make_project(venv52, tmp_path / "site")
    env = env_without_devwatch_bin(DEVWATCH_BIN=str(fake))
    server = runservers(venv52, project, env)
    server.wait_for_body("", "v1")
    server.wait_for_output("falling back to StatReloader")
    out = server.output
    assert ("devwatch: DevwatchReloader cannot run: devwatch's watcher is degraded: inotify unavailable "
            "(too many instances): polling every 1000 ms") in out
    assert "fix: sudo sysctl fs.inotify.max_user_instances=512" in out
    # StatReloader takes its first snapshot some time after it starts, and an
    # edit made before that is its baseline: repeat the edit until served.
    deadline = time.monotonic() + 60
    while True:
        edit(project / "pages" / "views.py", VIEWS.format(marker="v2"))
        try:
            server.wait_for_body("", "v2", timeout=5)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise

    p = check_run([venv52, "manage.py", "check"], cwd=project, env=env)
    assert "(devwatch.W003) runserver cannot reload through devwatch: devwatch's watcher is degraded" \
        in p.stdout + p.stderr

    strict = runservers(venv52, project, dict(env, DEVWATCH_FALLBACK="strict"))
    assert strict.wait_for_exit() != 0
    assert "refusing to start (DEVWATCH_FALLBACK=strict)" in strict.output
