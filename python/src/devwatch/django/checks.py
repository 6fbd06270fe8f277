"""``manage.py check``: why runserver would not reload through devwatch.

Stable ids:

- ``devwatch.W001``: the devwatch executable is not installed here.
- ``devwatch.W002``: devwatch is too old or failed its handshake.
- ``devwatch.W003``: devwatch's watcher is degraded (poll fallback, inotify
  watch limit too low, a root it cannot watch).
- ``devwatch.W004``: another app replaced ``django.utils.autoreload.get_reloader``
  after devwatch.django, so runserver would not ask devwatch.
- ``devwatch.W005``: ``DEVWATCH_FALLBACK`` has a value other than ``strict``
  or ``warn``.

Each warning's ``hint`` is the fix. Only run when ``DEBUG`` is on (runserver's
world); the probe starts devwatch once, watching the project's folders. Not
under runserver: with autoreload on it has already chosen its reloader and
said why, and with ``--noreload`` nothing reloads, so a probe would only
delay every start (by ~150 ms: bench/reload/reloaders.py's cold starts of
``runserver --noreload``, which is also what ``devwatch run`` restarts).
"""

from __future__ import annotations

import os
import sys
from typing import Any, List

from django.conf import settings
from django.core import checks
from django.utils import autoreload


def check_devwatch(app_configs: Any = None, **kwargs: Any) -> List[checks.CheckMessage]:
    from devwatch.django import fallback

    messages: List[checks.CheckMessage] = []
    raw_mode = os.environ.get(fallback.FALLBACK_ENV, "").strip().lower()
    if raw_mode not in ("", "strict", "warn"):
        messages.append(checks.Warning(
            f"{fallback.FALLBACK_ENV}={raw_mode!r} is not a known value; treated as 'warn'",
            hint=f"set {fallback.FALLBACK_ENV}=strict (refuse to start without devwatch) or warn (the default)",
            id="devwatch.W005"))
    if autoreload.get_reloader is not fallback.get_reloader:
        current = autoreload.get_reloader
        messages.append(checks.Warning(
            "runserver will not reload through devwatch: django.utils.autoreload.get_reloader was replaced "
            f"after devwatch.django's ready() by {getattr(current, '__module__', '?')}."
            f"{getattr(current, '__qualname__', '?')}",
            hint='move "devwatch.django" below the app that replaces it in INSTALLED_APPS, or remove that app',
            id="devwatch.W004"))
    if not getattr(settings, "DEBUG", False):
        return messages

    problem = fallback.last_problem
    if fallback.last_choice is None and not _running_runserver():  # e.g. manage.py check: probe now
        problem = _probe()
    if problem is not None:
        messages.append(checks.Warning(
            f"runserver cannot reload through devwatch: {problem.reason}",
            hint=f"{problem.fix}; until then runserver falls back to Django's own reloader "
                 f"({fallback.FALLBACK_ENV}=strict makes it refuse to start)",
            id=problem.check_id))
    return messages


def _running_runserver() -> bool:
    return len(sys.argv) > 1 and sys.argv[1] == "runserver"


def _probe():
    from devwatch.django.fallback import DevwatchUnavailable
    from devwatch.django.reloader import DevwatchReloader

    try:
        probe = DevwatchReloader()
    except DevwatchUnavailable as exc:
        return exc.problem
    try:
        probe.wait_until_watching()
    except DevwatchUnavailable as exc:
        return exc.problem
    finally:
        probe.close_client()
    return None

