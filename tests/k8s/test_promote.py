"""`just promote` against a scratch Git repository: one-line change, readable diff, order invariant.
(The gate's refusals: test_promotion_gate.py.)"""

from datetime import timedelta

import pytest
from k8s_helpers import HISTORY, PIN, current, git, head, healthy, pin, run_tool

OLD = "sha256:" + "0123456789abcdef" * 4
NEW = "sha256:" + "a" * 64
OTHER = "sha256:" + "b" * 64
AGO = timedelta(hours=30)  # beyond every soak time


def promote(root, *args, github=None):
    return run_tool("promote", "--root", str(root), *args, env=github.env() if github else None)


def verified(github, root, env, digest, ago=AGO):
    """Both clouds of env report digest healthy on the current commit, `ago` ago."""
    for cloud in ("gke", "eks"):
        github.post(head(root), env, cloud, "success", healthy(digest), ago)


def test_promote_changes_the_pin_and_its_history_and_prints_both_clouds(scratch, github):
    pin(scratch, "dev", NEW, "release to dev")
    verified(github, scratch, "dev", NEW)
    run = promote(scratch, "dev", "staging", github=github)
    assert run.returncode == 0, run.stderr
    assert git(scratch, "status", "--porcelain").splitlines() == [
        f" M {HISTORY.format('staging')}",
        f" M {PIN.format('staging')}",
    ]
    numstat = git(scratch, "diff", "--numstat").split()
    assert numstat == ["1", "0", HISTORY.format("staging"), "1", "1", PIN.format("staging")]
    assert current(scratch, "staging") == NEW
    for cloud, registry in (("gke", "europe-west1-docker.pkg.dev"), ("eks", "dkr.ecr")):
        assert f"--- staging-{cloud} (before)" in run.stdout and f"+++ staging-{cloud} (after)" in run.stdout
        assert any(line.startswith("+") and registry in line and NEW in line for line in run.stdout.splitlines())
        assert any(line.startswith("-") and registry in line and OLD in line for line in run.stdout.splitlines())


@pytest.mark.parametrize("src, dst", [("dev", "prod"), ("staging", "dev"), ("prod", "staging"), ("dev", "dev")])
def test_skipping_or_going_back_is_refused(scratch, github, src, dst):
    pin(scratch, src, NEW, "new digest")
    verified(github, scratch, src, NEW)
    run = promote(scratch, src, dst, github=github)
    assert run.returncode == 1
    assert "one step at a time" in run.stderr
    assert git(scratch, "status", "--porcelain") == ""


def test_nothing_to_promote(scratch, github):
    verified(github, scratch, "staging", OLD)
    run = promote(scratch, "staging", "prod", github=github)
    assert run.returncode == 0 and "nothing to change" in run.stdout, run.stderr
    assert git(scratch, "status", "--porcelain") == ""


def test_check_passes_for_the_bootstrap_pins(scratch):
    run = promote(scratch, "--check")
    assert run.returncode == 0, run.stderr


def test_check_passes_along_the_promotion_path(scratch, github):
    pin(scratch, "dev", NEW, "release to dev")
    verified(github, scratch, "dev", NEW)
    assert promote(scratch, "dev", "staging", github=github).returncode == 0
    assert promote(scratch, "--check").returncode == 0  # promoted, not yet committed
    git(scratch, "commit", "-q", "-am", "promote to staging")
    verified(github, scratch, "staging", NEW)
    assert promote(scratch, "staging", "prod", github=github).returncode == 0
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


def test_check_fails_for_a_pin_without_its_history_row(scratch):
    pin(scratch, "dev", NEW, "release to dev")
    pin(scratch, "staging", NEW, "hand-edited promotion")
    run = promote(scratch, "--check")
    assert run.returncode == 1
    assert (
        f"staging pins {NEW} in" in run.stderr
        and "without a row in environments/staging/version/HISTORY.md" in run.stderr
    )


def test_check_fails_for_a_digest_dev_had_abandoned(scratch, github):
    """The expert review's first gap: dev pins A, then B; a promotion of A to staging must not pass."""
    pin(scratch, "dev", NEW, "release A to dev")
    verified(github, scratch, "dev", NEW)
    assert promote(scratch, "dev", "staging", github=github).returncode == 0
    history = (scratch / HISTORY.format("staging")).read_text()
    git(scratch, "checkout", "-q", "--", ".")
    pin(scratch, "dev", OTHER, "release B to dev")
    pin(scratch, "staging", NEW)
    (scratch / HISTORY.format("staging")).write_text(history)
    git(scratch, "commit", "-q", "-am", "promote the old A to staging")
    run = promote(scratch, "--check")
    assert run.returncode == 1
    assert f"stale: staging pins {NEW}" in run.stderr and f"dev had moved on to {OTHER}" in run.stderr


def test_check_fails_when_history_is_rewritten(scratch):
    path = scratch / HISTORY.format("prod")
    path.write_text(path.read_text() + "| 2026-01-01T00:00Z | promote | `" + NEW + "` | staging | x | - |\n")
    git(scratch, "commit", "-q", "-am", "a row")
    path.write_text(path.read_text().replace("| x |", "| y |"))
    run = promote(scratch, "--check")
    assert run.returncode == 1
    assert "environments/prod/version/HISTORY.md is append-only, but the working tree rewrites" in run.stderr
    path.unlink()
    assert "HISTORY.md is missing" in promote(scratch, "--check").stderr


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
