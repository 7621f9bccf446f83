"""What each cloud's cluster serves, read from the Terraform modules that build it (modules/gke, modules/eks).

The sync simulation needs facts the manifests cannot tell: whether the resource metrics API exists (HPA),
whether NetworkPolicies are enforced, whether a claim without a StorageClass is served, and which API
groups the cloud itself installs. They come from the module arguments, so removing an EKS add-on or
switching GKE's dataplane changes the model, and `just k8s-validate` reports what breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tools.infra.layout import load_dir, unquote

from .layout import CheckError

GKE_MODULE = Path("modules/gke")
EKS_MODULE = Path("modules/eks")


@dataclass(frozen=True)
class CloudFacts:
    cloud: str
    groups: frozenset[str]  # API groups the cloud installs (beyond the built-in ones)
    metrics_api: bool  # metrics.k8s.io
    network_policy: bool  # NetworkPolicies are enforced
    default_storage_class: bool  # a PersistentVolumeClaim without storageClassName is provisioned
    source: str  # where the facts were read, for messages


def _cluster_args(root: Path, module_dir: Path) -> dict:
    path = root / module_dir
    if not path.is_dir():
        raise CheckError(f"{module_dir} is missing: the cluster model is read from it")
    modules = load_dir(path).named("module")
    if "cluster" not in modules:
        raise CheckError(f'{module_dir}: no module "cluster" to read the cluster\'s add-ons from')
    return modules["cluster"][1]


def _text(value) -> str:
    return unquote(str(value)) if value is not None else ""


def gke(root: Path) -> CloudFacts:
    args = _cluster_args(root, GKE_MODULE)
    dataplane_v2 = _text(args.get("datapath_provider")) == "ADVANCED_DATAPATH"
    calico = str(args.get("network_policy")).lower() == "true"
    gateway = _text(args.get("gateway_api_channel")) not in ("", "CHANNEL_DISABLED")
    groups = {"gateway.networking.k8s.io", "networking.gke.io"} if gateway else set()
    # GKE runs its own metrics-server, and a default StorageClass (standard-rwo) with the PD CSI driver.
    pd_csi = str(args.get("gce_pd_csi_driver", "true")).lower() != "false"
    return CloudFacts("gke", frozenset(groups), True, dataplane_v2 or calico, pd_csi, str(GKE_MODULE / "main.tf"))


def eks(root: Path) -> CloudFacts:
    addons = _cluster_args(root, EKS_MODULE).get("addons") or {}
    cni = str((addons.get("vpc-cni") or {}).get("configuration_values", ""))
    ebs = str((addons.get("aws-ebs-csi-driver") or {}).get("configuration_values", ""))
    return CloudFacts(
        "eks",
        frozenset(),
        metrics_api="metrics-server" in addons,
        network_policy=re.search(r'enableNetworkPolicy\s*[=:]\s*"true"', cni) is not None,
        default_storage_class=re.search(r"defaultStorageClass\s*[=:]\s*\{\s*enabled\s*[=:]\s*true", ebs) is not None,
        source=f"{EKS_MODULE}/main.tf module.cluster addons",
    )


def facts(root: Path) -> dict[str, CloudFacts]:
    return {"gke": gke(root), "eks": eks(root)}


def check_overlay(objs: list[dict], cloud: CloudFacts) -> list[str]:
    """What the cluster silently does not do for these objects (no sync error, a weaker or broken service)."""
    errors = []
    policies = [o for o in objs if o["kind"] == "NetworkPolicy"]
    if policies and not cloud.network_policy:
        errors.append(
            f"{cloud.cloud}: {len(policies)} NetworkPolicies (default-deny-all included) are accepted but not "
            f"enforced: the cluster has no network policy enforcement ({cloud.source})"
        )
    return errors
