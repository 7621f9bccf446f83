"""Repository invariants over the rendered overlays: what every deployment of comments-api must have."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .layout import NAMESPACE, RUNBOOKS
from .manifests import describe
from .pins import DIGEST

DIGEST_IMAGE = re.compile(rf"(?P<name>[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+)@(?P<digest>{DIGEST.pattern})")
REGISTRY = {
    "gke": re.compile(r"[a-z0-9-]+-docker\.pkg\.dev/[a-z0-9-]+/comments/comments-api"),
    "eks": re.compile(r"[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/comments-api"),
}
WORKLOADS = {"Deployment", "Job", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "CronJob"}
# Values the base and the components carry until an overlay replaces them.
PLACEHOLDERS = (
    "192.0.2.",
    "ENVIRONMENT",
    "GCP_PROJECT",
    "GCP_SERVICE_ACCOUNT",
    "AWS_REGION",
    "CERTIFICATE_ARN",
    "LOAD_BALANCER_CIDR",
    "HOSTNAME",
)
# The service's metric names (GUIDE section 2); alert and recording rules may use only these of its own.
SERVICE_METRICS = {
    "http_requests_total",
    "http_request_duration_seconds_bucket",
    "http_requests_in_flight",
    "db_pool_connections",
    "db_pool_max_connections",
    "comments_created_total",
    "comments_duplicates_total",
    "comments_api_build_info",
}
SERVICE_METRIC_PREFIXES = ("http_", "db_", "comments_created", "comments_duplicates", "comments_api_build")
MIN_PROD_REPLICAS = 3


def pod_spec(obj: dict) -> dict:
    spec = obj.get("spec", {})
    if obj["kind"] == "Pod":
        return spec
    if obj["kind"] == "CronJob":
        spec = spec.get("jobTemplate", {}).get("spec", {})
    return spec.get("template", {}).get("spec", {})


def containers(obj: dict) -> list[dict]:
    spec = pod_spec(obj)
    return spec.get("initContainers", []) + spec.get("containers", [])


def _strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


def _find(objs: list[dict], kind: str, name: str) -> dict | None:
    return next((o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name), None)


def _env(container: dict) -> dict:
    return {e["name"]: e for e in container.get("env", [])}


def check_images(objs: list[dict], cloud: str, pinned_digest: str | None) -> list[str]:
    errors = []
    for obj in objs:
        if obj["kind"] not in WORKLOADS:
            continue
        for c in containers(obj):
            image = c.get("image", "")
            where = f"{describe(obj)} container {c.get('name')}"
            match = DIGEST_IMAGE.fullmatch(image)
            if match is None:
                errors.append(f"{where}: image {image!r} is not pinned by digest (name@sha256:<64 hex>, no tag)")
                continue
            if not REGISTRY[cloud].fullmatch(match["name"]):
                errors.append(f"{where}: image {match['name']!r} is not the {cloud} registry path of comments-api")
            if pinned_digest is not None and match["digest"] != pinned_digest:
                errors.append(f"{where}: digest {match['digest']} differs from the environment's pin {pinned_digest}")
    return errors


def check_pod_hardening(objs: list[dict]) -> list[str]:
    """Resources, security context on every workload; probes and drain timing on the Deployment."""
    errors = []
    for obj in objs:
        if obj["kind"] not in WORKLOADS:
            continue
        spec = pod_spec(obj)
        where = describe(obj)
        psc = spec.get("securityContext", {})
        if psc.get("runAsNonRoot") is not True:
            errors.append(f"{where}: securityContext.runAsNonRoot must be true")
        if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            errors.append(f"{where}: securityContext.seccompProfile.type must be RuntimeDefault")
        for c in containers(obj):
            cw = f"{where} container {c.get('name')}"
            res = c.get("resources", {})
            for part in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if resource not in res.get(part, {}):
                        errors.append(f"{cw}: resources.{part}.{resource} missing")
            sc = c.get("securityContext", {})
            if sc.get("allowPrivilegeEscalation") is not False:
                errors.append(f"{cw}: securityContext.allowPrivilegeEscalation must be false")
            if sc.get("readOnlyRootFilesystem") is not True:
                errors.append(f"{cw}: securityContext.readOnlyRootFilesystem must be true")
            if "ALL" not in sc.get("capabilities", {}).get("drop", []):
                errors.append(f"{cw}: securityContext.capabilities.drop must contain ALL")
            if sc.get("privileged"):
                errors.append(f"{cw}: must not be privileged")
    return errors


def check_api_deployment(objs: list[dict]) -> list[str]:
    deploy = _find(objs, "Deployment", "comments-api")
    if deploy is None:
        return ["Deployment/comments-api is missing"]
    errors = []
    spec = pod_spec(deploy)
    c = next((c for c in spec.get("containers", []) if c.get("name") == "comments-api"), None)
    if c is None:
        return ["Deployment/comments-api has no comments-api container"]
    for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        get = c.get(probe, {}).get("httpGet")
        if get is None:
            errors.append(f"Deployment/comments-api: {probe} missing")
        elif get.get("path") != path or get.get("port") not in ("admin", 9090):
            errors.append(f"Deployment/comments-api: {probe} must GET {path} on the admin port")
    ports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
    if ports != {"http": 8080, "admin": 9090}:
        errors.append(f"Deployment/comments-api: ports must be http=8080 and admin=9090, found {ports}")
    env = _env(c)
    for name, value in (("APP_DATABASE__MIGRATE_ON_START", "false"), ("APP_LOG__FORMAT", "json")):
        if env.get(name, {}).get("value") != value:
            errors.append(f"Deployment/comments-api: {name} must be {value!r}")
    if "secretKeyRef" not in env.get("APP_DATABASE__URL", {}).get("valueFrom", {}):
        errors.append("Deployment/comments-api: APP_DATABASE__URL must come from a Secret")
    pre_stop = c.get("lifecycle", {}).get("preStop", {})
    if "sleep" not in pre_stop:
        errors.append("Deployment/comments-api: preStop must be the kubelet sleep action (the image has no shell)")
    else:
        grace = int(env.get("APP_SERVER__SHUTDOWN_GRACE_SECS", {}).get("value", "20"))
        needed = pre_stop["sleep"]["seconds"] + grace
        if spec.get("terminationGracePeriodSeconds", 30) <= needed:
            errors.append(
                f"Deployment/comments-api: terminationGracePeriodSeconds must exceed preStop + drain grace ({needed} s)"
            )
    return errors


def check_migration(objs: list[dict]) -> list[str]:
    job = _find(objs, "Job", "comments-api-migrate")
    if job is None:
        return ["Job/comments-api-migrate (the migration hook) is missing"]
    errors = []
    annotations = job["metadata"].get("annotations", {})
    # A Job's pod template is immutable: only a hook recreated on each sync runs the new image's migration.
    # Its place in the sync order (after its ServiceAccount and Secret, before the Deployment) is sync_sim's.
    if not annotations.get("argocd.argoproj.io/hook") or "BeforeHookCreation" not in annotations.get(
        "argocd.argoproj.io/hook-delete-policy", ""
    ):
        errors.append("Job/comments-api-migrate must be an Argo CD hook recreated on each sync (BeforeHookCreation)")
    if [c.get("args") for c in pod_spec(job).get("containers", [])] != [["migrate"]]:
        errors.append("Job/comments-api-migrate must run `comments-api migrate`")
    return errors


def check_availability(objs: list[dict], env: str) -> list[str]:
    errors = []
    deploy = _find(objs, "Deployment", "comments-api")
    hpa = _find(objs, "HorizontalPodAutoscaler", "comments-api")
    pdb = _find(objs, "PodDisruptionBudget", "comments-api")
    if hpa is None:
        errors.append("HorizontalPodAutoscaler/comments-api is missing")
    if pdb is None:
        errors.append("PodDisruptionBudget/comments-api is missing")
    elif deploy is not None:
        wanted = pdb["spec"].get("selector", {}).get("matchLabels", {})
        labels = deploy["spec"]["template"]["metadata"].get("labels", {})
        if not wanted or any(labels.get(k) != v for k, v in wanted.items()):
            errors.append("PodDisruptionBudget/comments-api does not select the Deployment's pods")
    if env == "prod":
        if deploy is not None and deploy["spec"].get("replicas", 1) < MIN_PROD_REPLICAS:
            errors.append(f"prod: Deployment/comments-api needs >= {MIN_PROD_REPLICAS} replicas")
        if hpa is not None and hpa["spec"].get("minReplicas", 1) < MIN_PROD_REPLICAS:
            errors.append(f"prod: HorizontalPodAutoscaler/comments-api needs minReplicas >= {MIN_PROD_REPLICAS}")
    return errors


def check_environment_values(objs: list[dict], env: str) -> list[str]:
    errors = []
    for obj in objs:
        for value in _strings(obj):
            for token in PLACEHOLDERS:
                if token in value:
                    errors.append(f"{describe(obj)}: placeholder {token!r} left in {value!r}")
        if obj["kind"] != "Namespace" and obj["metadata"].get("namespace") not in (NAMESPACE, None):
            errors.append(f"{describe(obj)}: namespace must be {NAMESPACE}")
    secret = _find(objs, "ExternalSecret", "comments-api-database")
    keys = [d["remoteRef"]["key"] for d in (secret or {}).get("spec", {}).get("data", [])]
    if keys != [f"comments-api-{env}-database-url"]:
        errors.append(f"ExternalSecret/comments-api-database must read comments-api-{env}-database-url, reads {keys}")
    return errors


def runbook_anchors(root: Path) -> set[str]:
    """GitHub's anchors for the markdown headings of docs/runbooks.md."""
    anchors = set()
    path = root / RUNBOOKS
    if not path.is_file():
        return anchors
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^a-z0-9 _-]", "", title).replace(" ", "-"))
    return anchors


