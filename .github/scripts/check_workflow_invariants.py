#!/usr/bin/env python3
"""Repository rules for GitHub Actions that the linters do not enforce as a whole.

Usage: check_workflow_invariants.py [REPO_ROOT]

- every third-party `uses:` is pinned by a full 40-hex commit SHA and carries a `# vX.Y.Z` comment
  (local `./` and `$/` actions are exempt: they are this repository at the running commit);
- every pinned action is listed in .github/action-runtimes.txt (its `runs.using` read upstream at that
  commit) with a runtime GitHub's runners support: node24, composite or docker (Node 20 is retired);
- no workflow triggers on `pull_request_target`;
- every workflow sets top-level `permissions: {}` and a `concurrency` group;
- every job sets `timeout-minutes` and its own `permissions`;
- every actions/checkout step sets `persist-credentials: false`;
- dependabot.yml covers cargo, github-actions, docker and terraform;
- every workflow sets `defaults: run: shell: bash` (GitHub's default `bash -e {0}` has no pipefail),
  and no job or step overrides it with another shell; every composite-action step uses bash;
- no bot-authored pin commit can start a workflow that opens pull requests, pushes tags or builds the
  image (release loop): the files a create-pull-request step commits (`add-paths`) are pushed to main,
  and every workflow's `on: push` filter is evaluated against them as GitHub does;
- pr.yml runs every recipe `just ci` runs (directly, as a dependency of a recipe it runs, or through all the
  dependencies of a recipe with no body of its own), so the pull-request gate is what CI proves here;
- registries: release.yml pushes to dev's registries only (`just image-refs dev`), and the promote.yml
  job that opens the promotion PR copies the digest (`copy-image.sh`) before it (one registry per
  environment: a pin may only name a digest its environment's registries already hold).
Prints one line per violation (`path:line: message`) and exits 1 if there is any.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

# The repository root on PYTHONPATH (validate-workflows.sh sets it).
from tools.environments import ENVIRONMENTS

USES = re.compile(r"^\s*(?:-\s+)?uses:\s*['\"]?(?P<ref>[^'\"\s#]+)['\"]?\s*(?:#\s*(?P<comment>.*))?$")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[^@]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"^v\d+\.\d+\.\d+\b")
REQUIRED_ECOSYSTEMS = {"cargo", "github-actions", "docker", "terraform"}


SUPPORTED_RUNTIMES = {"node24", "composite", "docker"}


def load_runtimes(root: Path) -> dict[str, str]:
    path = root / ".github/action-runtimes.txt"
    if not path.exists():
        return {}
    runtimes = {}
    for line in path.read_text().splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) == 2:
            runtimes[fields[0]] = fields[1]
    return runtimes


def check_uses_lines(path: Path, text: str, runtimes: dict[str, str] | None = None) -> list[str]:
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
        elif runtimes is not None and runtimes.get(ref) not in SUPPORTED_RUNTIMES:
            found = runtimes.get(ref, "not listed in .github/action-runtimes.txt")
            errors.append(f"{path}:{number}: {ref} ({comment}) runs on {found}: pin a major that runs on node24")
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


# Shells GitHub runs with `-o pipefail` (docs: "Defaults: run"; `bash` = bash --noprofile --norc -eo pipefail {0}).
PIPEFAIL_SHELLS = {"bash"}


def check_shell(path: Path, workflow: dict) -> list[str]:
    errors = []
    shell = ((workflow.get("defaults") or {}).get("run") or {}).get("shell")
    if shell not in PIPEFAIL_SHELLS:
        errors.append(
            f"{path}: no `defaults: run: shell: bash` (run: steps would be `bash -e {{0}}`, without pipefail)"
        )
    for name, job in (workflow.get("jobs") or {}).items():
        job_shell = ((job.get("defaults") or {}).get("run") or {}).get("shell")
        if job_shell is not None and job_shell not in PIPEFAIL_SHELLS:
            errors.append(f"{path}: job {name} sets shell {job_shell!r} (not bash with pipefail)")
        for index, step in enumerate(job.get("steps") or []):
            if "run" in step and step.get("shell", "bash") not in PIPEFAIL_SHELLS:
                errors.append(
                    f"{path}: job {name} step {index + 1} runs with shell {step['shell']!r} (not bash with pipefail)"
                )
    return errors


def check_workflow(path: Path, workflow: dict) -> list[str]:
    errors = check_shell(path, workflow)
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
            errors.append(
                f"{release.relative_to(root)}: must push to dev's registries only (`just image-refs dev`), found {targets or 'none'}"
            )
    promote = root / ".github/workflows/promote.yml"
    if promote.exists():
        jobs = (yaml.safe_load(promote.read_text()) or {}).get("jobs") or {}
        for name, job in jobs.items():
            steps = job.get("steps") or []
            opens = [
                i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("peter-evans/create-pull-request@")
            ]
            copies = [i for i, s in enumerate(steps) if "copy-image.sh" in str(s.get("run", ""))]
            if opens and not (copies and min(copies) < min(opens)):
                errors.append(
                    f"{promote.relative_to(root)}: job {name} opens the promotion PR without copying the digest "
                    "into the target's registries first (copy-image.sh)"
                )
    return errors


def glob_regex(pattern: str) -> re.Pattern[str]:
    """GitHub's filter globs: `**` any characters, `*` and `?` within one path segment."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


