"""The promotion gate against a scratch Git repository and a fake GitHub API: every refusal reason, the
forced path, the happy path's PR body, rollback to the last verified digest, and `just status`."""

import os
import subprocess
from datetime import timedelta

import pytest
from k8s_helpers import HISTORY, REPO, current, git, head, healthy, pin, run_tool

OLD = "sha256:" + "0123456789abcdef" * 4
A = "sha256:" + "a" * 64
B = "sha256:" + "b" * 64
C = "sha256:" + "c" * 64
HOUR = timedelta(hours=1)


def promote(root, github, *args):
    return run_tool("promote", "--root", str(root), *args, env=github.env())


def report(github, commit, env, state, description, ago=HOUR, clouds=("gke", "eks")):
    for cloud in clouds:
        github.post(commit, env, cloud, state, description, ago)


def refused(run, *reasons):
    assert run.returncode == 1, run.stdout
    lines = [line for line in run.stderr.splitlines() if line.startswith("REFUSED ")]
    for reason in reasons:
        assert any(reason in line for line in lines), f"{reason!r} not in {lines}"
    return lines


@pytest.fixture
def dev_a(scratch):
    """dev pins A in a commit; returns that commit."""
    return pin(scratch, "dev", A, "release A to dev")


def unchanged(root):
    assert git(root, "status", "--porcelain") == "", "a refused promotion must change nothing"


def test_happy_path_pins_records_and_writes_the_pr_body(scratch, github, dev_a, tmp_path):
    report(github, dev_a, "dev", "success", healthy(A), ago=45 * timedelta(minutes=1))
    evidence = tmp_path / "evidence.md"
    run = promote(scratch, github, "dev", "staging", "--evidence-out", str(evidence))
    assert run.returncode == 0, run.stderr
    assert current(scratch, "staging") == A
    row = (scratch / HISTORY.format("staging")).read_text().splitlines()[-1]
    assert row.startswith("| ") and f"| promote | `{A}` | dev @ {dev_a[:12]} |" in row
    assert "deploy/dev-gke: healthy, smoke passed" in row and "soak 45m >= 30m" in row
    body = evidence.read_text()
    assert (
        f"pinned in dev by [{dev_a[:12]}](https://github.example/example-org/comments-platform/commit/{dev_a})" in body
    )
    for cloud in ("gke", "eks"):
        assert f"- deploy/dev-{cloud}: success, {healthy(A)}" in body
        assert f"https://argocd.{cloud}.dev.example/applications/comments-api-dev-{cloud}" in body
    assert "- soak: 45m healthy on both clouds (required 30m, environments/dev/settings/promotion.yaml)" in body
    # The PR body the workflow writes carries that evidence above the rendered difference.
    out = tmp_path / "promote.txt"
    out.write_text(run.stdout)
    pr = subprocess.run(
        ["bash", str(REPO / ".github/scripts/promotion-body.sh"), "staging", A, "dev", str(out), "", ""],
        capture_output=True,
        text=True,
        env={**os.environ, "PROMOTION_EVIDENCE": str(evidence)},
    )
    assert pr.returncode == 0, pr.stderr
    assert pr.stdout.index("### Promotion evidence (dev -> staging)") < pr.stdout.index("### Rendered difference")


def test_stale_abandoned_digest_is_refused(scratch, github, dev_a):
    report(github, dev_a, "dev", "success", healthy(A), ago=2 * HOUR)
    dev_b = pin(scratch, "dev", B, "release B to dev")
    report(github, dev_b, "dev", "success", healthy(B), ago=HOUR)
    run = promote(scratch, github, "dev", "staging", "--digest", A)
    refused(run, f"stale: {A} is not dev's current pin ({B}, since {dev_b[:12]}); dev abandoned it")
    unchanged(scratch)


def test_uncommitted_source_pin_is_refused(scratch, github, dev_a):
    report(github, dev_a, "dev", "success", healthy(A), ago=2 * HOUR)
    pin(scratch, "dev", B)
    refused(
        promote(scratch, github, "dev", "staging"),
        "stale: environments/dev/version/kustomization.yaml has an uncommitted change",
    )
    assert current(scratch, "staging") == OLD


