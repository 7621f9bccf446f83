"""`just pin-digest`: the release and rollback path changes only the pin file, through tools/k8s."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workflows_helpers import REPO, SCRIPTS, run

NEW = "sha256:" + "cd" * 32
PIN = Path("environments/dev/version/kustomization.yaml")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for part in ("environments", "tools/k8s", "argocd"):
        shutil.copytree(REPO / part, tmp_path / part)
    return tmp_path


def pin(tree: Path, *args: str):
    return run(["python3", str(SCRIPTS / "pin_digest.py"), "--root", str(tree), *args])


def files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted((root / "environments").rglob("*")) if p.is_file()}


def test_a_digest_is_pinned_in_one_file_with_the_rendered_diff(tree: Path):
    before = files(tree)
    result = pin(tree, "dev", NEW)
    assert result.returncode == 0, result.stderr
    after = files(tree)
    assert [name for name in after if after[name] != before[name]] == [str(PIN)]
    assert f"    digest: {NEW}\n" in after[str(PIN)]
    assert after[str(PIN)].endswith("\n")
    for cloud in ("gke", "eks"):
        assert f"+++ dev-{cloud} (after)" in result.stdout
    assert f"comments-api@{NEW}" in result.stdout


def test_the_same_digest_again_changes_nothing(tree: Path):
    assert pin(tree, "staging", NEW).returncode == 0
    again = pin(tree, "staging", NEW)
    assert again.returncode == 0
    assert "nothing to change" in again.stdout


@pytest.mark.parametrize(("env", "digest", "message"), [
    ("dev", "sha256:abc", "not an image digest"),
    ("dev", "latest", "not an image digest"),
    ("qa", NEW, "environments are dev, staging, prod"),
])
def test_bad_arguments_fail_and_leave_the_pins_alone(tree: Path, env: str, digest: str, message: str):
    before = files(tree)
    result = pin(tree, env, digest)
    assert result.returncode == 1
    assert message in result.stderr
    assert files(tree) == before
