"""The release flow's version logic (release-version.sh, release-prepare.sh with git-cliff and cliff.toml),
on a scratch Git repository shaped like this one: which commits move the version, and what the release
pull request changes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from workflows_helpers import REPO, SCRIPTS, run, tool_env

CARGO = '[workspace]\nmembers = ["app"]\n\n[workspace.package]\nversion = "{}"\nedition = "2024"\n'
APP = '[package]\nname = "comments-api"\nversion.workspace = true\n'
LOCK = (
    'version = 4\n\n[[package]]\nname = "anyhow"\nversion = "{v}"\nsource = "registry+x"\n\n'
    '[[package]]\nname = "comments-api"\nversion = "{v}"\n'
)


class Scratch:
    def __init__(self, root: Path, version: str = "0.1.0"):
        self.root = root
        root.mkdir()
        (root / "app").mkdir()
        (root / ".github").mkdir()
        shutil.copytree(SCRIPTS, root / ".github" / "scripts")
        shutil.copy(REPO / "cliff.toml", root / "cliff.toml")
        (root / "Cargo.toml").write_text(CARGO.format(version))
        (root / "app" / "Cargo.toml").write_text(APP)
        (root / "Cargo.lock").write_text(LOCK.format(v=version))
        self.git("init", "-q", "-b", "main")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "chore: start")

    def git(self, *args: str) -> str:
        env = {
            **tool_env(),
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.org",
        }
        return subprocess.run(["git", *args], cwd=self.root, env=env, check=True, capture_output=True, text=True).stdout

    def commit(self, message: str, path: str = "app/src.rs") -> None:
        file = self.root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(file.read_text() + "x\n" if file.exists() else "x\n")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def decide(self) -> dict[str, str]:
        result = run(["bash", str(self.root / ".github/scripts/release-version.sh")], cwd=self.root)
        assert result.returncode == 0, result.stderr
        return dict(line.split("=", 1) for line in result.stdout.split())


@pytest.fixture
def repo(tmp_path: Path) -> Scratch:
    scratch = Scratch(tmp_path / "repo")
    scratch.git("tag", "v0.1.0")
    return scratch


def test_git_cliff_is_installed():
    result = run(["git-cliff", "--version"])
    assert result.returncode == 0, "git-cliff missing: .ci/requirements/workflows.txt pins it (just setup)"


def test_nothing_new_proposes_no_release(repo: Scratch):
    assert repo.decide() == {"version": "0.1.0", "tag": "false", "next": "0.1.0", "release-pr": "false"}


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        (["fix(api): reject an empty comment"], "0.1.1"),
        (["fix: a", "feat(api): pagination headers"], "0.2.0"),
        (["feat(api)!: drop the v0 list format"], "0.2.0"),
        (["perf: one query per page"], "0.1.1"),
    ],
)
def test_conventional_commits_to_the_image_bump_the_version(repo: Scratch, messages, expected):
    for message in messages:
        repo.commit(message)
    assert repo.decide() == {"version": "0.1.0", "tag": "false", "next": expected, "release-pr": "true"}


def test_a_major_version_bumps_major_on_a_breaking_change(tmp_path: Path):
    repo = Scratch(tmp_path / "one", version="1.4.2")
    repo.git("tag", "v1.4.2")
    repo.commit("feat!: a new API")
    assert repo.decide()["next"] == "2.0.0"


@pytest.mark.parametrize(
    ("message", "path"),
    [
        ("Deploy sha256:" + "ab" * 32 + " to dev", "environments/dev/version/kustomization.yaml"),
        ("Deploy sha256:" + "ab" * 32 + " to dev", "app/src.rs"),  # not conventional: never a release
        ("feat(infra): a new module", "modules/x/main.tf"),  # does not alter the image
        ("docs: the release flow", "docs/pipelines.md"),
        ("chore(release): v0.1.0", "Cargo.toml"),
    ],
)
def test_pins_and_changes_outside_the_image_never_move_the_version(repo: Scratch, message, path):
    repo.commit(message, path)
    assert repo.decide()["release-pr"] == "false"


def test_the_release_pr_bumps_manifests_and_changelog_and_its_merge_is_tagged_once(repo: Scratch):
    repo.commit("feat(api): pagination headers")
    repo.commit("fix: trim the comment")
    (repo.root / "CHANGELOG.md").write_text("# Changelog\n\nintro\n\n## [0.1.0] - 2026-12-01\n\n- first\n")
    result = run(["bash", str(repo.root / ".github/scripts/release-prepare.sh"), "0.2.0"], cwd=repo.root)
    assert result.returncode == 0, result.stderr
    assert 'version = "0.2.0"' in (repo.root / "Cargo.toml").read_text()
    lock = (repo.root / "Cargo.lock").read_text()
    assert 'name = "comments-api"\nversion = "0.2.0"' in lock
    assert 'name = "anyhow"\nversion = "0.1.0"' in lock, "a registry package's version must not move"
    changelog = (repo.root / "CHANGELOG.md").read_text()
    assert changelog.startswith("# Changelog") and changelog.index("## [0.2.0]") < changelog.index("## [0.1.0]")
    assert "Pagination headers" in changelog and "Trim the comment" in changelog
    # The release PR is merged: tag it (once), then nothing is proposed until the next change.
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "chore(release): v0.2.0")
    assert repo.decide() == {"version": "0.2.0", "tag": "true", "next": "0.2.0", "release-pr": "false"}
    repo.git("tag", "v0.2.0")
    assert repo.decide() == {"version": "0.2.0", "tag": "false", "next": "0.2.0", "release-pr": "false"}
    repo.commit("Deploy sha256:" + "cd" * 32 + " to dev", "environments/dev/version/kustomization.yaml")
    assert repo.decide()["release-pr"] == "false"


def test_the_release_pr_workflow_runs_only_for_the_image_inputs():
    paths = run(["bash", str(SCRIPTS / "release-version.sh"), "--paths"]).stdout.split()
    workflow = yaml.safe_load((REPO / ".github/workflows/release-pr.yml").read_text())
    on = workflow.get("on", workflow.get(True))
    assert on["push"]["branches"] == ["main"]
    assert on["push"]["paths"] == paths, "release-pr.yml's push paths and release-version.sh's IMAGE_PATHS differ"


def test_the_github_release_notes_are_the_versions_changelog_section(tmp_path: Path):
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## [0.2.0] - 2026-12-04\n\n- two\n\n## [0.1.0] - 2026-12-03\n\n- one\n")
    notes = run(["bash", str(SCRIPTS / "release-notes.sh"), "0.2.0", str(changelog)])
    assert notes.returncode == 0, notes.stderr
    assert notes.stdout.strip() == "- two"
    missing = run(["bash", str(SCRIPTS / "release-notes.sh"), "0.3.0", str(changelog)])
    assert missing.returncode == 1
    assert "has no section for 0.3.0" in missing.stderr
    assert run(["bash", str(SCRIPTS / "release-notes.sh"), "0.1.0", str(REPO / "CHANGELOG.md")]).returncode == 0
