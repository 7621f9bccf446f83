"""The shell logic the pipelines run in GitHub, exercised offline with the inputs GitHub would give."""

from __future__ import annotations

from pathlib import Path

import pytest
from workflows_helpers import REPO, SCRIPTS, run

DIGEST = "sha256:" + "ab" * 32


def areas(*paths: str) -> dict[str, str]:
    result = run(["bash", str(SCRIPTS / "changed-areas.sh")], stdin="\n".join(paths) + "\n")
    assert result.returncode == 0, result.stderr
    return dict(line.split("=", 1) for line in result.stdout.split())


def selected(*paths: str) -> set[str]:
    return {area for area, hit in areas(*paths).items() if hit == "true"}


def test_a_docs_only_change_selects_no_check():
    assert selected("docs/pipelines.md", "README.md", "COMMENTS.md") == set()


def test_a_service_change_selects_the_rust_checks_load_test_and_image():
    assert selected("app/src/main.rs") == {"rust", "loadtest", "image"}


def test_a_terraform_change_selects_terraform_and_the_manifests_that_model_it():
    # tools/k8s reads the cluster model from the modules and the ApplicationSet inputs from the roots.
    assert selected("environments/prod/aws/main.tf", "modules/gke/variables.tf") == {"terraform", "manifests"}
    assert selected("modules/eks/main.tf") == {"terraform", "manifests"}
    assert selected("environments/prod/gcp/README.md", ".tflint.hcl") == {"terraform"}


def test_a_digest_pin_change_selects_the_manifests():
    assert selected("environments/staging/version/kustomization.yaml") == {"manifests"}
    assert selected("environments/staging/version/HISTORY.md") == {"manifests"}


def test_the_api_fuzzing_selects_the_load_test_job():
    assert selected("schemathesis.toml", "scripts/fuzz-api.sh") == {"loadtest"}


def test_a_pipeline_change_selects_everything():
    assert selected(".github/workflows/pr.yml") == set(areas("x"))
    assert selected("Justfile") == set(areas("x"))


def unmapped(script: Path, paths: list[str]) -> list[str]:
    result = run(["bash", str(script), "--unmapped"], stdin="\n".join(paths) + "\n")
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def tracked_files() -> list[str]:
    result = run(["git", "ls-files"], cwd=REPO)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_every_tracked_file_selects_an_area_or_is_documentation():
    files = tracked_files()
    assert len(files) > 100
    assert unmapped(SCRIPTS / "changed-areas.sh", files) == [], "give these paths an area in changed-areas.sh"


def test_the_tracked_file_check_fails_when_a_rule_is_dropped(tmp_path: Path):
    script = tmp_path / "changed-areas.sh"
    text = (SCRIPTS / "changed-areas.sh").read_text()
    assert " | tests/k8s/*)" in text
    script.write_text(text.replace(" | tests/k8s/*)", ")"))
    missing = unmapped(script, tracked_files())
    assert missing and all(path.startswith("tests/k8s/") for path in missing), missing


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/k8s/test_render.py", {"manifests", "python"}),
        ("tests/infra/test_infra_syntax.py", {"terraform", "python"}),
        ("tests/image/test_image_policy.py", {"image", "python"}),
        ("tools/k8s/gate.py", {"manifests", "python"}),
        ("tools/environments.py", {"manifests", "terraform", "workflows", "python"}),
        ("scripts/fuzz_cases.py", {"loadtest", "python"}),
        ("scripts/bench/loadtest.sh", {"loadtest"}),
        ("docker-compose.yml", {"image"}),
        ("deploy/compose/prometheus.yml", {"image"}),
        ("loadtest/src/main.rs", {"rust", "loadtest", "image"}),
        ("cliff.toml", {"rust", "python", "loadtest", "image", "manifests", "terraform", "workflows"}),
        ("pyproject.toml", {"rust", "python", "loadtest", "image", "manifests", "terraform", "workflows"}),
    ],
)
def test_paths_select_the_checks_that_read_them(path, expected):
    assert selected(path) == expected


