"""Fixture of the k8s tests: a scratch copy of the delivery files (helpers: k8s_helpers.py)."""

from pathlib import Path

import pytest

from k8s_helpers import copy_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_repo(tmp_path / "repo")
