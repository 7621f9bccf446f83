"""One pytest session must collect every area's tests, in any order: each area's helpers live in a
module named after the area, never in a shared `conftest` that another area's conftest.py shadows."""

from __future__ import annotations

import itertools
import sys

import pytest

from workflows_helpers import REPO, run

AREAS = ("tests/infra", "tests/k8s", "tests/workflows")


@pytest.mark.parametrize("order", [*itertools.permutations(AREAS), ("tests",)], ids=" ".join)
def test_one_session_collects_every_area(order: tuple[str, ...]):
    result = run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *order], cwd=REPO)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " error" not in result.stdout.splitlines()[-1], result.stdout[-3000:]