def test_an_unknown_path_runs_every_check_and_says_so():
    result = run(["bash", str(SCRIPTS / "changed-areas.sh")], stdin="brand-new/thing.txt\n")
    assert result.returncode == 0
    assert set(dict(line.split("=") for line in result.stdout.split()).values()) == {"true"}
    assert "no rule for brand-new/thing.txt" in result.stderr


def test_the_rendered_diff_shows_each_changed_environment(tmp_path: Path):
    base, head = tmp_path / "base", tmp_path / "head"
    base.mkdir()
    head.mkdir()
    (base / "dev-gcp.yaml").write_text("image: a@sha256:1\nreplicas: 2\n")
    (head / "dev-gcp.yaml").write_text("image: a@sha256:2\nreplicas: 2\n")
    (base / "prod-aws.yaml").write_text("replicas: 3\n")
    (head / "prod-aws.yaml").write_text("replicas: 3\n")
    (head / "staging-aws.yaml").write_text("replicas: 2\n")
    result = run(["bash", str(SCRIPTS / "rendered-diff.sh"), str(base), str(head)])
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "| `dev-gcp` | changed (+1 -1) |" in out
    assert "| `prod-aws` | unchanged |" in out
    assert "| `staging-aws` | added (+1 -0) |" in out
    assert "-image: a@sha256:1\n+image: a@sha256:2" in out
    assert "<summary><code>prod-aws</code>" not in out


def test_the_rendered_diff_says_when_nothing_changed(tmp_path: Path):
    for side in ("base", "head"):
        (tmp_path / side).mkdir()
        (tmp_path / side / "dev-gcp.yaml").write_text("replicas: 2\n")
    result = run(["bash", str(SCRIPTS / "rendered-diff.sh"), str(tmp_path / "base"), str(tmp_path / "head")])
    assert "No rendered change in any environment." in result.stdout


def test_the_rendered_diff_fits_a_comment(tmp_path: Path):
    for side in ("base", "head"):
        (tmp_path / side).mkdir()
        lines = "".join(f"{side}-line-{i}: {'x' * 60}\n" for i in range(5000))
        (tmp_path / side / "prod-gcp.yaml").write_text(lines)
    result = run(
        ["bash", str(SCRIPTS / "rendered-diff.sh"), str(tmp_path / "base"), str(tmp_path / "head")],
        env={"RENDERED_DIFF_BUDGET": "20000"},
    )
    assert len(result.stdout) < 22000
    assert "Diff cut at 20000 characters" in result.stdout


def plan(**env: str):
    # Independent of where the tests run (in GitHub, GITHUB_REF is the PR's merge ref).
    return run(["bash", str(SCRIPTS / "promotion-plan.sh")], env={"GITHUB_REF": "refs/heads/main", **env})


def test_promotion_goes_one_step_at_a_time():
    ok = plan(FROM="dev", TO="staging")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.split() == ["source=dev", "rollback=false", "source-environment=dev", "environment=staging"]
    assert plan(FROM="staging", TO="prod").stdout.split()[-1] == "environment=production"
    skip = plan(FROM="dev", TO="prod")
    assert skip.returncode == 1
    assert "promotions go dev -> staging -> prod" in skip.stderr


def test_a_promotion_runs_from_main_only():
    other = plan(FROM="dev", TO="staging", GITHUB_REF="refs/heads/feature")
    assert other.returncode == 1
    assert "run promote from main" in other.stderr
    assert plan(FROM="dev", TO="staging", GITHUB_REF="refs/heads/main").returncode == 0


def test_a_rollback_names_a_digest_and_a_reason():
    ok = plan(FROM="staging", TO="prod", DIGEST=DIGEST, REASON="5xx after deploy")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.split() == [
        f"source={DIGEST}",
        "rollback=true",
        "source-environment=staging",
        "environment=production",
    ]
    # A rollback's digest is copied from the target's previous environment; dev has none (release pushes there).
    assert "source-environment=dev" in plan(TO="staging", DIGEST=DIGEST, REASON="x").stdout.split()
    assert "source-environment=" in plan(TO="dev", DIGEST=DIGEST, REASON="x").stdout.split()
    assert "needs a reason" in plan(FROM="dev", TO="prod", DIGEST=DIGEST).stderr
    assert "digest must look like" in plan(FROM="dev", TO="prod", DIGEST="latest", REASON="x").stderr