def matches(patterns: list[str], value: str) -> bool:
    """GitHub's filter-pattern evaluation: later patterns win, `!` negates."""
    hit = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        if glob_regex(pattern[1:] if negated else pattern).match(value):
            hit = not negated
    return hit


def push_starts(workflow: dict, branch: str, files: list[str]) -> bool:
    """Would a push of `files` to `branch` start this workflow (on.push filters as GitHub applies them)?"""
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        on = {on: None}
    elif isinstance(on, list):
        on = dict.fromkeys(on)
    if not isinstance(on, dict) or "push" not in on:
        return False
    push = on["push"] or {}
    if "branches" in push or "branches-ignore" in push or "tags" in push or "tags-ignore" in push:
        if "branches" in push and not matches([str(b) for b in push["branches"]], branch):
            return False
        if "branches-ignore" in push and matches([str(b) for b in push["branches-ignore"]], branch):
            return False
        if "branches" not in push and "branches-ignore" not in push:
            return False  # a tags-only filter: branch pushes never start it
    if "paths" in push:
        return any(matches([str(p) for p in push["paths"]], f) for f in files)
    if "paths-ignore" in push:
        return not all(matches([str(p) for p in push["paths-ignore"]], f) for f in files)
    return True


def pin_commit_files(step: dict) -> list[str]:
    """Files a create-pull-request step commits: below its add-paths (expressions expanded to each env)."""
    add_paths = str((step.get("with") or {}).get("add-paths", "."))
    files = []
    for line in add_paths.split("\n"):
        for raw in filter(None, (part.strip() for part in line.split(","))):
            for env in ENVIRONMENTS:
                base = re.sub(r"\$\{\{[^}]*\}\}", env, raw).rstrip("/")
                files += [f"{base}/version/kustomization.yaml", f"{base}/kustomization.yaml"]
    return files


def starts_a_release(workflow: dict) -> str | None:
    """What makes a workflow part of the release chain: it opens PRs, pushes tags/releases or builds the image."""
    for job in (workflow.get("jobs") or {}).values():
        for step in job.get("steps") or []:
            uses, run = str(step.get("uses", "")), str(step.get("run", ""))
            if uses.startswith("peter-evans/create-pull-request@"):
                return "opens pull requests"
            if uses.startswith("docker/build-push-action@"):
                return "builds and pushes the image"
            if re.search(r"\bgh release create\b|git/refs|\bgit push\b.*\btags?\b", run):
                return "creates tags or releases"
    return None


