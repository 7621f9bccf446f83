"""Helpers of the k8s tests: a scratch copy of the delivery files, and the tools run against it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tools.environments import ENVIRONMENTS

REPO = Path(__file__).resolve().parents[2]
# The pinned kubectl and trivy, as `just` would put them first on PATH.
os.environ["PATH"] = os.pathsep.join([str(REPO / ".tools/venv/bin"), str(REPO / ".tools/bin"), os.environ["PATH"]])

# What tools/k8s reads from a repository: the delivery files, and the Terraform that the cluster model
# (modules/gke, modules/eks) and the cluster-secret annotations (the roots' module "argocd") come from.
COPIED = [
    "environments/base",
    "environments/components",
    "environments/kubernetes-version.txt",
    "argocd",
    "docs/runbooks.md",
    ".ci/requirements/k8s.txt",
    ".github/workflows/release.yml",
    "modules/gke",
    "modules/eks",
] + [
    f"environments/{env}/{part}" for env in ENVIRONMENTS for part in ("gke", "eks", "settings", "version", "gcp", "aws")
]


def copy_repo(dest: Path) -> Path:
    for rel in COPIED:
        src, dst = REPO / rel, dest / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
        else:
            shutil.copy2(src, dst)
    return dest


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def run_tool(
    module: str, *args: str, cwd: Path = REPO, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", f"tools.k8s.{module}", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
    )


def validate(root: Path) -> subprocess.CompletedProcess:
    return run_tool("validate", "--root", str(root), "--out", str(root / "out" / "rendered"))


def render_everything(root: Path = REPO) -> dict[str, list[dict]]:
    """Every render target of `root` as objects (what `just k8s-validate` checks), without writing files."""
    from tools.k8s.manifests import documents, render_all

    return {name: documents(text) for name, text in render_all(root).items()}


def find(objs: list[dict], kind: str, name: str) -> dict:
    return next(o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name)


def annotate(obj: dict, **annotations: str) -> None:
    """Set Argo CD annotations: hook=, wave=, delete_policy=, sync_options= (None removes one)."""
    names = {
        "hook": "argocd.argoproj.io/hook",
        "wave": "argocd.argoproj.io/sync-wave",
        "delete_policy": "argocd.argoproj.io/hook-delete-policy",
        "sync_options": "argocd.argoproj.io/sync-options",
    }
    meta = obj["metadata"].setdefault("annotations", {})
    for key, value in annotations.items():
        if value is None:
            meta.pop(names[key], None)
        else:
            meta[names[key]] = value


# The scratch Git repository of the promotion tests.
PIN = "environments/{}/version/kustomization.yaml"
HISTORY = "environments/{}/version/HISTORY.md"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def current(root: Path, env: str) -> str:
    # Read independently of tools/k8s/pins.py: the tests judge that code.
    text = (root / PIN.format(env)).read_text()
    return text[text.index("sha256:") :].split()[0]


def pin(root: Path, env: str, digest: str, message: str | None = None) -> str | None:
    """Edit env's pin (and commit it with message); returns the new commit."""
    edit(root / PIN.format(env), f"digest: {current(root, env)}", f"digest: {digest}")
    if message:
        git(root, "commit", "-q", "-am", message)
        return git(root, "rev-parse", "HEAD").strip()
    return None


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def healthy(digest: str) -> str:
    """The description the notification template writes for a synced, healthy app whose smoke passed."""
    return f"synced, healthy, smoke passed: {digest}"