def test_the_promotion_description_carries_diff_evidence_and_undo(tmp_path: Path):
    promote_out = tmp_path / "promote.txt"
    promote_out.write_text("-    digest: sha256:old\n+    digest: " + DIGEST + "\n")
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "report.md").write_text("| endpoint | p99 |\n|---|---|\n| POST | 4.1 ms |\n")
    (evidence / "verdict.txt").write_text("SLO staging: pass\n")
    result = run(
        ["bash", str(SCRIPTS / "promotion-body.sh"), "staging", DIGEST, "dev", str(promote_out), str(evidence)]
    )
    assert result.returncode == 0, result.stderr
    body = result.stdout
    assert f"## Deploy `{DIGEST}` to staging" in body
    assert "### Load-test evidence (loadtest/slo/staging.toml)" in body
    assert "| POST | 4.1 ms |" in body
    assert "SLO staging: pass" in body
    assert "+    digest: " + DIGEST in body
    assert "-f to=staging -f digest=sha256:" in body


def test_a_release_to_dev_points_at_the_pr_gate(tmp_path: Path):
    promote_out = tmp_path / "promote.txt"
    promote_out.write_text("diff\n")
    result = run(["bash", str(SCRIPTS / "promotion-body.sh"), "dev", DIGEST, "release of abc", str(promote_out), ""])
    assert result.returncode == 0, result.stderr
    assert "PR SLO load test of its pull request" in result.stdout


def test_a_rollback_description_explains_the_missing_load_test(tmp_path: Path):
    promote_out = tmp_path / "promote.txt"
    promote_out.write_text("diff\n")
    result = run(
        ["bash", str(SCRIPTS / "promotion-body.sh"), "prod", DIGEST, DIGEST, str(promote_out), "", "5xx spike"]
    )
    assert "### Rollback" in result.stdout
    assert "Reason: 5xx spike" in result.stdout
    bad = run(["bash", str(SCRIPTS / "promotion-body.sh"), "prod", "sha256:short", "dev", str(promote_out), ""])
    assert bad.returncode == 1


def test_the_load_test_comment_reports_a_breach_and_a_missing_report(tmp_path: Path):
    report = tmp_path / "report"
    report.mkdir()
    (report / "report.md").write_text("SLO pr breached: p99 12 ms > 10 ms\n")
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_SHA": "c0ffee"}
    script = str(SCRIPTS / "loadtest-comment.sh")
    result = run(["bash", script, str(report), "failure", str(tmp_path / "c"), "42"], env=env)
    assert result.returncode == 0, result.stderr
    body = (tmp_path / "c" / "body.md").read_text()
    assert body.startswith("### Load test (PR SLO): failure")
    assert "Commit `c0ffee`" in body
    assert "SLO pr breached" in body
    assert (tmp_path / "c" / "pr-number").read_text().strip() == "42"
    assert not summary.exists(), "the report is in the summary already (just loadtest appends it)"
    empty = run(["bash", script, str(tmp_path / "none"), "failure", str(tmp_path / "d")], env=env)
    assert empty.returncode == 0, empty.stderr
    assert "produced no report" in (tmp_path / "d" / "body.md").read_text()
    assert "produced no report" in summary.read_text()
    assert not (tmp_path / "d" / "pr-number").exists()


def test_a_promotion_runs_just_promote_and_a_rollback_pins_the_digest(tmp_path: Path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "just").write_text('#!/usr/bin/env bash\necho "just $*"\n')
    (fake / "just").chmod(0o755)
    env = {"PATH": f"{fake}:/usr/bin:/bin"}
    script = str(SCRIPTS / "run-promotion.sh")
    out = tmp_path / "out.txt"
    assert run(["bash", script, "dev", "staging", "false", str(out)], env=env).returncode == 0
    assert out.read_text() == "just promote dev staging\n"
    assert run(["bash", script, DIGEST, "prod", "true", str(out)], env={**env, "REASON": "5xx"}).returncode == 0
    assert out.read_text() == f"just rollback prod --digest {DIGEST} --reason 5xx\n"
