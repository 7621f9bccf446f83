"""Helpers of the k8s tests: a scratch copy of the delivery files, and the tools run against it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
# The pinned kubectl and trivy, as `just` would put them first on PATH.
os.environ["PATH"] = os.pathsep.join([str(REPO / ".tools/venv/bin"), str(REPO / ".tools/bin"), os.environ["PATH"]])

# What tools/k8s reads from a repository: the delivery files, and the Terraform that the cluster model
# (modules/gke, modules/eks) and the cluster-secret annotations (the roots' module "argocd") come from.
COPIED = ["environments/base", "environments/components", "environments/kubernetes-version.txt", "argocd",
          "docs/runbooks.md", ".ci/requirements/k8s.txt", "modules/gke", "modules/eks"] + [
    f"environments/{env}/{part}" for env in ("dev", "staging", "prod")
    for part in ("gke", "eks", "settings", "version", "gcp", "aws")]


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


def run_tool(module: str, *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", f"tools.k8s.{module}", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=600)


def validate(root: Path) -> subprocess.CompletedProcess:
    return run_tool("validate", "--root", str(root), "--out", str(root / "out" / "rendered"))


def render_everything(root: Path = REPO) -> dict[str, list[dict]]:
    """Every render target of `root` as objects (what `just validate` checks), without writing files."""
    from tools.k8s.manifests import documents, render_all
    return {name: documents(text) for name, text in render_all(root).items()}


def find(objs: list[dict], kind: str, name: str) -> dict:
    return next(o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name)


def annotate(obj: dict, **annotations: str) -> None:
    """Set Argo CD annotations: hook=, wave=, delete_policy=, sync_options= (None removes one)."""
    names = {"hook": "argocd.argoproj.io/hook", "wave": "argocd.argoproj.io/sync-wave",
             "delete_policy": "argocd.argoproj.io/hook-delete-policy", "sync_options": "argocd.argoproj.io/sync-options"}
    meta = obj["metadata"].setdefault("annotations", {})
    for key, value in annotations.items():
        if value is None:
            meta.pop(names[key], None)
        else:
            meta[names[key]] = value
