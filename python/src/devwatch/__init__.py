"""devwatch: the native workspace watcher and dev-server supervisor, from pip.

The wheel installs the C++ ``devwatch`` executable into the environment's
scripts directory. ``devwatch.client`` talks to it over stdio;
``devwatch.django`` makes ``manage.py runserver`` reload through it.
"""

from __future__ import annotations

import os
import sys
import sysconfig

__version__ = "0.1.0"

__all__ = ["__version__", "find_devwatch_bin"]


def find_devwatch_bin() -> str:
    """The path of the ``devwatch`` executable this package installed.

    Like ruff's ``find_ruff_bin``: the scripts directory of this interpreter's
    installation scheme (the venv's ``bin/``), then the user scheme. The
    environment variable ``DEVWATCH_BIN`` overrides both (for development
    builds). Raises ``FileNotFoundError`` naming every place looked at.
    """
    override = os.environ.get("DEVWATCH_BIN")
    if override:
        if os.path.isfile(override) and os.access(override, os.X_OK):
            return override
        raise FileNotFoundError(f"DEVWATCH_BIN={override} is not an executable file")
    exe = "devwatch" + (sysconfig.get_config_var("EXE") or "")
    candidates = [os.path.join(sysconfig.get_path("scripts"), exe)]
    user_scheme = f"{os.name}_user"
    if user_scheme in sysconfig.get_scheme_names():
        candidates.append(os.path.join(sysconfig.get_path("scripts", scheme=user_scheme), exe))
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise FileNotFoundError(
        "the devwatch executable is not installed next to this Python "
        f"({sys.executable}); looked at: {', '.join(candidates)}. "
        "Reinstall it with: pip install --force-reinstall devwatch"
    )
