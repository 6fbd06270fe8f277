"""devwatch for ``manage.py runserver``: add ``"devwatch.django"`` to
``INSTALLED_APPS`` and runserver reloads through devwatch (DevwatchReloader).
See python/README.md."""