def test_missing_cloud_is_refused(scratch, github, dev_a):
    report(github, dev_a, "dev", "success", healthy(A), ago=2 * HOUR, clouds=("gke",))
    refused(promote(scratch, github, "dev", "staging"), f"missing cloud: deploy/dev-eks has reported nothing for {A}")
    unchanged(scratch)


def test_degraded_cloud_is_refused(scratch, github, dev_a):
    report(github, dev_a, "dev", "success", healthy(A), ago=3 * HOUR)
    github.post(dev_a, "dev", "eks", "failure", f"degraded: {A}", HOUR)
    refused(promote(scratch, github, "dev", "staging"), f"deploy/dev-eks: degraded for {A}")
    unchanged(scratch)


def test_failed_smoke_check_is_refused(scratch, github, dev_a):
    github.post(dev_a, "dev", "gke", "success", healthy(A), 2 * HOUR)
    github.post(dev_a, "dev", "eks", "failure", f"sync failed, smoke failed: {A}", 2 * HOUR)
    refused(promote(scratch, github, "dev", "staging"), f"deploy/dev-eks: the smoke check failed for {A}")
    unchanged(scratch)


def test_healthy_without_a_smoke_result_is_refused(scratch, github, dev_a):
    report(github, dev_a, "dev", "success", f"synced, healthy: {A}", ago=2 * HOUR)
    refused(promote(scratch, github, "dev", "staging"), f"deploy/dev-gke: healthy, but no smoke check result for {A}")


def test_a_report_about_the_previous_digest_is_refused(scratch, github, dev_a):
    """The cluster has not synced the new pin yet: its latest report still names the old digest."""
    report(github, dev_a, "dev", "success", healthy(OLD), ago=2 * HOUR)
    refused(
        promote(scratch, github, "dev", "staging"), f"deploy/dev-gke: the latest healthy report names {OLD}, not {A}"
    )


def test_reports_before_the_pin_do_not_count_but_later_commits_do(scratch, github):
    before = head(scratch)
    report(github, before, "dev", "success", healthy(A), ago=5 * HOUR)  # not a commit that pinned A
    dev_a = pin(scratch, "dev", A, "release A to dev")
    refused(promote(scratch, github, "dev", "staging"), "missing cloud: deploy/dev-gke")
    (scratch / "notes.txt").write_text("a later commit on main\n")
    git(scratch, "add", "notes.txt")
    git(scratch, "commit", "-q", "-m", "unrelated change")
    report(github, head(scratch), "dev", "success", healthy(A), ago=2 * HOUR)  # Argo CD synced the later revision
    assert dev_a != head(scratch)
    run = promote(scratch, github, "dev", "staging")
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize(
    "src, dst, gke_ago, eks_ago, needs",
    [
        ("dev", "staging", HOUR, timedelta(minutes=10), "needs 30m"),  # the later cloud counts
        ("staging", "prod", timedelta(hours=23), timedelta(hours=30), "needs 24h00m"),
    ],
)
def test_soak_not_elapsed_is_refused(scratch, github, src, dst, gke_ago, eks_ago, needs):
    commit = pin(scratch, "dev", A, "release A to dev")
    if src == "staging":
        report(github, commit, "dev", "success", healthy(A), ago=2 * HOUR)
        assert promote(scratch, github, "dev", "staging").returncode == 0
        git(scratch, "commit", "-q", "-am", "promote A to staging")
        commit = head(scratch)
    github.post(commit, src, "gke", "success", healthy(A), gke_ago)
    github.post(commit, src, "eks", "success", healthy(A), eks_ago)
    lines = refused(promote(scratch, github, src, dst), f"soak not elapsed: {src} has run {A} healthy on both clouds")
    assert needs in lines[0] and f"environments/{src}/settings/promotion.yaml" in lines[0]
    unchanged(scratch)


