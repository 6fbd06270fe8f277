"""Preloaded restarts (docs/preload.md) end to end, with real Django 5.2 (the
test venv) and Debian's 3.2: the same scripted edits once cold and once
preloaded must give the same responses, crash output and diagnostics."""
import difflib
import json
import sys

import pytest

from devserver_util import free_port, http_get, port_is_free
from preload_util import STATE, normalise, restart_until_preloaded, session, settle

PYPI_PYTHON = sys.executable
DEBIAN_PYTHON = "/usr/bin/python3"
DJANGOS = [pytest.param(PYPI_PYTHON, id="django-pypi"), pytest.param(DEBIAN_PYTHON, id="django-3.2")]
URLS = ["/marker/", "/marker", "/about/", "/", "/extra/", "/lazy/"]

LAZY_VIEW = '''

def lazy_view(request):
    from . import lazy  # imported on the first request only
    return HttpResponse(lazy.VALUE + "\\n", content_type="text/plain")
'''


def prepare(root):
    """A module only a view imports, lazily, so no start imports it."""
    (root / "blog" / "lazy.py").write_text('VALUE = "lazy: l1"\n')
    views = root / "blog" / "views.py"
    views.write_text(views.read_text() + LAZY_VIEW)
    urls = root / "blog" / "urls.py"
    urls.write_text(urls.read_text().replace('    path("marker/"', '    path("lazy/", views.lazy_view),\n'
                                             '    path("marker/"'))


def edit(path, old, new):
    text = path.read_text()
    assert old in text, (old, path)
    path.write_text(text.replace(old, new, 1))


# One file per step: one restart per step.
STEPS = [
    ("view", lambda r: edit(r / "blog" / "views.py", "marker: v1", "marker: v2")),
    ("model", lambda r: edit(r / "blog" / "models.py", "    body = models.TextField()\n",
                             "    body = models.TextField()\n    subtitle = models.CharField(max_length=9, default='')\n")),
    ("settings", lambda r: edit(r / "blogsite" / "settings.py", "INSTALLED_APPS = [",
                                "APPEND_SLASH = False\n\nINSTALLED_APPS = [")),
    ("urls", lambda r: edit(r / "blog" / "urls.py", '    path("marker/"', '    path("extra/", views.marker),\n'
                                                                         '    path("marker/"')),
    ("template", lambda r: edit(r / "pages" / "templates" / "pages" / "about.html", "t1", "t2")),
    ("lazy", lambda r: edit(r / "blog" / "lazy.py", "l1", "l2")),
    ("syntax error", lambda r: edit(r / "blog" / "views.py", "def marker(request):", "def marker(request)")),
    ("fix", lambda r: edit(r / "blog" / "views.py", "def marker(request)", "def marker(request):")),
]


def observe(client, root, port, done):
    """What a user sees after one start: responses, or the crash and its diagnostic."""
    seen = {"state": done["state"], "exitCode": done.get("exitCode")}
    if done["state"] == "ready":
        for url in URLS:
            status, body = http_get(f"http://127.0.0.1:{port}{url}")
            seen[url] = (status, normalise(body, root).replace(str(port), "<port>"))
    else:
        seen["exception"] = done.get("exception")
        seen["location"] = normalise(json.dumps(done.get("location")), root)
        seen["lastLines"] = [normalise(line, root) for line in done.get("lastLines", [])]
        # The whole traceback, not only the last 20 lines: its first frames
        # are where a launcher would show through.
        lines = client.request("devwatch/devServer/output", {"name": "web", "fromSeq": 0})["result"]["lines"]
        texts = [line["text"] for line in lines]
        start = max(i for i, t in enumerate(texts) if t.startswith("Traceback"))
        seen["traceback"] = traceback_summary([normalise(t, root) for t in texts[start:]])
        views = (root / "blog" / "views.py").as_uri()
        diag = client.wait_notification("textDocument/publishDiagnostics",
                                        lambda p: p["uri"] == views and p["diagnostics"])
        seen["diagnostics"] = normalise(json.dumps(diag["diagnostics"], sort_keys=True), root)
    return seen


def traceback_summary(lines):
    """The entry frames, every frame in the project, and the exception.
    Which system check meets the broken module first is not the same from
    one process layout to the next, cold or preloaded: Django keeps its
    checks in a set of functions, ordered by address. So the frames between
    the entry and the project are not compared; the entry frames (where a
    launcher would show) and the project's frames are."""
    frames = [i for i, line in enumerate(lines) if line.startswith("  File ")]
    keep = set(range(min(len(lines), frames[2] if len(frames) > 2 else len(lines))))
    for i in frames:
        if '"<root>/' in lines[i]:
            keep.update(range(i, len(lines)) if i == frames[-1] else (i, i + 1))
    keep.update(range(frames[-1] + 1 if frames else 0, len(lines)))
    return [lines[i] for i in sorted(keep)]


def run_script(tmp_path, name, python, preload):
    port = free_port()
    client, root = session(tmp_path, name, python, port, preload)
    prepare(root)
    observations, modes = [], []
    with client:
        first = settle(client)
        assert first["state"] == "ready", first
        if preload:
            restart_until_preloaded(client)
        observations.append(("start", observe(client, root, port, first)))
        # Warm-up notifications already read are not the steps' ones.
        client.inbox = [m for m in client.inbox if m.get("method") != STATE]
        for step, apply in STEPS:
            apply(root)
            starting = client.wait_notification(STATE, lambda p: p["state"] == "starting")
            modes.append(starting.get("start", {}).get("mode"))
            observations.append((step, observe(client, root, port, settle(client))))
        assert client.shutdown_and_exit() == 0
    assert port_is_free(port)
    return observations, modes


@pytest.mark.parametrize("python", DJANGOS)
def test_preloaded_restarts_serve_exactly_what_cold_starts_serve(tmp_path, python):
    cold, cold_modes = run_script(tmp_path, "cold", python, None)
    warm, warm_modes = run_script(tmp_path, "warm", python, True)
    assert cold_modes == [None] * len(STEPS)  # no preload: no start field at all
    assert warm_modes == ["preloaded"] * len(STEPS), warm_modes
    for (step, a), (_, b) in zip(cold, warm):
        if a != b:
            diff = difflib.unified_diff(json.dumps(a, indent=1).splitlines(), json.dumps(b, indent=1).splitlines(),
                                        "cold", "preloaded", lineterm="")
            raise AssertionError(f"step {step!r}: cold and preloaded differ:\n" + "\n".join(diff))
    # The script did what it says: the edits were served, the error was seen.
    steps = dict(cold)
    assert steps["view"]["/marker/"] == (200, "marker: v2\n")
    assert steps["settings"]["/marker"][0] == 404
    assert steps["urls"]["/extra/"][0] == 200
    assert steps["lazy"]["/lazy/"] == (200, "lazy: l2\n")
    assert steps["syntax error"]["exception"].startswith("SyntaxError")
    assert steps["fix"]["state"] == "ready"
