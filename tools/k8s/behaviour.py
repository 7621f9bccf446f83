"""What Argo CD and the clusters will do with the rendered objects (the `just k8s-validate` steps after the schemas):

- add-ons: chart pins, template keys, and the order in which a new cluster gets them (addons.py);
- sync simulation of every Application a cluster runs: argocd/bootstrap, the six overlays and the
  Alertmanager receivers, on an empty cluster and on an upgrade (sync_sim.py), on the cluster that the
  Terraform modules build and the add-ons of earlier waves have extended (clusters.py);
- wiring: Services, ServiceMonitors, routes and health checks point at real pods and ports (wiring.py);
- NetworkPolicies against each cloud's real DNS, Prometheus and load balancer peers (netpol.py);
- kube-prometheus-stack: selectors, alert routing to people, storage, control plane (monitoring.py).
"""

from __future__ import annotations

from pathlib import Path

from . import addons, clusters, invariants, monitoring, netpol, wiring
from .layout import CLOUDS, ENVIRONMENTS, MONITORING_NAMESPACE, NAMESPACE
from .manifests import describe
from .sync_sim import BUILTIN_GROUPS, Cluster, simulate

ARGOCD_NAMESPACES = frozenset({"default", "kube-system", "argocd"})


def _options(argocd_objs: list[dict], appset_name: str) -> set[str]:
    aset = next(
        (o for o in argocd_objs if o["kind"] == "ApplicationSet" and o["metadata"]["name"] == appset_name), None
    )
    return set(
        (aset or {}).get("spec", {}).get("template", {}).get("spec", {}).get("syncPolicy", {}).get("syncOptions", [])
    )


def _namespace_labels(argocd_objs: list[dict], appset_name: str) -> dict:
    aset = next(
        (o for o in argocd_objs if o["kind"] == "ApplicationSet" and o["metadata"]["name"] == appset_name), None
    )
    policy = (aset or {}).get("spec", {}).get("template", {}).get("spec", {}).get("syncPolicy", {})
    return policy.get("managedNamespaceMetadata", {}).get("labels", {})


def _destination(argocd_objs: list[dict], appset_name: str, default: str) -> str:
    aset = next(
        (o for o in argocd_objs if o["kind"] == "ApplicationSet" and o["metadata"]["name"] == appset_name), None
    )
    return (
        (aset or {})
        .get("spec", {})
        .get("template", {})
        .get("spec", {})
        .get("destination", {})
        .get("namespace", default)
    )


def _project_allows(argocd_objs: list[dict], appset_name: str, rendered: dict[str, list[dict]]) -> list[str]:
    """A Git-path add-on's objects: kinds and namespaces its AppProject allows (Argo CD refuses the sync otherwise)."""
    aset = next(
        (o for o in argocd_objs if o["kind"] == "ApplicationSet" and o["metadata"]["name"] == appset_name), None
    )
    if aset is None:
        return []
    name = aset["spec"]["template"]["spec"]["project"]
    project = next((o for o in argocd_objs if o["kind"] == "AppProject" and o["metadata"]["name"] == name), None)
    if project is None:
        return [f"ApplicationSet/{appset_name}: AppProject/{name} is not rendered by argocd/bootstrap"]
    allowed_ns = {d.get("namespace") for d in project["spec"].get("destinations", [])}
    errors = []
    for target, docs in rendered.items():
        errors += [f"{target}: {e}" for e in invariants.check_project_allows(docs, project)]
        errors += [
            f"{target}: {describe(o)}: namespace {o['metadata']['namespace']} is not a destination of AppProject/{name}"
            for o in docs
            if o["metadata"].get("namespace") and o["metadata"]["namespace"] not in allowed_ns and "*" not in allowed_ns
        ]
    return errors


def check(root: Path, objs: dict[str, list[dict]]) -> tuple[list[str], list[str]]:
    """(errors, summary lines)."""
    argocd = objs["argocd"]
    facts = clusters.facts(root)
    errors = addons.check(root, argocd, objs, {c: facts[c].groups for c in CLOUDS})
    summary = [f"add-ons: pins, templates and order on {len(CLOUDS)} clouds, {len(errors)} problems"]

    before, runs = len(errors), 0
    bootstrap = Cluster("argocd/bootstrap", BUILTIN_GROUPS | {"argoproj.io"}, True, ARGOCD_NAMESPACES)
    problems, _ = simulate(argocd, bootstrap, "argocd", set())
    errors += [f"argocd: {p}" for p in problems]
    runs += 1
    monitoring_ns = _destination(argocd, monitoring.KPS_APPSET, MONITORING_NAMESPACE)
    policy_ns = _destination(argocd, "image-policy", "cosign-system")
    for cloud in CLOUDS:
        cluster_apps = addons.apps(root, argocd, cloud, objs)
        for env in ENVIRONMENTS:
            for appset_name, namespace in (
                ("comments-api", NAMESPACE),
                ("addon-alertmanager-receivers", monitoring_ns),
                ("image-policy", policy_ns),
            ):
                name = addons.app_render_name(appset_name, env, cloud)
                if name not in objs or not any(a.name == appset_name for a in cluster_apps):
                    continue
                groups = frozenset(
                    BUILTIN_GROUPS | facts[cloud].groups | addons.groups_before(cluster_apps, appset_name)
                )
                cluster = Cluster(
                    f"{env}-{cloud}",
                    groups,
                    facts[cloud].metrics_api,
                    default_storage_class=facts[cloud].default_storage_class,
                )
                problems, _ = simulate(
                    objs[name],
                    cluster,
                    namespace,
                    _options(argocd, appset_name),
                    _namespace_labels(argocd, appset_name),
                )
                errors += [f"{name}: {p}" for p in problems]
                runs += 1
    summary.append(
        f"sync simulation: {runs} Applications, empty cluster and upgrade each, {len(errors) - before} problems"
    )

    before = len(errors)
    overlays = {f"{e}-{c}": objs[f"{e}-{c}"] for e in ENVIRONMENTS for c in CLOUDS}
    for name, docs in overlays.items():
        env, cloud = name.split("-")
        problems = (
            wiring.check(docs)
            + netpol.check(root, docs, env, cloud, monitoring_ns)
            + clusters.check_overlay(docs, facts[cloud])
        )
        errors += [f"{name}: {p}" for p in problems]
    summary.append(f"wiring and network policies: {len(overlays)} overlays, {len(errors) - before} problems")

    before = len(errors)
    receivers = {n: d for n, d in objs.items() if n.startswith("alertmanager-receivers-")}
    errors += _project_allows(argocd, "addon-alertmanager-receivers", receivers)
    errors += _project_allows(argocd, "image-policy", {n: d for n, d in objs.items() if n.startswith("image-policy-")})
    errors += monitoring.check(argocd, overlays, receivers, list(facts.values()))
    summary.append(f"monitoring (kube-prometheus-stack values): {len(errors) - before} problems")
    return errors, summary
