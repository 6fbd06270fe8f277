"""What DevwatchReloader requires of the devwatch it connected to, checked
once the handshake is done and again once the crawl is: a server new enough
to take what the reloader sends, and a watcher that sees every change
StatReloader would. Anything less raises ``DevwatchUnavailable`` with the
reason and the fix (fallback.py reports it and picks what runs instead)."""

from __future__ import annotations

from typing import Dict, Tuple

from devwatch import __version__
from devwatch.client import Client
from devwatch.django.fallback import DevwatchUnavailable, Problem, stderr_line

# The oldest server this package speaks to (protocol 1 with file subscriptions).
MIN_SERVER_VERSION = (0, 1, 0)


def version_tuple(text: str) -> Tuple[int, ...]:
    parts = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def check_server(client: Client, binary: str, sends_excludes: bool) -> None:
    """After initialize: too old a server, or one without the exclude form
    the reloader sends, closes the client and raises."""
    version = client.version
    files = (client.capabilities.get("experimental", {}).get("devwatch", {}) or {}).get("files") or {}
    if version_tuple(version) < MIN_SERVER_VERSION or not files.get("subscribe"):
        client.close()
        raise DevwatchUnavailable(Problem(
            "devwatch.W002",
            f"devwatch {version} ({binary}) is too old: devwatch.django {__version__} needs "
            f"{'.'.join(map(str, MIN_SERVER_VERSION))} or later with file subscriptions",
            "upgrade it: pip install --upgrade devwatch"))
    if sends_excludes and not files.get("excludeBaseUri"):
        # Such a server refused the whole watch setting sent at initialize
        # (so respectGitignore stayed on): it cannot watch what
        # StatReloader would.
        client.close()
        raise DevwatchUnavailable(Problem(
            "devwatch.W002",
            f"devwatch {version} ({binary}) is too old: it does not take the {{baseUri, pattern}} "
            f"excludes devwatch.django {__version__} sends (no capabilities.experimental.devwatch."
            "files.excludeBaseUri)",
            "upgrade it: pip install --upgrade devwatch"))


def check_watcher(watcher: Dict) -> Tuple[str, int]:
    """After the crawl (devwatch/watcher's report): the backend and the
    number of folders watched; raises when the watcher is degraded, and says
    on stderr what it reports that does not degrade it."""
    backend = str(watcher.get("backend", "?"))
    folders = int(watcher.get("watchedDirectories", 0))
    problems = watcher.get("problems") or []
    degraded = [p for p in problems if p.get("kind") in ("budget", "fallback", "watch-failed")]
    if backend != "inotify" and not degraded:
        degraded = [{"message": f"devwatch watches with the {backend} backend "
                                f"({watcher.get('reason', 'no reason given')})",
                     "fix": "see 'devwatch check'"}]
    if watcher.get("unwatched") and not degraded:
        degraded = [{"message": f"{len(watcher['unwatched'])} folders have no inotify watch",
                     "fix": "see 'devwatch check'"}]
    if degraded:
        first = degraded[0]
        raise DevwatchUnavailable(Problem(
            "devwatch.W003", f"devwatch's watcher is degraded: {first.get('message', '')}",
            first.get("fix") or "see 'devwatch check'"))
    for p in problems:  # not degrading (a network mount, an unreadable folder): say it anyway
        stderr_line(f"devwatch: {p.get('message', '')}" + (f" (fix: {p['fix']})" if p.get("fix") else ""))
    return backend, folders
