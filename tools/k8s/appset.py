"""The comments-api ApplicationSet must give each cluster exactly its own overlay.

Argo CD evaluates the cluster generator against the labels of each cluster secret. This module does the
same for every label combination (the six real ones and some that must match nothing), renders the
template fields that decide where an Application goes, and compares them with the repository.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from .layout import CLOUDS, ENVIRONMENTS, NAMESPACE, overlay_dir

APPSET_NAME = "comments-api"
IN_CLUSTER = "https://kubernetes.default.svc"
# Label values that are not an environment / cloud of ours: each must match nothing.
STRANGERS = (("qa", "gke"), ("dev", "aks"), ("prod", ""), ("", "eks"))
TEMPLATE = re.compile(r"\{\{(.*?)\}\}")
FIELD = re.compile(r"\s*\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*")


def selector_matches(selector: dict | None, labels: dict) -> bool:
    selector = selector or {}
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        ok = {
            "In": key in labels and labels[key] in values,
            "NotIn": key not in labels or labels[key] not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }.get(op)
        if ok is None:
            raise ValueError(f"unknown selector operator {op}")
        if not ok:
            return False
    return True


def render(value: str, context: dict) -> str:
    """Go-template field references only ({{.a.b}}); anything else is refused rather than guessed."""

    def field(match: re.Match) -> str:
        ref = FIELD.fullmatch(match.group(1))
        if ref is None:
            raise ValueError(f"template {match.group(0)!r} is more than a field reference; extend tools/k8s/appset.py")
        node = context
        for part in ref.group(1).split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"{match.group(0)}: no such field (missingkey=error)")
            node = node[part]
        return str(node)

    return TEMPLATE.sub(field, value)


def cluster(env: str, cloud: str, annotations: dict[str, str] | None = None) -> dict:
    """The generator's parameters for one cluster secret (annotations: those the Terraform root writes)."""
    labels = {k: v for k, v in (("environment", env), ("cloud", cloud)) if v}
    return {
        "name": f"{env or 'none'}-{cloud or 'none'}",
        "server": IN_CLUSTER,
        "metadata": {
            "labels": {"argocd.argoproj.io/secret-type": "cluster", **labels},
            "annotations": annotations or {},
        },
    }


def generated(appset: dict, context: dict) -> bool:
    generators = appset["spec"]["generators"]
    if not generators or any(set(g) != {"clusters"} for g in generators):
        raise ValueError("only cluster generators are understood here")
    return any(selector_matches(g["clusters"].get("selector"), context["metadata"]["labels"]) for g in generators)


def check(root: Path, argocd_objs: list[dict]) -> list[str]:
    appset = next(
        (o for o in argocd_objs if o["kind"] == "ApplicationSet" and o["metadata"]["name"] == APPSET_NAME), None
    )
    if appset is None:
        return [f"ApplicationSet/{APPSET_NAME} is not rendered by argocd/bootstrap"]
    projects = {o["metadata"]["name"] for o in argocd_objs if o["kind"] == "AppProject"}
    spec = appset["spec"]["template"]["spec"]
    errors, mapped = [], set()
    if not appset["spec"].get("goTemplate"):
        errors.append(f"ApplicationSet/{APPSET_NAME}: goTemplate must be true (the templates use Go syntax)")
    combos = [(e, c, True) for e, c in itertools.product(ENVIRONMENTS, CLOUDS)] + [(e, c, False) for e, c in STRANGERS]
    for env, cloud, real in combos:
        context = cluster(env, cloud)
        label = f"environment={env or '(unset)'} cloud={cloud or '(unset)'}"
        try:
            selected = generated(appset, context)
            if not selected:
                if real:
                    errors.append(f"{label}: no Application generated for a real cluster")
                continue
            if not real:
                errors.append(f"{label}: an Application is generated for a cluster that has no overlay")
                continue
            path = render(spec["source"]["path"], context)
            project = render(spec["project"], context)
            server = render(spec["destination"].get("server", ""), context)
            render(appset["spec"]["template"]["metadata"]["name"], context)
        except (KeyError, ValueError) as exc:
            errors.append(f"{label}: {exc}")
            continue
        if not (root / path / "kustomization.yaml").is_file():
            errors.append(f"{label}: path {path} is not an overlay in the repository")
        elif Path(path) != overlay_dir(env, cloud):
            errors.append(f"{label}: path {path} is not this cluster's overlay {overlay_dir(env, cloud)}")
        mapped.add(path)
        if project != f"comments-{env}" or project not in projects:
            errors.append(f"{label}: project {project} is not the rendered AppProject comments-{env}")
        if server != IN_CLUSTER or spec["destination"].get("namespace") != NAMESPACE:
            errors.append(f"{label}: destination must be the local cluster, namespace {NAMESPACE}")
    overlays = {
        p.parent.relative_to(root).as_posix()
        for p in root.glob("environments/*/*/kustomization.yaml")
        if "kind: Kustomization" in p.read_text()
    }
    for orphan in sorted(overlays - mapped):
        errors.append(f"{orphan}: an overlay that no cluster label combination reaches")
    automated = spec.get("syncPolicy", {}).get("automated", {})
    if not (automated.get("prune") and automated.get("selfHeal")):
        errors.append(f"ApplicationSet/{APPSET_NAME}: automated sync needs prune and selfHeal")
    if "RespectIgnoreDifferences=true" not in spec.get("syncPolicy", {}).get("syncOptions", []):
        errors.append(f"ApplicationSet/{APPSET_NAME}: RespectIgnoreDifferences=true is required (HPA-owned replicas)")
    if not any(
        d.get("kind") == "Deployment" and "/spec/replicas" in d.get("jsonPointers", [])
        for d in spec.get("ignoreDifferences", [])
    ):
        errors.append(f"ApplicationSet/{APPSET_NAME}: ignoreDifferences must cover Deployment /spec/replicas")
    return errors
