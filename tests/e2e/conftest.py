import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from lsp_client import LspClient, devwatch_binary  # noqa: E402


@pytest.fixture(scope="session")
def binary() -> str:
    path = devwatch_binary()
    if not os.access(path, os.X_OK):
        pytest.fail(f"devwatch binary not found at {path}: build first (see README)")
    return path


@pytest.fixture
def client(binary, tmp_path):
    with LspClient(stderr_path=tmp_path / "devwatch.stderr") as c:
        yield c
