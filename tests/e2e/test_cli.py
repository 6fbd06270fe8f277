"""The command line: version, help, check and usage errors."""
import json
import subprocess


def run(binary, *args, **kw):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=60, **kw)


def test_version(binary):
    p = run(binary, "--version")
    assert p.returncode == 0
    assert p.stdout.startswith("devwatch ")


def test_help_lists_commands(binary):
    p = run(binary, "--help")
    assert p.returncode == 0
    for word in ("--stdio", "check", "watch", "run"):
        assert word in p.stdout


def test_unknown_flag_exits_2_with_a_message(binary):
    p = run(binary, "--frobnicate")
    assert p.returncode == 2
    assert "unknown option '--frobnicate'" in p.stderr
    assert p.stdout == ""


def test_bad_log_level_exits_2(binary):
    p = run(binary, "--log-level", "loud", "--version")
    assert p.returncode == 2
    assert "unknown log level" in p.stderr


def test_check_json_reports_backends_and_limits(binary, tmp_path):
    p = run(binary, "check", "--json", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)
    names = {c["name"]: c for c in report["checks"]}
    assert names["inotify backend"]["data"]["available"] is True
    limits = names["inotify limits"]["data"]
    with open("/proc/sys/fs/inotify/max_user_watches") as f:
        assert limits["max_user_watches"] == int(f.read())


def test_check_text(binary, tmp_path):
    p = run(binary, "check", cwd=tmp_path)
    assert p.returncode == 0
    assert "inotify" in p.stdout


def test_check_prints_the_detected_django_configuration(binary, tmp_path):
    (tmp_path / "manage.py").write_text("")
    report = json.loads(run(binary, "check", "--json", cwd=tmp_path).stdout)
    config = next(c for c in report["checks"] if c["name"] == "config")
    assert config["data"]["source"] == "detected Django project"
    assert config["data"]["servers"][0]["command"][1:3] == ["manage.py", "runserver"]
    budget = next(c for c in report["checks"] if c["name"] == "watch budget")
    assert budget["data"]["limit"] > 0


def test_check_fails_on_an_invalid_config_and_names_the_field(binary, tmp_path):
    (tmp_path / "devwatch.json").write_text('{"servers": {"web": {"command": []}}}')
    p = run(binary, "check", cwd=tmp_path)
    assert p.returncode == 1
    assert "servers.web.command" in p.stdout
