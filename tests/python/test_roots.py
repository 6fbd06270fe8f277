"""devwatch/django/roots.py on real folders: which folders DevwatchReloader
keeps devwatch's crawl out of, and that a watched folder below one of them
still gets a root (the runserver side is in test_runserver.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import ROOT

sys.path.insert(0, str(ROOT / "python" / "src"))

from devwatch.django.roots import Exclude, covered_by, covering_roots, plan, unimportable_site_dirs  # noqa: E402


def test_an_exclude_names_the_folders_its_pattern_matches_and_what_lies_below(tmp_path):
    pkg = tmp_path / "django"
    locale = Exclude(pkg, "contrib/*/locale/")
    templates = Exclude(pkg, "**/templates/")
    assert locale.excludes(pkg / "contrib" / "admin" / "locale")
    assert locale.excludes(pkg / "contrib" / "admin" / "locale" / "fr" / "LC_MESSAGES")
    assert not locale.excludes(pkg / "contrib" / "admin")
    assert not locale.excludes(pkg / "conf" / "locale")
    assert not locale.excludes(pkg)
    assert not locale.excludes(tmp_path / "project" / "contrib" / "x" / "locale")  # another tree
    assert templates.excludes(pkg / "templates")
    assert templates.excludes(pkg / "contrib" / "admin" / "templates" / "admin")
    assert not templates.excludes(pkg / "template")
    assert locale.to_json() == {"baseUri": pkg.as_uri(), "pattern": "contrib/*/locale/"}


def test_a_watched_folder_below_an_exclude_gets_a_root_of_its_own(tmp_path):
    pkg = tmp_path / "django"
    excludes = [Exclude(pkg, "**/static/")]
    inside = pkg / "contrib" / "admin" / "static"
    dirs = [pkg, pkg / "contrib" / "admin", inside]
    assert covering_roots(dirs) == [pkg]
    assert covering_roots(dirs, excludes) == [pkg, inside]
    assert not covered_by(inside, pkg, excludes)
    assert covered_by(pkg / "contrib" / "admin", pkg, excludes)


def test_site_packages_inside_a_root_is_excluded_only_when_not_importable(tmp_path, monkeypatch):
    stdlib = tmp_path / "lib" / "python3.11"
    (stdlib / "site-packages" / "botocore").mkdir(parents=True)
    (stdlib / "json").mkdir()
    assert unimportable_site_dirs([stdlib]) == [Exclude(stdlib, "site-packages/")]
    monkeypatch.setattr(sys, "path", sys.path + [str(stdlib / "site-packages")])
    assert unimportable_site_dirs([stdlib]) == []


def test_plan_excludes_djangos_translations_and_keeps_its_modules():
    import django

    package = Path(django.__file__).resolve().parent
    dirs = {package, package / "conf" / "locale" / "fr", package / "contrib" / "admin"}
    roots, excludes = plan(dirs)
    assert roots == [package]
    assert any(e.excludes(package / "contrib" / "admin" / "locale") for e in excludes)
    assert any(e.excludes(package / "conf" / "locale" / "fr" / "LC_MESSAGES") for e in excludes)
    assert not any(e.excludes(package / "conf" / "locale" / "fr") for e in excludes)  # formats.py lives there
