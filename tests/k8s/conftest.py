"""Fixtures of the k8s tests: a scratch copy of the delivery files, the same as a Git repository, and a
fake GitHub API serving commit statuses (helpers: k8s_helpers.py, fake_github.py)."""

from pathlib import Path

import pytest
from fake_github import FakeGitHub
from k8s_helpers import copy_repo, git, render_everything


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_repo(tmp_path / "repo")


@pytest.fixture(scope="session")
def everything() -> dict[str, list[dict]]:
    """The repository's render targets, rendered once per test session (tests deep-copy before mutating)."""
    return render_everything()


@pytest.fixture
def scratch(tmp_path):
    root = copy_repo(tmp_path / "scratch")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "ci@example.com")
    git(root, "config", "user.name", "ci")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial pins")
    return root


@pytest.fixture
def github():
    fake = FakeGitHub()
    yield fake
    fake.close()
