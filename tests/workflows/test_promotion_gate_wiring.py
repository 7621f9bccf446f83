"""promote.yml's wiring of the evidence gate: run-promotion.sh passes the evidence file and the forced
waiver to `just promote`; a forced promotion needs a reason and the `production` reviewers."""

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / ".github/scripts"


def run(args, env):
    return subprocess.run(args, capture_output=True, text=True, env=env)


def test_run_promotion_passes_evidence_and_force(tmp_path: Path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "just").write_text('#!/usr/bin/env bash\nprintf "%s|" "$@"\n')
    (fake / "just").chmod(0o755)
    out = tmp_path / "out.txt"
    env = {"PATH": f"{fake}:/usr/bin:/bin", "EVIDENCE_OUT": "/tmp/e.md", "FORCE": "true", "REASON": "dev-eks is down"}
    result = run(["bash", str(SCRIPTS / "run-promotion.sh"), "dev", "staging", "false", str(out)], env)
    assert result.returncode == 0, result.stderr
    assert out.read_text() == "promote|dev|staging|--evidence-out|/tmp/e.md|--force|--reason|dev-eks is down|"
    del env["REASON"]
    assert run(["bash", str(SCRIPTS / "run-promotion.sh"), "dev", "staging", "false", str(out)], env).returncode != 0


def test_a_forced_promotion_needs_a_reason_and_production_reviewers():
    base = {"PATH": "/usr/bin:/bin", "GITHUB_REF": "refs/heads/main", "FROM": "dev", "TO": "staging"}
    forced = run(["bash", str(SCRIPTS / "promotion-plan.sh")], {**base, "FORCE": "true", "REASON": "CVE"})
    assert forced.returncode == 0, forced.stderr
    assert "environment=production" in forced.stdout.split()
    assert "environment=staging" in run(["bash", str(SCRIPTS / "promotion-plan.sh")], base).stdout.split()
    missing = run(["bash", str(SCRIPTS / "promotion-plan.sh")], {**base, "FORCE": "true"})
    assert missing.returncode == 1 and "needs a reason" in missing.stderr


def test_promote_workflow_runs_the_gate_with_statuses_read_and_the_evidence_in_the_body():
    text = (REPO / ".github/workflows/promote.yml").read_text()
    assert text.count("statuses: read") >= 2, "plan and promote jobs read the deploy statuses"
    assert "EVIDENCE_OUT:" in text and "PROMOTION_EVIDENCE:" in text and "FORCE: ${{ inputs.force }}" in text


def test_jobs_that_run_the_gate_check_out_the_whole_history():
    """The gate walks the pins' Git history; actions/checkout fetches one commit unless told otherwise."""
    import yaml

    workflow = yaml.safe_load((REPO / ".github/workflows/promote.yml").read_text())
    for name, job in workflow["jobs"].items():
        runs_gate = any("run-promotion.sh" in (step.get("run") or "") for step in job["steps"])
        if not runs_gate:
            continue
        checkout = next(s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/checkout@"))
        assert checkout.get("with", {}).get("fetch-depth") == 0, f"job {name} runs the gate on a shallow clone"
