"""`just promote` against a scratch Git repository: one-line change, readable diff, order invariant."""

import subprocess

import pytest

from k8s_helpers import copy_repo, edit, run_tool

OLD = "sha256:" + "0123456789abcdef" * 4
NEW = "sha256:" + "a" * 64
OTHER = "sha256:" + "b" * 64
PIN = "environments/{}/version/kustomization.yaml"


def git(root, *args):
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def scratch(tmp_path):
    root = copy_repo(tmp_path / "scratch")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "ci@example.com")
    git(root, "config", "user.name", "ci")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial pins")
    return root


def pin(root, env, digest, message=None):
    edit(root / PIN.format(env), f"digest: {current(root, env)}", f"digest: {digest}")
    if message:
        git(root, "commit", "-q", "-am", message)


def current(root, env):
    text = (root / PIN.format(env)).read_text()
    return text[text.index("sha256:"):].split()[0]


def promote(root, *args):
    return run_tool("promote", "--root", str(root), *args)


def test_promote_changes_one_line_and_prints_both_clouds(scratch):
    pin(scratch, "dev", NEW, "release to dev")
    run = promote(scratch, "dev", "staging")
    assert run.returncode == 0, run.stderr
    assert git(scratch, "status", "--porcelain").splitlines() == [f" M {PIN.format('staging')}"]
    assert git(scratch, "diff", "--numstat").split() == ["1", "1", PIN.format("staging")]
    assert current(scratch, "staging") == NEW
    for cloud, registry in (("gke", "europe-west1-docker.pkg.dev"), ("eks", "dkr.ecr")):
        assert f"--- staging-{cloud} (before)" in run.stdout and f"+++ staging-{cloud} (after)" in run.stdout
        assert any(line.startswith("+") and registry in line and NEW in line for line in run.stdout.splitlines())
        assert any(line.startswith("-") and registry in line and OLD in line for line in run.stdout.splitlines())


@pytest.mark.parametrize("src, dst", [("dev", "prod"), ("staging", "dev"), ("prod", "staging"), ("dev", "dev")])
def test_skipping_or_going_back_is_refused(scratch, src, dst):
    pin(scratch, src, NEW, "new digest")
    run = promote(scratch, src, dst)
    assert run.returncode == 1
    assert "one step at a time" in run.stderr
    assert git(scratch, "status", "--porcelain") == ""


def test_nothing_to_promote(scratch):
    run = promote(scratch, "staging", "prod")
    assert run.returncode == 0 and "nothing to change" in run.stdout
    assert git(scratch, "status", "--porcelain") == ""


def test_check_passes_for_the_bootstrap_pins(scratch):
    run = promote(scratch, "--check")
    assert run.returncode == 0, run.stderr


def test_check_passes_along_the_promotion_path(scratch):
    pin(scratch, "dev", NEW, "release to dev")
    assert promote(scratch, "dev", "staging").returncode == 0
    assert promote(scratch, "--check").returncode == 0  # promoted, not yet committed
    git(scratch, "commit", "-q", "-am", "promote to staging")
    assert promote(scratch, "staging", "prod").returncode == 0
    git(scratch, "commit", "-q", "-am", "promote to prod")
    pin(scratch, "dev", OTHER, "next release to dev")
    run = promote(scratch, "--check")
    assert run.returncode == 0, run.stderr
    assert "promotion order: ok" in run.stdout


def test_check_fails_when_prod_skipped_staging(scratch):
    pin(scratch, "dev", NEW, "release to dev")
    pin(scratch, "prod", NEW, "hotfix straight to prod")
    run = promote(scratch, "--check")
    assert run.returncode == 1
    assert f"prod runs {NEW} but staging never pinned it in an earlier commit" in run.stderr


def test_check_fails_when_staging_and_dev_changed_in_one_commit(scratch):
    pin(scratch, "dev", NEW)
    pin(scratch, "staging", NEW, "dev and staging at once")
    run = promote(scratch, "--check")
    assert run.returncode == 1
    assert f"staging runs {NEW} but dev never pinned it in an earlier commit" in run.stderr


def test_check_fails_for_an_uncommitted_digest_unknown_upstream(scratch):
    pin(scratch, "staging", OTHER)
    assert promote(scratch, "--check").returncode == 1


def test_pin_keeps_the_file_intact_but_for_the_digest(scratch):
    from tools.k8s.promote import pin as pin_digest
    before = (scratch / PIN.format("staging")).read_text()
    pin_digest(scratch, "staging", NEW, "rollback")
    assert (scratch / PIN.format("staging")).read_text() == before.replace(OLD, NEW)


def test_pin_refuses_a_tag(scratch):
    from tools.k8s.layout import CheckError
    from tools.k8s.promote import pin as pin_digest
    with pytest.raises(CheckError, match="not an image digest"):
        pin_digest(scratch, "dev", "v1.2.3", "release")
