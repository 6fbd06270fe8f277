"""What DevwatchReloader asks devwatch to crawl: roots, and folders below
them that StatReloader would never look at.

Roots are the fewest directories covering the parents of every watched file
and every ``watch_dir`` directory. Devwatch crawls and watches each root
whole, so a root holding much that no reloader reads costs devwatch memory
and start-up time for nothing. Two such trees are excluded (as
``{baseUri, pattern}`` excludes, docs/protocol.md "What is watched"):

- Django's own package: its translations (``contrib/*/locale``,
  ``conf/locale/*/LC_MESSAGES``: 2,000+ folders), templates and static
  files. No module lives there, and Django's reloaders skip them: the
  translation reloader watches only apps that are not Django's
  (``django/utils/translation/reloader.py``), the template reloader drops
  Django's own directories (``is_django_path`` in
  ``django/template/autoreload.py``).
- A ``site-packages`` or ``dist-packages`` folder inside a root but not on
  ``sys.path``: nothing there can be imported. (A venv made from pyenv's
  Python has the base interpreter's site-packages below the standard
  library's root: thousands of folders on a developer machine.)

Safety: a watched file or ``watch_dir`` directory that lies below an
excluded folder anyway (a module imported from one, a ``TEMPLATES`` dir
pointing into Django) is not covered by the root above it, so it gets a
root of its own, as below ``.venv``: StatReloader's set stays watched.
"""

from __future__ import annotations

import fnmatch
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Sequence, Tuple

from devwatch.uris import path_to_uri

# Directory names devwatch never crawls below a root (docs/protocol.md,
# "What is watched"): a watched file below one of them gets a root of its own.
BUILTIN_IGNORED_DIRS = {".git", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache",
                        ".pytest_cache"}

# Below Django's package: folders that hold no module and that no Django
# reloader watches (see above). Each pattern names folders (trailing '/').
DJANGO_NEEDLESS = ("contrib/*/locale/", "conf/locale/*/LC_MESSAGES/", "conf/*_template/",
                   "**/templates/", "**/jinja2/", "**/static/")


@dataclass(frozen=True)
class Exclude:
    """Folders below ``base`` whose path relative to it matches ``pattern``
    (``*`` one name, ``**`` any number of them, a trailing ``/``: folders)."""

    base: Path
    pattern: str

    def to_json(self) -> dict:
        return {"baseUri": path_to_uri(str(self.base)), "pattern": self.pattern}

    def excludes(self, path: Path) -> bool:
        """Is ``path`` (a folder) or one of its parents a folder this names?"""
        try:
            rel = path.relative_to(self.base).parts
        except ValueError:
            return False
        want = tuple(p for p in self.pattern.split("/") if p)
        return any(_match(want, rel[:n]) for n in range(1, len(rel) + 1))


def _match(pattern: Sequence[str], parts: Tuple[str, ...]) -> bool:
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(_match(pattern[1:], parts[i:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatchcase(parts[0], pattern[0]) and _match(pattern[1:], parts[1:])


def django_excludes() -> List[Exclude]:
    import django

    package = Path(django.__file__).resolve().parent
    return [Exclude(package, pattern) for pattern in DJANGO_NEEDLESS]


def unimportable_site_dirs(roots: Iterable[Path]) -> List[Exclude]:
    """site-packages / dist-packages folders directly inside a root that are
    not on sys.path."""
    on_path = {Path(p).resolve() for p in sys.path if p}
    out = []
    for root in roots:
        for name in ("site-packages", "dist-packages"):
            candidate = root / name
            if candidate.is_dir() and candidate.resolve() not in on_path:
                out.append(Exclude(root, name + "/"))
    return out


def covered_by(path: Path, root: Path, excludes: Sequence[Exclude] = ()) -> bool:
    """Does devwatch, watching ``root`` with ``excludes``, see changes at
    ``path`` (a folder)? An exclude counts whenever it names the folder or a
    parent, whichever the root: devwatch applies it to fewer roots than
    that (docs/protocol.md), so the answer errs on the side of another root."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        return False
    if any(part in BUILTIN_IGNORED_DIRS for part in rel.parts):
        return False
    return not any(e.excludes(path) for e in excludes)


def covering_roots(dirs: Iterable[Path], excludes: Sequence[Exclude] = ()) -> List[Path]:
    """The fewest directories whose trees hold every one of ``dirs``, as
    devwatch crawls them with ``excludes``."""
    roots: List[Path] = []
    for d in sorted(set(dirs), key=lambda p: (len(p.parts), str(p))):
        if not any(covered_by(d, r, excludes) for r in roots):
            roots.append(d)
    return roots


def plan(dirs: Iterable[Path]) -> Tuple[List[Path], List[Exclude]]:
    """Roots and excludes for the folders ``dirs`` that must be watched."""
    dirs = [d for d in dirs if d.is_dir()]
    excludes = django_excludes()
    # Which site dirs are inside a root depends on the roots, and a root's
    # coverage on the excludes: roots once without, then with them.
    excludes += unimportable_site_dirs(covering_roots(dirs, excludes))
    return covering_roots(dirs, excludes), excludes

