"""Fixture of the workflow tests (helpers: workflows_helpers.py)."""

from pathlib import Path

import pytest
from workflows_helpers import Checkout


@pytest.fixture
def checkout(tmp_path: Path) -> Checkout:
    return Checkout(tmp_path / "repo")
