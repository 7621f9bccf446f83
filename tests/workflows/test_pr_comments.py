"""pr-comment.yml's script: one comment per report, updated in place, only on the run's own PR."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from workflows_helpers import SCRIPTS, run

HEAD = "c0ffee" * 6 + "abcd"
LOADTEST = "<!-- comments-platform:loadtest -->"


@pytest.fixture
def gh(tmp_path: Path):
    """A fake `gh` on PATH and its state: PR 7's head is HEAD in the fork alice/comments-platform."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "gh"
    fake.write_text(f'#!/usr/bin/env bash\nexec python3 {Path(__file__).with_name("fake_gh.py")} "$@"\n')
    fake.chmod(0o755)
    state = tmp_path / "gh.json"
    unrelated = {"id": 1, "body": "looks good to me"}
    state.write_text(
        json.dumps(
            {
                "heads": {"7": f"{HEAD} alice/comments-platform"},
                "comments": {"7": [unrelated]},
                "next_id": 100,
                "calls": [],
            }
        )
    )
    return bin_dir, state


def artifact(root: Path, kind: str, pr: str, body: str) -> None:
    directory = root / f"pr-comment-{kind}"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "pr-number").write_text(pr + "\n")
    (directory / "body.md").write_text(body)


def post(gh, comments: Path, head_sha: str = HEAD):
    bin_dir, state = gh
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "FAKE_GH_STATE": str(state),
        "GH_TOKEN": "t",
        "GH_REPO": "acme/comments-platform",
        "HEAD_SHA": head_sha,
        "HEAD_REPO": "alice/comments-platform",
    }
    result = run(["bash", str(SCRIPTS / "post-pr-comments.sh"), str(comments)], env=env)
    return result, json.loads(state.read_text())


def test_a_report_is_posted_once_and_then_updated_in_place(gh, tmp_path: Path):
    comments = tmp_path / "comments"
    artifact(comments, "loadtest", "7", "p99 4 ms: passed\n")
    first, state = post(gh, comments)
    assert first.returncode == 0, first.stderr
    assert [c["body"] for c in state["comments"]["7"]] == ["looks good to me", f"{LOADTEST}\np99 4 ms: passed"]
    artifact(comments, "loadtest", "7", "p99 60 ms: breached\n")
    artifact(comments, "rendered-diff", "7", "No rendered change in any environment.\n")
    second, state = post(gh, comments)
    assert second.returncode == 0, second.stderr
    bodies = [c["body"] for c in state["comments"]["7"]]
    assert bodies.count(f"{LOADTEST}\np99 60 ms: breached") == 1
    assert len([b for b in bodies if b.startswith(LOADTEST)]) == 1
    assert any(b.startswith("<!-- comments-platform:rendered-diff -->") for b in bodies)
    assert "looks good to me" in bodies
    assert "PATCH repos/acme/comments-platform/issues/comments/101" in state["calls"]


def test_an_artifact_naming_another_pr_or_commit_is_not_posted(gh, tmp_path: Path):
    comments = tmp_path / "comments"
    artifact(comments, "loadtest", "7", "forged\n")
    result, state = post(gh, comments, head_sha="0" * 40)
    assert result.returncode == 0, result.stderr
    assert "not this run's; not commenting" in result.stdout
    assert [c["body"] for c in state["comments"]["7"]] == ["looks good to me"]


def test_unknown_kinds_and_bad_numbers_are_ignored(gh, tmp_path: Path):
    comments = tmp_path / "comments"
    artifact(comments, "anything", "7", "spam\n")
    artifact(comments, "loadtest", "seven", "x\n")
    result, state = post(gh, comments)
    assert result.returncode == 0, result.stderr
    assert "ignoring unknown artifact pr-comment-anything" in result.stdout
    assert "posted 0 report(s)" in result.stdout
    assert not any(call.startswith("POST") for call in state["calls"])


def test_an_oversized_report_is_cut_to_fit_a_comment(gh, tmp_path: Path):
    comments = tmp_path / "comments"
    artifact(comments, "rendered-diff", "7", "x" * 200_000)
    result, state = post(gh, comments)
    assert result.returncode == 0, result.stderr
    body = state["comments"]["7"][-1]["body"]
    assert len(body) < 65_536
    assert body.endswith("the full report is in the run's artifacts._")
