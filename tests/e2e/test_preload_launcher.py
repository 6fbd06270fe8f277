"""The launcher's staleness rules, one at a time, on a real interpreter: each
change a cold start would see makes the zygote answer "stale <reason>"."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

LAUNCHER = Path(__file__).resolve().parents[2] / "python" / "src" / "devwatch" / "preload_launcher.py"

# Runs in a fresh interpreter (the launcher rewrites sys.path): builds a
# Zygote for `python app.py`, preloads, then applies each scripted change and
# records stale()'s answer.
DRIVER = textwrap.dedent("""
    import importlib.util, json, os, sys, time
    spec = importlib.util.spec_from_file_location("launcher", sys.argv[1])
    launcher = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(launcher)
    project, lib = sys.argv[2], sys.argv[3]
    command = [sys.executable, os.path.join(project, "app.py")]
    z = launcher.Zygote("/nonexistent.sock", command, ["tp_mod", "email.utils"])
    z.preload()
    env = dict(z.environ)
    out = {"fresh": z.stale(project, command, env)}
    out["env"] = z.stale(project, command, dict(env, DEVWATCH_TEST_NEW="1"))
    out["cwd"] = z.stale("/", command, env)
    out["argv"] = z.stale(project, command + ["--x"], env)
    open(os.path.join(project, "email.py"), "w").write("")
    out["shadow"] = z.stale(project, command, env)
    os.remove(os.path.join(project, "email.py"))
    open(os.path.join(project, "requirements-dev.txt"), "w").write("django\\n")
    out["requirements"] = z.stale(project, command, env)
    os.remove(os.path.join(project, "requirements-dev.txt"))
    out["back"] = z.stale(project, command, env)
    with open(os.path.join(lib, "tp_mod.py"), "a") as f:
        f.write("# edited\\n")
    out["edited"] = z.stale(project, command, env)
    print(json.dumps(out))
""")


def run_driver(tmp_path, module_age_s):
    project, lib = tmp_path / "project", tmp_path / "lib"
    project.mkdir()
    lib.mkdir()
    (project / "app.py").write_text("print('app')\n")
    module = lib / "tp_mod.py"
    module.write_text("VALUE = 1\n")
    old = module.stat().st_mtime - module_age_s
    os.utime(module, (old, old))
    env = dict(os.environ, PYTHONPATH=str(lib))
    out = subprocess.run([sys.executable, "-c", DRIVER, str(LAUNCHER), str(project), str(lib)], cwd=project,
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_every_change_a_cold_start_would_see_is_stale(tmp_path):
    seen = run_driver(tmp_path, module_age_s=60)
    assert seen["fresh"] is None and seen["back"] is None
    assert seen["env"] == "the environment changed (DEVWATCH_TEST_NEW)"
    assert seen["cwd"] == "the working directory changed"
    assert seen["argv"] == "the command changed"
    assert seen["shadow"].endswith("email.py would shadow the preloaded module email")
    assert seen["requirements"] == "project dependency files changed (requirements-dev.txt)"
    assert seen["edited"].endswith("tp_mod.py changed since it was preloaded")


def test_a_module_written_just_before_preloading_is_never_trusted(tmp_path):
    seen = run_driver(tmp_path, module_age_s=0)
    assert seen["fresh"].endswith("tp_mod.py changed while it was being preloaded")