def check_no_release_loop(root: Path, workflows: list[Path]) -> list[str]:
    errors = []
    documents = {path: yaml.safe_load(path.read_text()) or {} for path in workflows}
    for opener, document in documents.items():
        for job in (document.get("jobs") or {}).values():
            for step in job.get("steps") or []:
                if not str(step.get("uses", "")).startswith("peter-evans/create-pull-request@"):
                    continue
                files = pin_commit_files(step)
                if not all(f.startswith("environments/") for f in files):
                    continue  # not a pin (the release PR: tests/workflows/test_release_version.py)
                for target, workflow in documents.items():
                    why = starts_a_release(workflow)
                    if why and push_starts(workflow, "main", files):
                        errors.append(
                            f"{target.relative_to(root)}: a bot commit of {opener.relative_to(root)} "
                            f"(add-paths {files[0].split('/version/')[0]}...) pushed to main starts this workflow, "
                            f"which {why}: a release loop"
                        )
    return errors


JUST_CALL = re.compile(r"\bjust\s+([a-z][\w-]*)")


def check_pr_runs_ci(root: Path) -> list[str]:
    pr = root / ".github/workflows/pr.yml"
    justfile = root / "Justfile"
    if not pr.exists() or not justfile.exists():
        return [f"{pr.relative_to(root)}: pr.yml and the Justfile are needed to compare the PR gate with `just ci`"]
    dump = subprocess.run(
        ["just", "--justfile", str(justfile), "--dump", "--dump-format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if dump.returncode != 0:
        return [f"Justfile: `just --dump` failed: {dump.stderr.strip()}"]
    recipes = json.loads(dump.stdout)["recipes"]
    jobs = (yaml.safe_load(pr.read_text()) or {}).get("jobs") or {}
    called = {
        name
        for job in jobs.values()
        for step in job.get("steps") or []
        for name in JUST_CALL.findall(str(step.get("run", "")))
    }

    def deps_of(name: str) -> list[str]:
        return [dep["recipe"] for dep in (recipes.get(name) or {}).get("dependencies", [])]

    # A called recipe runs its dependencies first, transitively.
    ran, todo = set(), list(called)
    while todo:
        name = todo.pop()
        if name not in ran:
            ran.add(name)
            todo.extend(deps_of(name))

    def uncovered(name: str) -> list[str]:
        """The recipes under `name` that the PR gate never runs: a recipe with no body of its own (a group)
        is covered when all its dependencies are, and names the ones that are not."""
        if name in ran:
            return []
        deps = deps_of(name)
        if deps and not (recipes.get(name) or {}).get("body"):
            return [leaf for dep in deps for leaf in uncovered(dep)]
        return [name]

    ci = recipes.get("ci")
    if not ci:
        return ["Justfile: no `ci` recipe"]
    missing = list(dict.fromkeys(leaf for dep in ci.get("dependencies", []) for leaf in uncovered(dep["recipe"])))
    return [f"{pr.relative_to(root)}: the PR gate never runs `just {name}` (part of `just ci`)" for name in missing]


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
    runtimes = load_runtimes(root)
    if not workflows:
        errors.append(f"{github / 'workflows'}: no workflow found")
    for path in workflows + actions:
        text = path.read_text()
        errors += check_uses_lines(path.relative_to(root), text, runtimes)
        document = yaml.safe_load(text) or {}
        if path in workflows:
            errors += check_workflow(path.relative_to(root), document)
        else:
            steps = (document.get("runs") or {}).get("steps")
            errors += check_steps(path.relative_to(root), "composite", steps)
            for index, step in enumerate(steps or []):
                if "run" in step and step.get("shell") not in PIPEFAIL_SHELLS:
                    errors.append(
                        f"{path.relative_to(root)}: composite step {index + 1} runs with shell {step.get('shell')!r} (not bash)"
                    )
    errors += check_dependabot(github / "dependabot.yml")
    errors += check_registry_flow(root)
    errors += check_no_release_loop(root, workflows)
    errors += check_pr_runs_ci(root)
    for error in errors:
        print(error)
    checked = len(workflows) + len(actions)
    print(f"workflow invariants: {checked} files checked, {len(errors)} violation(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()))
