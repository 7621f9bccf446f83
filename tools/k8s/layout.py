"""Where the delivery files live, and the fixed sets every check iterates over."""

from __future__ import annotations

import re
from pathlib import Path

from tools.environments import ENVIRONMENTS  # also the promotion order

CLOUDS = ("gke", "eks")
NAMESPACE = "comments"
ARGOCD_BOOTSTRAP = Path("argocd/bootstrap")
ROOT_APPLICATION = Path("argocd/root-application.yaml")
ALERTMANAGER_RECEIVERS = Path("argocd/addons/alertmanager")
IMAGE_POLICY = Path("argocd/image-policy")
MONITORING_NAMESPACE = "monitoring"
KUBERNETES_VERSION_FILE = Path("environments/kubernetes-version.txt")
RUNBOOKS = Path("docs/runbooks.md")
REQUIREMENTS = Path(".ci/requirements/k8s.txt")


class CheckError(Exception):
    """A check failed; the message says what and where."""


def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def overlay_dir(env: str, cloud: str) -> Path:
    return Path("environments") / env / cloud


def version_file(env: str) -> Path:
    """The one file that pins an environment's image digest (shared by both clouds)."""
    return Path("environments") / env / "version" / "kustomization.yaml"


def render_targets() -> dict[str, Path]:
    """Every kustomization that is deployed: the six overlays, then the Argo CD bootstrap."""
    targets = {f"{env}-{cloud}": overlay_dir(env, cloud) for env in ENVIRONMENTS for cloud in CLOUDS}
    targets["argocd"] = ARGOCD_BOOTSTRAP
    # The Git-path add-on: Alertmanager's receivers, per cluster (argocd/addons/alertmanager).
    targets.update(
        {
            f"alertmanager-receivers-{env}-{cloud}": ALERTMANAGER_RECEIVERS / f"{env}-{cloud}"
            for env in ENVIRONMENTS
            for cloud in CLOUDS
        }
    )
    # The Git-path add-on after policy-controller: the ClusterImagePolicy, the same on every cluster, rendered
    # per cluster so that the add-on order and the sync simulation see it like any other Application.
    targets.update({f"image-policy-{env}-{cloud}": IMAGE_POLICY for env in ENVIRONMENTS for cloud in CLOUDS})
    return targets


def kubernetes_minor(root: Path) -> str:
    """The Kubernetes minor the Terraform roots pin (e.g. "1.35"), which the manifests must validate against."""
    path = root / KUBERNETES_VERSION_FILE
    if not path.is_file():
        raise CheckError(f"{KUBERNETES_VERSION_FILE} is missing: the Terraform roots must pin the Kubernetes minor")
    text = path.read_text().strip()
    if not re.fullmatch(r"1\.\d+", text):
        raise CheckError(f"{KUBERNETES_VERSION_FILE} must hold a minor such as 1.35, found {text!r}")
    return text


def pinned_version(root: Path, package: str) -> str:
    """The exact version `package` is pinned to in .ci/requirements/k8s.txt."""
    for line in (root / REQUIREMENTS).read_text().splitlines():
        name, sep, version = line.split("#")[0].strip().partition("==")
        if sep and name.strip().lower() == package:
            return version.strip()
    raise CheckError(f"{REQUIREMENTS} pins no {package}")
