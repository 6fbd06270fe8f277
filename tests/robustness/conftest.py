"""Fault, load and soak tests: the real binary over real pipes (see docs/robustness-tests.md)."""
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "e2e"))  # LspClient, devserver_util
sys.path.insert(0, str(HERE))

from lsp_client import devwatch_binary  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def binary() -> str:
    path = devwatch_binary()
    if not os.access(path, os.X_OK):
        pytest.fail(f"devwatch binary not found at {path}: build first (see README)")
    return path
