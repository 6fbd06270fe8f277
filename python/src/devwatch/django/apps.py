"""The Django app: ``INSTALLED_APPS = [..., "devwatch.django"]``."""

from __future__ import annotations

import sys

from django.apps import AppConfig
from django.core import checks
from django.utils import autoreload


class DevwatchConfig(AppConfig):
    name = "devwatch.django"
    label = "devwatch"
    verbose_name = "devwatch"

    def ready(self) -> None:
        from devwatch.django import fallback
        from devwatch.django.checks import check_devwatch

        fallback.install()
        checks.register(check_devwatch, "devwatch")
        # Whatever replaces get_reloader after us (another app's ready(), a
        # custom runserver), the reloader that actually starts is checked.
        autoreload.autoreload_started.connect(_reloader_started, dispatch_uid="devwatch.django")


def _reloader_started(sender: object, **kwargs: object) -> None:
    from devwatch.django import fallback

    if fallback.last_choice is None:  # our get_reloader never ran
        current = autoreload.get_reloader
        where = f"{getattr(current, '__module__', '?')}.{getattr(current, '__qualname__', '?')}"
        sys.stderr.write(
            f"devwatch: WARNING: devwatch.django is installed but Django started {type(sender).__name__} "
            f"without asking it: django.utils.autoreload.get_reloader is {where}, set after "
            "devwatch.django's ready(). Move \"devwatch.django\" below the app that sets it in "
            "INSTALLED_APPS, or remove that app.\n")
        sys.stderr.flush()
