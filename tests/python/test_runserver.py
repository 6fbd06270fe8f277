"""``manage.py runserver`` (autoreload on) with ``devwatch.django`` installed,
on PyPI Django 5.2 and on Debian's Django 3.2: it reloads through devwatch
for every kind of change StatReloader would notice."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import VIEWS, check_run, django_version, edit, env_without_devwatch_bin, make_project

STARTUP = "Watching for file changes with DevwatchReloader (devwatch 0.1.0, inotify, "


@pytest.fixture(params=["venv52", "venv32"])
def django_python(request):
    return request.getfixturevalue(request.param)


def test_runserver_reloads_through_devwatch(django_python, tmp_path, runservers):
    project = make_project(django_python, tmp_path / "site")
    views = project / "pages" / "views.py"
    server = runservers(django_python, project, env_without_devwatch_bin())

    # The start-up line says which reloader, which devwatch, how many folders.
    server.wait_for_output(STARTUP)
    assert " folders)" in server.output
    assert "StatReloader" not in server.output
    server.wait_for_body("", "v1")
    starts = server.count(STARTUP)

    # A view edit is served.
    edit(views, VIEWS.format(marker="v2"))
    server.wait_for_body("", "v2")
    server.wait_for_output(STARTUP, starts + 1)
    starts = server.count(STARTUP)

    # Templates: Django >= 4.1 caches them in DEBUG too and resets the cache
    # on a change (its own file_changed receiver), without a restart.
    if django_version(django_python) >= (4, 1):
        template = project / "pages" / "templates" / "pages" / "page.html"
        server.wait_for_body("page/", "template v1\n")
        edit(template, "template v2\n")
        server.wait_for_body("page/", "template v2\n")

    # A module first imported inside a request is watched from then on.
    server.wait_for_body("lazy/", "lazy v1")
    edit(project / "lazymod.py", 'VALUE = "lazy v2"\n')
    server.wait_for_body("lazy/", "lazy v2")
    server.wait_for_output(STARTUP, starts + 1)
    starts = server.count(STARTUP)

    # A syntax error: the file that failed to import is watched, and fixing it reloads.
    edit(views, VIEWS.format(marker="v3") + "\ndef broken(:\n")
    server.wait_for_output("SyntaxError")
    assert server.proc.poll() is None, server.output
    edit(views, VIEWS.format(marker="v4"))
    server.wait_for_body("", "v4")
    starts = server.count(STARTUP)

    # touch (an mtime-only change) reloads, as with StatReloader.
    changed = server.count("views.py changed, reloading.")
    subprocess.run(["touch", str(views)], check=True)
    server.wait_for_output("views.py changed, reloading.", changed + 1)
    server.wait_for_output(STARTUP, starts + 1)
    server.wait_for_body("", "v4")


def test_a_module_in_a_folder_devwatch_skips_is_still_watched(venv52, tmp_path, runservers):
    """DevwatchReloader keeps devwatch's crawl out of Django's static,
    template and locale folders (devwatch/django/roots.py): none holds a
    module. One that does anyway (here, dropped into the venv's
    django/contrib/admin/static/ and imported at start-up) gets a root of
    its own, so its edit reloads, as it would with StatReloader."""
    django_dir = Path(check_run([venv52, "-c", "import django, os; print(os.path.dirname(django.__file__))"])
                      .stdout.strip())
    static = django_dir / "contrib" / "admin" / "static"
    probe = static / "dwprobe.py"
    project = make_project(venv52, tmp_path / "site")
    urls = project / "mysite" / "urls.py"
    urls.write_text(f"import sys\nsys.path.append({str(static)!r})\nimport dwprobe\n"
                    "from django.http import HttpResponse\n" + urls.read_text()
                    + "urlpatterns.append(path('probe/', lambda request: HttpResponse(dwprobe.VALUE)))\n")
    probe.write_text('VALUE = "probe v1"\n')
    try:
        server = runservers(venv52, project, env_without_devwatch_bin())
        server.wait_for_output(STARTUP)
        # Fewer folders in all than Django's translations alone hold: those were not crawled.
        folders = int(re.search(r"inotify, (\d+) folders\)", server.output).group(1))
        locale = sum(1 for d in django_dir.glob("contrib/*/locale/**") if d.is_dir())
        assert folders < locale, (folders, locale)
        server.wait_for_body("probe/", "probe v1")
        edit(probe, 'VALUE = "probe v2"\n')
        server.wait_for_output("dwprobe.py changed, reloading.")
        server.wait_for_body("probe/", "probe v2")
    finally:
        probe.unlink()