def test_a_degradation_restarts_the_soak(scratch, github, dev_a):
    report(github, dev_a, "dev", "success", healthy(A), ago=5 * HOUR)
    report(github, dev_a, "dev", "failure", f"degraded: {A}", ago=4 * HOUR)
    report(github, dev_a, "dev", "success", healthy(A), ago=timedelta(minutes=5))
    refused(promote(scratch, github, "dev", "staging"), "soak not elapsed", "for 5m, needs 30m")


def test_skipped_environment_is_refused(scratch, github, dev_a):
    report(github, dev_a, "dev", "success", healthy(A), ago=48 * HOUR)
    refused(promote(scratch, github, "dev", "prod"), "skipped environment: staging must run it first")
    refused(promote(scratch, github, "dev", "prod", "--force", "--reason", "hotfix"), "skipped environment")
    unchanged(scratch)


def test_every_reason_is_listed_at_once(scratch, github, dev_a):
    github.post(dev_a, "dev", "gke", "failure", f"degraded: {A}", HOUR)
    lines = refused(
        promote(scratch, github, "dev", "staging"), "deploy/dev-gke: degraded", "missing cloud: deploy/dev-eks"
    )
    assert len(lines) == 2


def test_force_waives_evidence_and_soak_and_records_the_reason(scratch, github, dev_a, tmp_path):
    report(github, dev_a, "dev", "success", healthy(A), ago=timedelta(minutes=3), clouds=("gke",))
    assert "--force needs --reason" in promote(scratch, github, "dev", "staging", "--force").stderr
    evidence = tmp_path / "evidence.md"
    run = promote(
        scratch,
        github,
        "dev",
        "staging",
        "--force",
        "--reason",
        "CVE fix, dev-eks down",
        "--evidence-out",
        str(evidence),
    )
    assert run.returncode == 0, run.stderr
    assert "WAIVED (--force) missing cloud: deploy/dev-eks" in run.stdout
    row = (scratch / HISTORY.format("staging")).read_text().splitlines()[-1]
    assert f"| force | `{A}` |" in row and row.endswith("| CVE fix, dev-eks down |")
    body = evidence.read_text()
    assert "### FORCED: gate waived" in body and "Reason: CVE fix, dev-eks down" in body
    assert "- missing cloud: deploy/dev-eks" in body and "production" in body


def test_force_never_moves_an_abandoned_digest(scratch, github, dev_a):
    pin(scratch, "dev", B, "release B to dev")
    refused(promote(scratch, github, "dev", "staging", "--digest", A, "--force", "--reason", "x"), "stale:")


def test_github_unreachable_fails_closed(scratch, github, dev_a):
    github.broken = True
    run = promote(scratch, github, "dev", "staging")
    assert run.returncode == 1 and "cannot read the commit statuses" in run.stderr
    unchanged(scratch)


def rollback(root, github, env, *args):
    return run_tool("rollback", "--root", str(root), env, *args, env=github.env())


def test_rollback_chooses_the_last_verified_digest(scratch, github):
    commit_a = pin(scratch, "dev", A, "release A")
    report(github, commit_a, "dev", "success", healthy(A), ago=10 * HOUR)
    commit_b = pin(scratch, "dev", B, "release B")
    report(github, commit_b, "dev", "success", healthy(B), ago=6 * HOUR)
    report(github, commit_b, "dev", "failure", f"degraded: {B}", ago=5 * HOUR, clouds=("eks",))  # B ended degraded
    commit_c = pin(scratch, "dev", C, "release C")
    report(github, commit_c, "dev", "failure", f"sync failed, smoke failed: {C}", ago=HOUR)
    assert "needs --reason" in rollback(scratch, github, "dev").stderr
    run = rollback(scratch, github, "dev", "--reason", "C fails its smoke check")
    assert run.returncode == 0, run.stderr
    assert current(scratch, "dev") == A  # B is newer, but its run did not end verified
    row = (scratch / HISTORY.format("dev")).read_text().splitlines()[-1]
    assert f"| rollback | `{A}` | dev @ {commit_a[:12]} |" in row and "soak waived: C fails its smoke check" in row
    git(scratch, "commit", "-q", "-am", "roll dev back")
    assert run_tool("promote", "--root", str(scratch), "--check").returncode == 0


