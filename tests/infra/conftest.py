"""Fixture of the infra tests (helpers: infra_tree.py)."""

from pathlib import Path

import pytest
from infra_tree import Tree, copy_tree


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    return copy_tree(tmp_path)
