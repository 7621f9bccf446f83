"""Fixture of the k8s tests: a scratch copy of the delivery files (helpers: k8s_helpers.py)."""

from pathlib import Path

import pytest

from k8s_helpers import copy_repo, render_everything


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_repo(tmp_path / "repo")


@pytest.fixture(scope="session")
def everything() -> dict[str, list[dict]]:
    """The repository's render targets, rendered once per test session (tests deep-copy before mutating)."""
    return render_everything()
