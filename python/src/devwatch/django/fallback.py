"""Never silent: why DevwatchReloader cannot serve, and what runs instead.

``get_reloader`` is what ``django.utils.autoreload.get_reloader`` becomes
(``install``, called by the AppConfig): DevwatchReloader when devwatch can
serve; otherwise the reason and the fix on stderr and Django's own choice
(StatReloader or WatchmanReloader), with a warning, or an exit when
``DEVWATCH_FALLBACK=strict``. The last outcome in this process is kept for
``manage.py check`` (checks.py) and the AppConfig's started-signal check.

DevwatchReloader itself (reloader.py) raises ``DevwatchUnavailable`` with a
``Problem`` and, when its watcher turns out degraded after Django already
serves, reports through ``report_unavailable`` too.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from typing import Optional

from django.utils import autoreload

logger = logging.getLogger("django.utils.autoreload")

FALLBACK_ENV = "DEVWATCH_FALLBACK"


@dataclass(frozen=True)
class Problem:
    """Why DevwatchReloader cannot serve (or serves degraded), and the fix."""

    check_id: str  # devwatch.W001 ...
    reason: str
    fix: str


class DevwatchUnavailable(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.reason)
        self.problem = problem


# What the last get_reloader() in this process found (for the system check).
last_problem: Optional[Problem] = None
last_choice: Optional[str] = None  # "DevwatchReloader", or the fallback's class name


def fallback_mode() -> str:
    """``warn`` (default: Django's own reloader, with the reason) or ``strict``."""
    value = os.environ.get(FALLBACK_ENV, "").strip().lower()
    return "strict" if value == "strict" else "warn"


def stderr_line(text: str) -> None:
    sys.stderr.write(text.rstrip("\n") + "\n")
    sys.stderr.flush()


class _StartupLine(logging.Filter):
    """Drops Django's bare "Watching for file changes with DevwatchReloader":
    DevwatchReloader logs the same line, with devwatch's version, backend and
    folder count, once devwatch's watches are in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.msg == "Watching for file changes with %s" and record.args
                    and record.args[0] == "DevwatchReloader")


startup_line = _StartupLine()
# Django's own get_reloader, taken before install() replaces it.
django_get_reloader = autoreload.get_reloader


def report_unavailable(problem: Problem, fallback_name: str) -> str:
    """The reason and the fix on stderr; exits in strict mode."""
    global last_problem, last_choice
    last_problem = problem
    stderr_line(f"devwatch: DevwatchReloader cannot run: {problem.reason}\n"
                f"devwatch:   fix: {problem.fix}")
    if fallback_mode() == "strict":
        stderr_line(f"devwatch: refusing to start ({FALLBACK_ENV}=strict); unset it to fall back to "
                    "Django's own reloader instead")
        sys.exit(1)
    last_choice = fallback_name
    stderr_line(f"devwatch: WARNING: falling back to {fallback_name} "
                f"(set {FALLBACK_ENV}=strict to refuse to start instead)")
    return fallback_name


def get_reloader() -> autoreload.BaseReloader:
    """What ``django.utils.autoreload.get_reloader`` becomes: DevwatchReloader,
    or, with the reason on stderr, Django's own choice (or an exit in strict mode)."""
    global last_problem, last_choice
    # At call time: reloader.py imports this module for Problem and
    # report_unavailable.
    from devwatch.django.reloader import DevwatchReloader

    try:
        reloader = DevwatchReloader()
    except DevwatchUnavailable as exc:
        fallback = django_get_reloader()
        report_unavailable(exc.problem, type(fallback).__name__)
        return fallback
    last_problem = None
    last_choice = "DevwatchReloader"
    return reloader


def install() -> None:
    """Make Django's autoreloader use devwatch (called by the AppConfig)."""
    if not any(f is startup_line for f in logger.filters):
        logger.addFilter(startup_line)
    autoreload.get_reloader = get_reloader
