"""Policy scan with trivy, fully offline: the checks embedded in the binary (no bundle download),
no version check, no telemetry, and a proxy on a closed loopback port so that its attempt to
fetch registry modules fails at once instead of leaving the machine.

Registry modules are therefore not scanned (module_policy.py covers the inputs we pass them);
every resource written in this repository is. Any failed check fails the scan: HIGH and CRITICAL
may not be accepted at all, a lower one only with an inline `#trivy:ignore:<ID> <reason>`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .layout import Finding, rel, roots, terraform_dirs

IGNORE = re.compile(r"#\s*trivy:ignore:(\S+)(.*)")
REFUSED_SEVERITIES = {"HIGH", "CRITICAL"}
TIMEOUT_SECONDS = 300


def _stage(root: Path, into: Path) -> int:
    """Copy every .tf file, keeping the layout (relative module sources keep resolving)."""
    count = 0
    for directory in terraform_dirs(root):
        target = into / directory.relative_to(root)
        target.mkdir(parents=True, exist_ok=True)
        for file in directory.glob("*.tf"):
            shutil.copy2(file, target / file.name)
            count += 1
    return count


def _ignore_comments(root: Path) -> list[Finding]:
    """Every accepted finding states why."""
    findings = []
    for directory in terraform_dirs(root):
        for file in sorted(directory.glob("*.tf")):
            for number, line in enumerate(file.read_text().splitlines(), start=1):
                match = IGNORE.search(line)
                if not match:
                    continue
                rule, reason = match.group(1), match.group(2).strip()
                if len(reason.split()) < 3:
                    findings.append(
                        Finding("trivy-ignore", f"{rel(file, root)}:{number}", f"ignore of {rule} gives no reason")
                    )
    return findings


def run_trivy(directory: Path) -> dict:
    # On PATH under just; beside the interpreter when the venv's python runs without activation.
    trivy = shutil.which("trivy") or shutil.which("trivy", path=str(Path(sys.executable).parent))
    if trivy is None:
        raise SystemExit("trivy is not on PATH: run `bash .ci/setup.d/30-infra.sh` (or `just setup`)")
    loopback = "http://127.0.0.1:9"
    env = {
        **os.environ,
        "HTTPS_PROXY": loopback,
        "HTTP_PROXY": loopback,
        "https_proxy": loopback,
        "http_proxy": loopback,
        "NO_PROXY": "",
        "no_proxy": "",
    }
    with tempfile.TemporaryDirectory(prefix="trivy-cache-") as cache:
        result = subprocess.run(
            [
                trivy,
                "config",
                "--skip-check-update",
                "--skip-version-check",
                "--disable-telemetry",
                "--cache-dir",
                cache,
                "--misconfig-scanners",
                "terraform",
                "--quiet",
                "--format",
                "json",
                str(directory),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    if result.returncode != 0:
        raise SystemExit(f"trivy failed ({result.returncode}):\n{result.stderr}")
    return json.loads(result.stdout)


def check(root: Path) -> tuple[list[Finding], str]:
    """Return the findings and a one-line summary of what was scanned."""
    findings = _ignore_comments(root)
    with tempfile.TemporaryDirectory(prefix="trivy-stage-") as staging:
        staged = _stage(root, Path(staging))
        report = run_trivy(Path(staging))
    evaluated = 0
    seen_roots = set()
    # A module called by several roots is reported once per root: count those as one finding.
    failures: dict[tuple[str, str, str, str], int] = {}
    for result in report.get("Results", []):
        summary = result.get("MisconfSummary") or {}
        evaluated += summary.get("Successes", 0) + summary.get("Failures", 0)
        if summary.get("Successes", 0):
            seen_roots.add(result["Target"])
        for misconfiguration in result.get("Misconfigurations", []):
            if misconfiguration.get("Status", "FAIL") != "FAIL":
                continue
            cause = misconfiguration.get("CauseMetadata", {})
            key = (
                f"{result['Target']}:{cause.get('StartLine', '?')}",
                misconfiguration["ID"],
                misconfiguration["Severity"],
                misconfiguration["Title"],
            )
            failures[key] = failures.get(key, 0) + 1
    by_severity: dict[str, int] = {}
    for (where, rule, severity, title), times in sorted(failures.items()):
        by_severity[severity] = by_severity.get(severity, 0) + 1
        verdict = "refused at any cost" if severity in REFUSED_SEVERITIES else "not accepted inline with a reason"
        scope = f" (in {times} roots)" if times > 1 else ""
        findings.append(Finding("trivy", where, f"{rule} ({severity}, {verdict}): {title}{scope}"))
    for directory in roots(root):
        if rel(directory, root) not in seen_roots:
            findings.append(
                Finding("trivy", rel(directory, root), "trivy evaluated no check in this root: the scan did not see it")
            )
    failed = ", ".join(f"{count} {severity}" for severity, count in sorted(by_severity.items())) or "none"
    return findings, f"{staged} files staged, {evaluated} check evaluations, failed: {failed}"
