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

# What tools/k8s reads from a repository (Terraform roots under environments/ are not needed).
COPIED = ["environments/base", "environments/components", "environments/kubernetes-version.txt", "argocd",
          "docs/runbooks.md", ".ci/requirements/k8s.txt"] + [
    f"environments/{env}/{part}" for env in ("dev", "staging", "prod") for part in ("gke", "eks", "settings", "version")]


def copy_repo(dest: Path) -> Path:
    for rel in COPIED:
        src, dst = REPO / rel, dest / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
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
