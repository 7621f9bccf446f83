"""`just pin-digest` (`promote --pin`): the release path changes only the pin file, with the rendered diff."""

from __future__ import annotations

from pathlib import Path

import pytest
from k8s_helpers import PIN, run_tool

NEW = "sha256:" + "cd" * 32


def pin(repo: Path, *args: str):
    return run_tool("promote", "--root", str(repo), *args)


def files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted((root / "environments").rglob("*")) if p.is_file()}


def test_a_digest_is_pinned_in_one_file_with_the_rendered_diff(repo: Path):
    before = files(repo)
    result = pin(repo, "--pin", NEW, "dev")
    assert result.returncode == 0, result.stderr
    after = files(repo)
    assert [name for name in after if after[name] != before[name]] == [PIN.format("dev")]
    assert f"    digest: {NEW}\n" in after[PIN.format("dev")]
    assert after[PIN.format("dev")].endswith("\n")
    for cloud in ("gke", "eks"):
        assert f"+++ dev-{cloud} (after)" in result.stdout
    assert f"comments-api@{NEW}" in result.stdout


def test_the_same_digest_again_changes_nothing(repo: Path):
    assert pin(repo, "--pin", NEW, "staging").returncode == 0
    again = pin(repo, "--pin", NEW, "staging")
    assert again.returncode == 0
    assert "nothing to change" in again.stdout


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (("--pin", "sha256:abc", "dev"), 1, "not an image digest"),
        (("--pin", "latest", "dev"), 1, "not an image digest"),
        (("--pin", NEW, "qa"), 2, "invalid choice: 'qa'"),
        (("--pin", NEW, "dev", "staging"), 2, "--pin DIGEST takes exactly one environment"),
        (("--pin", NEW), 2, "--pin DIGEST takes exactly one environment"),
    ],
)
def test_bad_arguments_fail_and_leave_the_pins_alone(repo: Path, args: tuple[str, ...], status: int, message: str):
    before = files(repo)
    result = pin(repo, *args)
    assert result.returncode == status, result.stdout + result.stderr
    assert message in result.stderr
    assert files(repo) == before
