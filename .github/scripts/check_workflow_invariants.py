#!/usr/bin/env python3
"""Repository rules for GitHub Actions that the linters do not enforce as a whole.

Usage: check_workflow_invariants.py [REPO_ROOT]

- every third-party `uses:` is pinned by a full 40-hex commit SHA and carries a `# vX.Y.Z` comment
  (local `./` and `$/` actions are exempt: they are this repository at the running commit);
- no workflow triggers on `pull_request_target`;
- every workflow sets top-level `permissions: {}` and a `concurrency` group;
- every job sets `timeout-minutes` and its own `permissions`;
- every actions/checkout step sets `persist-credentials: false`;
- dependabot.yml covers cargo, github-actions, docker and terraform;
- registries: release.yml pushes to dev's registries only (`just image-refs dev`), and the promote.yml
  job that opens the promotion PR copies the digest (`copy-image.sh`) before it (one registry per
  environment: a pin may only name a digest its environment's registries already hold).
Prints one line per violation (`path:line: message`) and exits 1 if there is any.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

USES = re.compile(r"^\s*(?:-\s+)?uses:\s*['\"]?(?P<ref>[^'\"\s#]+)['\"]?\s*(?:#\s*(?P<comment>.*))?$")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[^@]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"^v\d+\.\d+\.\d+\b")
REQUIRED_ECOSYSTEMS = {"cargo", "github-actions", "docker", "terraform"}


def check_uses_lines(path: Path, text: str) -> list[str]:
    errors = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = USES.match(line)
        if not match:
            continue
        ref, comment = match["ref"], (match["comment"] or "").strip()
        if ref.startswith(("./", "$/")):
            continue
        if ref.startswith("docker://"):
            if not re.search(r"@sha256:[0-9a-f]{64}$", ref):
                errors.append(f"{path}:{number}: container action {ref} is not pinned by digest")
            continue
        if not PINNED.match(ref):
            errors.append(f"{path}:{number}: {ref} is not pinned by a full commit SHA")
        elif not VERSION_COMMENT.match(comment):
            errors.append(f"{path}:{number}: {ref} has no '# vX.Y.Z' version comment")
    return errors


def triggers(workflow: dict) -> set[str]:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on}
    if isinstance(on, list):
        return set(on)
    if isinstance(on, dict):
        return set(on)
    return set()


def check_steps(path: Path, where: str, steps: list) -> list[str]:
    errors = []
    for index, step in enumerate(steps or []):
        uses = str(step.get("uses", ""))
        if uses.startswith("actions/checkout@"):
            if (step.get("with") or {}).get("persist-credentials") is not False:
                errors.append(f"{path}: {where} step {index + 1}: checkout without persist-credentials: false")
    return errors


def check_workflow(path: Path, workflow: dict) -> list[str]:
    errors = []
    if "pull_request_target" in triggers(workflow):
        errors.append(f"{path}: triggers on pull_request_target (runs with a write token next to PR code)")
    if workflow.get("permissions") != {}:
        errors.append(f"{path}: top-level permissions must be {{}} (each job asks for what it needs)")
    if "concurrency" not in workflow:
        errors.append(f"{path}: no concurrency group")
    for name, job in (workflow.get("jobs") or {}).items():
        if "timeout-minutes" not in job:
            errors.append(f"{path}: job {name} has no timeout-minutes")
        if "permissions" not in job:
            errors.append(f"{path}: job {name} has no permissions")
        errors += check_steps(path, f"job {name}", job.get("steps"))
    return errors


IMAGE_REFS = re.compile(r"\bjust image-refs\s+(\S+)")


def check_registry_flow(root: Path) -> list[str]:
    errors = []
    release = root / ".github/workflows/release.yml"
    if release.exists():
        jobs = (yaml.safe_load(release.read_text()) or {}).get("jobs") or {}
        runs = [str(step.get("run", "")) for job in jobs.values() for step in job.get("steps") or []]
        targets = [target for run in runs for target in IMAGE_REFS.findall(run)]
        if not targets or set(targets) != {"dev"}:
            errors.append(f"{release.relative_to(root)}: must push to dev's registries only (`just image-refs dev`), found {targets or 'none'}")
    promote = root / ".github/workflows/promote.yml"
    if promote.exists():
        jobs = (yaml.safe_load(promote.read_text()) or {}).get("jobs") or {}
        for name, job in jobs.items():
            steps = job.get("steps") or []
            opens = [i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("peter-evans/create-pull-request@")]
            copies = [i for i, s in enumerate(steps) if "copy-image.sh" in str(s.get("run", ""))]
            if opens and not (copies and min(copies) < min(opens)):
                errors.append(f"{promote.relative_to(root)}: job {name} opens the promotion PR without copying the digest into the target's registries first (copy-image.sh)")
    return errors


def check_dependabot(path: Path) -> list[str]:
    if not path.exists():
        return [f"{path}: missing"]
    config = yaml.safe_load(path.read_text()) or {}
    present = {update.get("package-ecosystem") for update in config.get("updates") or []}
    missing = sorted(REQUIRED_ECOSYSTEMS - present)
    return [f"{path}: no updates for {', '.join(missing)}"] if missing else []


def main(root: Path) -> int:
    github = root / ".github"
    workflows = sorted((github / "workflows").glob("*.y*ml"))
    actions = sorted((github / "actions").glob("*/action.y*ml"))
    errors: list[str] = []
    if not workflows:
        errors.append(f"{github / 'workflows'}: no workflow found")
    for path in workflows + actions:
        text = path.read_text()
        errors += check_uses_lines(path.relative_to(root), text)
        document = yaml.safe_load(text) or {}
        if path in workflows:
            errors += check_workflow(path.relative_to(root), document)
        else:
            errors += check_steps(path.relative_to(root), "composite", (document.get("runs") or {}).get("steps"))
    errors += check_dependabot(github / "dependabot.yml")
    errors += check_registry_flow(root)
    for error in errors:
        print(error)
    checked = len(workflows) + len(actions)
    print(f"workflow invariants: {checked} files checked, {len(errors)} violation(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()))