def test_rollback_of_staging_keeps_the_check_green(scratch, github):
    commit_a = pin(scratch, "dev", A, "release A")
    report(github, commit_a, "dev", "success", healthy(A), ago=10 * HOUR)
    assert promote(scratch, github, "dev", "staging").returncode == 0
    git(scratch, "commit", "-q", "-am", "promote A")
    report(github, head(scratch), "staging", "success", healthy(A), ago=9 * HOUR)
    commit_b = pin(scratch, "dev", B, "release B")
    report(github, commit_b, "dev", "success", healthy(B), ago=8 * HOUR)
    assert promote(scratch, github, "dev", "staging").returncode == 0
    git(scratch, "commit", "-q", "-am", "promote B")
    report(github, head(scratch), "staging", "failure", f"degraded: {B}", ago=HOUR)
    run = rollback(scratch, github, "staging", "--reason", "B degraded staging")
    assert run.returncode == 0, run.stderr
    assert current(scratch, "staging") == A
    git(scratch, "commit", "-q", "-am", "roll staging back")
    check = run_tool("promote", "--root", str(scratch), "--check")
    assert check.returncode == 0, check.stderr


def test_rollback_refuses_when_nothing_earlier_was_verified(scratch, github):
    pin(scratch, "dev", A, "release A")
    pin(scratch, "dev", B, "release B")
    run = rollback(scratch, github, "dev", "--reason", "x")
    assert run.returncode == 1 and "no earlier digest of dev was verified on both clouds (tried 2" in run.stderr
    unchanged(scratch)


def test_status_prints_each_environment_and_cloud(scratch, github, dev_a):
    report(github, dev_a, "dev", "success", healthy(A), ago=HOUR)
    run = run_tool("status", "--root", str(scratch), env=github.env())
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        f"{e}-{c}" for e in ("dev", "staging", "prod") for c in ("gke", "eks")
    ]
    assert (
        lines[0].startswith(f"dev-gke: {A} pinned {dev_a[:12]}") and "; verified (deploy/dev-gke: healthy" in lines[0]
    )
    assert "NOT verified (missing cloud: deploy/staging-gke" in lines[2]
    github.broken = True
    run = run_tool("status", "--root", str(scratch), env=github.env())
    assert run.returncode == 1 and "evidence UNAVAILABLE" in run.stdout


def test_an_explicit_rollback_digest_must_have_run_there(scratch, github):
    commit_a = pin(scratch, "dev", A, "release A")
    report(github, commit_a, "dev", "success", healthy(A), ago=10 * HOUR)
    pin(scratch, "dev", B, "release B")
    never = rollback(scratch, github, "dev", "--digest", C, "--reason", "x")
    assert never.returncode == 1 and f"dev never ran {C}" in never.stderr
    run = rollback(scratch, github, "dev", "--digest", A, "--reason", "B leaks memory")
    assert run.returncode == 0, run.stderr
    assert current(scratch, "dev") == A
    assert "| rollback |" in (scratch / HISTORY.format("dev")).read_text().splitlines()[-1]


def test_just_passes_a_reason_with_spaces_as_one_argument(scratch, github):
    """`just rollback dev --reason "two words"` (and promote's --reason) must reach the tool intact."""
    commit_a = pin(scratch, "dev", A, "release A")
    report(github, commit_a, "dev", "success", healthy(A), ago=10 * HOUR)
    pin(scratch, "dev", B, "release B")
    run = subprocess.run(
        [
            "just",
            "--justfile",
            str(REPO / "Justfile"),
            "rollback",
            "dev",
            "--root",
            str(scratch),
            "--reason",
            "B leaks memory; see #12",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **github.env()},
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert (
        (scratch / HISTORY.format("dev"))
        .read_text()
        .splitlines()[-1]
        .endswith("| soak waived: B leaks memory; see #12 |")
    )
