"""The image's revision (scripts/images/input-revision.sh) follows its inputs and nothing else: a commit outside
them keeps it, so a warm machine reuses the built image; a commit or an uncommitted change inside changes it, so
an image never carries the revision of other sources."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts/images/input-revision.sh"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30, check=True)
    return done.stdout.strip()


def revision(root: Path) -> str:
    done = subprocess.run(["bash", str(SCRIPT), str(root)], capture_output=True, text=True, timeout=30, check=True)
    return done.stdout.strip()


def commit(root: Path, relative: str, text: str) -> str:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"edit {relative}")
    return git(root, "rev-parse", "HEAD")[:12]


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "ci@example.com")
    git(root, "config", "user.name", "ci")
    # The repository's own allow-list, so the test follows it when a workspace member is added.
    shutil.copy(REPO / ".dockerignore", root / ".dockerignore")
    for relative in ("Dockerfile", "Cargo.toml", "Cargo.lock", "app/src/main.rs", "loadtest/src/main.rs", "docs/a.md"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(f"{relative}\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root


def test_a_commit_outside_the_inputs_keeps_the_revision(scratch: Path) -> None:
    first = git(scratch, "rev-parse", "HEAD")[:12]
    assert revision(scratch) == first
    commit(scratch, "docs/a.md", "changed\n")
    commit(scratch, "environments/dev/version/kustomization.yaml", "digest: x\n")
    assert revision(scratch) == first


@pytest.mark.parametrize(
    "relative", ["app/src/main.rs", "loadtest/src/main.rs", "Cargo.lock", "Cargo.toml", "Dockerfile", ".dockerignore"]
)
def test_a_commit_to_an_input_changes_the_revision(scratch: Path, relative: str) -> None:
    changed = commit(scratch, relative, "changed\n")
    commit(scratch, "docs/a.md", "later\n")
    assert revision(scratch) == changed


def test_an_uncommitted_input_marks_the_revision_dirty(scratch: Path) -> None:
    first = revision(scratch)
    (scratch / "docs/a.md").write_text("uncommitted, not an input\n")
    assert revision(scratch) == first
    (scratch / "app/src/main.rs").write_text("uncommitted\n")
    assert revision(scratch) == f"{first}-dirty"
