import os
import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "e2e"))

CACHE = Path(os.environ.get("DEVWATCH_CACHE", Path.home() / ".cache" / "devwatch-dev"))
NODE_MODULES = CACHE / "browser" / "node_modules"


@pytest.fixture(scope="session")
def browser_env():
    """node, playwright-core and Chromium, installed by scripts/setup.sh."""
    missing = [what for what, ok in [
        ("node", shutil.which("node")),
        (f"playwright-core in {NODE_MODULES}", (NODE_MODULES / "playwright-core").is_dir()),
        ("chromium (Debian package)", shutil.which("chromium")),
    ] if not ok]
    if missing:
        pytest.fail("missing for the browser tests: " + ", ".join(missing) + " (run scripts/setup.sh)")
    return {**os.environ, "DEVWATCH_NODE_MODULES": str(NODE_MODULES), "DEVWATCH_CHROMIUM": shutil.which("chromium")}
