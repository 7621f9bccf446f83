import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from infra_tree import Tree, copy_tree  # noqa: E402


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    return copy_tree(tmp_path)
