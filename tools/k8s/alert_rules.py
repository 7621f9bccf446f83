"""The rendered alerting rules, checked by Prometheus' own promtool: syntax of every overlay's rules, then
the unit tests in alert-tests/<env>.yaml (synthetic series in, expected alerts out) against the rules
each overlay of that environment renders, so the per-environment objectives are tested as deployed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

from .layout import CLOUDS, ENVIRONMENTS, CheckError

TESTS = Path(__file__).parent / "alert-tests"
TIMEOUT_SECONDS = 120


def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        raise CheckError(
            "promtool is not on PATH: run .ci/setup.d/20-k8s.sh (it unpacks Debian's prometheus package into .tools)"
        )
    return path


def rule_groups(objs: list[dict]) -> dict:
    return {"groups": [g for o in objs if o["kind"] == "PrometheusRule" for g in o["spec"]["groups"]]}


def _run(args: list[str], cwd: Path) -> str | None:
    run = subprocess.run([promtool(), *args], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    return None if run.returncode == 0 else (run.stdout + run.stderr).strip()


def check(rendered: dict[str, list[dict]]) -> tuple[list[str], int]:
    """(errors, number of promtool unit-test runs). The clouds of one environment usually render the same
    rules: one run per distinct (rules, tests) pair serves every overlay that has them (~1.5 s each)."""
    errors, runs, verdicts = [], 0, {}
    with tempfile.TemporaryDirectory() as tmp:
        for env in ENVIRONMENTS:
            test = TESTS / f"{env}.yaml"
            for cloud in CLOUDS:
                name = f"{env}-{cloud}"
                if name not in rendered:
                    continue
                rules = yaml.safe_dump(rule_groups(rendered[name]), sort_keys=False)
                if (rules, env) not in verdicts:
                    work = Path(tmp) / name
                    work.mkdir()
                    (work / "rules.yaml").write_text(rules)
                    verdicts[rules, env] = _verdict(work, test)
                    runs += verdicts[rules, env][1]
                errors += [f"{name}: {problem}" for problem in verdicts[rules, env][0]]
    return errors, runs


def _verdict(work: Path, test: Path) -> tuple[list[str], int]:
    """Check the rules in work/rules.yaml, then run env's unit tests on them: (problems, unit-test runs)."""
    failure = _run(["check", "rules", "rules.yaml"], work)
    if failure:
        return [f"promtool check rules: {failure}"], 0
    if not test.is_file():
        return [f"no alert unit tests ({TESTS.name}/{test.name})"], 0
    shutil.copy(test, work / "test.yaml")
    failure = _run(["test", "rules", "test.yaml"], work)
    return ([f"promtool test rules {test.name}: {failure}"] if failure else []), 1