def check_alerts(objs: list[dict], anchors: set[str]) -> list[str]:
    errors = []
    rules = [
        r
        for o in objs
        if o["kind"] == "PrometheusRule"
        for g in o["spec"].get("groups", [])
        for r in g.get("rules", [])
    ]
    alerts = [r for r in rules if "alert" in r]
    if not alerts:
        errors.append("no alerting rules rendered")
    for rule in alerts:
        name = rule["alert"]
        url = rule.get("annotations", {}).get("runbook_url", "")
        anchor = url.partition("#")[2]
        if not url.split("#")[0].endswith(str(RUNBOOKS)) or anchor not in anchors:
            errors.append(f"alert {name}: runbook_url {url!r} does not point at a section of {RUNBOOKS}")
        if rule.get("labels", {}).get("severity") not in ("page", "ticket"):
            errors.append(f"alert {name}: severity label must be page or ticket")
    for rule in rules:
        for ident in set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", str(rule["expr"]))):
            if ident.startswith(SERVICE_METRIC_PREFIXES) and ident not in SERVICE_METRICS:
                errors.append(
                    f"rule {rule.get('alert') or rule.get('record')}: {ident} is not a metric the service exports"
                )
    return errors


def check_network(objs: list[dict]) -> list[str]:
    """Default deny; in only from named sources to the two ports; out only to DNS and the database."""
    errors = []
    deny = _find(objs, "NetworkPolicy", "default-deny-all")
    if (
        deny is None
        or deny["spec"].get("podSelector") != {}
        or sorted(deny["spec"].get("policyTypes", [])) != ["Egress", "Ingress"]
    ):
        errors.append("NetworkPolicy/default-deny-all must select every pod and deny ingress and egress")
    ingress = _find(objs, "NetworkPolicy", "comments-api-ingress")
    for i, rule in enumerate((ingress or {}).get("spec", {}).get("ingress", [])):
        if not rule.get("from"):
            errors.append(f"NetworkPolicy/comments-api-ingress: rule {i} admits every source")
        if {p.get("port") for p in rule.get("ports", [])} - {"http", "admin"} or not rule.get("ports"):
            errors.append(f"NetworkPolicy/comments-api-ingress: rule {i} must name the http or admin port")
    egress = _find(objs, "NetworkPolicy", "comments-api-egress")
    ports = {
        (p.get("port"), p.get("protocol", "TCP"))
        for r in (egress or {}).get("spec", {}).get("egress", [])
        for p in r.get("ports", [{}])
    }
    if ingress is None or egress is None or not ports or ports - {(53, "UDP"), (53, "TCP"), (5432, "TCP")}:
        errors.append(
            f"NetworkPolicy/comments-api-egress must allow only DNS and PostgreSQL, allows {sorted(ports, key=str)}"
        )
    return errors


