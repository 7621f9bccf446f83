"""The setup steps (.ci/setup.d) as GitHub's hosted runners run them: a non-root user (`runner`) with
passwordless sudo. Here CI runs as root, so the sudo path is exercised in a container started from a
local Debian image (scripts/images/runner-test.sh: users `runner` with sudo and `nosudo` without).

What runs in the container is small: the load-test tools step (50-loadtest.sh), which installs the one
missing package (wrk) through apt, so the apt-and-sudo logic is what is proven, not the big installs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from workflows_helpers import REPO, run

IMAGE = "comments-platform/runner-test:trixie"
LABEL = "comments-platform.test=setup-as-sudo-user"


@pytest.fixture(scope="module")
def image() -> str:
    assert shutil.which("docker"), "docker is required for the setup-as-sudo-user test"
    # Present after `just setup`; building it here (debootstrap, beside CI's image build) can take minutes.
    built = run(["bash", str(REPO / "scripts/images/runner-test.sh")], env={"RUNNER_TEST_IMAGE": IMAGE}, timeout=900)
    assert built.returncode == 0, built.stdout + built.stderr
    return IMAGE


def in_container(image: str, user: str, script: str, repo: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            "docker",
            "run",
            "--rm",
            "--label",
            LABEL,
            "--user",
            user,
            "-v",
            f"{repo}:/src:ro",
            "-w",
            "/src",
            image,
            "bash",
            "-c",
            script,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_setup_steps_call_apt_only_as_root():
    """Static half: no step calls apt-get update/install except through as_root/apt_install."""
    offenders = []
    for step in sorted((REPO / ".ci/setup.d").glob("*.sh")):
        for number, line in enumerate(step.read_text().splitlines(), start=1):
            if re.search(r"\bapt-get\s+(update|install)\b", line) and "as_root" not in line:
                offenders.append(f"{step.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == [], "apt-get without as_root fails on GitHub's runners (not root):\n" + "\n".join(offenders)


def test_a_sudo_user_installs_what_is_missing(image: str):
    result = in_container(image, "runner", "bash .ci/setup.d/50-loadtest.sh && command -v wrk && id -un")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "setup: installing wrk" in result.stdout
    assert "loadtest setup: wrk, pgbench, pg_isready, taskset present" in result.stdout
    assert result.stdout.split()[-1] == "runner"


def test_root_installs_without_sudo(image: str):
    result = in_container(image, "root", "rm -f /usr/bin/sudo && bash .ci/setup.d/50-loadtest.sh && command -v wrk")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_user_without_sudo_gets_a_clear_error(image: str):
    result = in_container(image, "nosudo", "bash .ci/setup.d/50-loadtest.sh")
    assert result.returncode != 0
    assert "needs root: run as root or as a user with passwordless sudo" in result.stderr


def test_the_test_catches_a_step_that_assumes_root(image: str, tmp_path: Path):
    """The defect: plain apt-get in a step. A copy of the step without as_root fails for the sudo user."""
    copy = tmp_path / "repo"
    (copy / ".ci/setup.d").mkdir(parents=True)
    shutil.copy(REPO / ".ci/setup-lib.sh", copy / ".ci/setup-lib.sh")
    text = (REPO / ".ci/setup.d/50-loadtest.sh").read_text()
    assert 'apt_install "${need[@]}"' in text
    broken = text.replace(
        'apt_install "${need[@]}"', 'apt-get update -qq\n  apt-get install -y -qq --no-install-recommends "${need[@]}"'
    )
    (copy / ".ci/setup.d/50-loadtest.sh").write_text(broken)
    copy.chmod(0o755)
    result = in_container(image, "runner", "bash .ci/setup.d/50-loadtest.sh", repo=copy)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Permission denied" in result.stderr