def check_dashboard(objs: list[dict]) -> list[str]:
    """The Grafana dashboard ConfigMap reaches the sidecar and its queries use the service's real metrics."""
    maps = [o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("comments-api-dashboard")]
    if len(maps) != 1 or maps[0]["metadata"].get("labels", {}).get("grafana_dashboard") != "1":
        return ["exactly one ConfigMap comments-api-dashboard-* labelled grafana_dashboard=1 is required"]
    errors = []
    for key, text in maps[0].get("data", {}).items():
        try:
            dashboard = json.loads(text)
        except json.JSONDecodeError as exc:
            errors.append(f"dashboard {key}: not JSON: {exc}")
            continue
        exprs = [t.get("expr", "") for p in dashboard.get("panels", []) for t in p.get("targets", [])]
        if not exprs:
            errors.append(f"dashboard {key}: no queries")
        for ident in {i for e in exprs for i in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", e)}:
            if ident.startswith(SERVICE_METRIC_PREFIXES) and ident not in SERVICE_METRICS:
                errors.append(f"dashboard {key}: {ident} is not a metric the service exports")
    return errors


def _lists(entries: list[dict] | None, group: str, kind: str) -> bool:
    """An AppProject resource list names group/kind (either may be the wildcard "*")."""
    return any(e["group"] in (group, "*") and e["kind"] in (kind, "*") for e in entries or [])


def check_project_allows(objs: list[dict], project: dict) -> list[str]:
    """Every rendered kind must be allowed by the environment's AppProject, or Argo CD refuses the sync."""
    spec = project["spec"]
    errors = []
    for obj in objs:
        group = obj["apiVersion"].rpartition("/")[0]
        namespaced = "namespace" in obj["metadata"] and obj["kind"] != "Namespace"
        # Argo CD (AppProject.IsGroupKindPermitted): an unset namespaced whitelist allows every namespaced kind;
        # cluster-scoped kinds need an entry. Blacklists apply either way.
        listed = "namespaceResourceWhitelist" if namespaced else "clusterResourceWhitelist"
        denied = spec.get("namespaceResourceBlacklist" if namespaced else "clusterResourceBlacklist", [])
        allowed = spec.get(listed)
        if namespaced and allowed is None:
            allowed = [{"group": "*", "kind": "*"}]
        if not _lists(allowed, group, obj["kind"]) or _lists(denied, group, obj["kind"]):
            errors.append(
                f"{describe(obj)}: kind {group or 'core'}/{obj['kind']} is not allowed by AppProject/{project['metadata']['name']}"
            )
    return errors


def check_smoke_hook(objs: list[dict]) -> list[str]:
    from .smoke_hook import check_smoke_hook as check  # imports this module's helpers

    return check(objs)


def check_overlay(
    objs: list[dict], env: str, cloud: str, pinned_digest: str | None, anchors: set[str], project: dict | None
) -> list[str]:
    errors = (
        check_images(objs, cloud, pinned_digest)
        + check_pod_hardening(objs)
        + check_api_deployment(objs)
        + check_migration(objs)
        + check_availability(objs, env)
        + check_environment_values(objs, env)
        + check_alerts(objs, anchors)
        + check_dashboard(objs)
        + check_network(objs)
        + check_smoke_hook(objs)
    )
    if project is None:
        errors.append(f"AppProject/comments-{env} is not rendered by argocd/bootstrap")
    else:
        errors += check_project_allows(objs, project)
    return errors
