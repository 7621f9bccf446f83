"""The PostSync smoke Job, as Argo CD and the cluster will run it: a PostSync hook replaced on every
sync, the service's own image running `comments-api smoke` against the rendered Service's ports, its own
token-less ServiceAccount, and NetworkPolicies that let it reach the API pods (and DNS), nothing more."""

from __future__ import annotations

from urllib.parse import urlparse

from .invariants import _find, containers, pod_spec
from .reachability import Pod, can_connect

JOB = "comments-api-smoke"
DNS = Pod("kube-dns", {"k8s-app": "kube-dns"}, {}, namespace="kube-system")
DATABASE_PORT = 5432


def pod_of(obj: dict) -> Pod:
    spec = pod_spec(obj)
    ports = {
        p["name"]: p["containerPort"] for c in spec.get("containers", []) for p in c.get("ports", []) if "name" in p
    }
    return Pod(obj["metadata"]["name"], obj["spec"]["template"]["metadata"].get("labels", {}), ports)


def service_port(service: dict, api: Pod, url: str) -> tuple[int | None, str]:
    """The pod port a URL of the Service reaches, or None with the reason."""
    parsed = urlparse(url)
    if parsed.hostname not in (
        service["metadata"]["name"],
        f"{service['metadata']['name']}.comments",
        f"{service['metadata']['name']}.comments.svc",
    ):
        return None, f"{url} does not name the Service {service['metadata']['name']}"
    for port in service["spec"].get("ports", []):
        if port["port"] == parsed.port:
            target = port.get("targetPort", port["port"])
            return (api.ports.get(target) if isinstance(target, str) else target), ""
    return None, f"{url}: the Service has no port {parsed.port}"


def check_smoke_hook(objs: list[dict]) -> list[str]:
    job = _find(objs, "Job", JOB)
    if job is None:
        return [f"Job/{JOB} (the PostSync smoke check) is missing"]
    where = f"Job/{JOB}"
    errors = []
    notes = job["metadata"].get("annotations", {})
    if notes.get("argocd.argoproj.io/hook") != "PostSync":
        errors.append(f"{where} must be an Argo CD PostSync hook (it checks the deployed pods)")
    if notes.get("argocd.argoproj.io/hook-delete-policy") != "BeforeHookCreation":
        errors.append(
            f"{where}: hook-delete-policy must be BeforeHookCreation (a Job's template is immutable; "
            "the next sync must replace it)"
        )
    spec = pod_spec(job)
    account = spec.get("serviceAccountName")
    sa = _find(objs, "ServiceAccount", account or "")
    if account in (None, "default", "comments-api") or sa is None:
        errors.append(
            f"{where} must run as its own rendered ServiceAccount (not default or comments-api), got {account}"
        )
    elif sa.get("automountServiceAccountToken") is not False or spec.get("automountServiceAccountToken") is not False:
        errors.append(f"{where}: no service-account token may be mounted (ServiceAccount and pod)")
    deployment, service = _find(objs, "Deployment", "comments-api"), _find(objs, "Service", "comments-api")
    if deployment is None or service is None:
        return errors + [f"{where}: Deployment and Service comments-api must be rendered"]
    smoke = containers(job)
    api_image = containers(deployment)[0].get("image")
    if len(smoke) != 1 or smoke[0].get("image") != api_image:
        errors.append(f"{where} must run the Deployment's own image {api_image}")
        return errors
    args = smoke[0].get("args", [])
    if args[:1] != ["smoke"] or len(args) < 2:
        return errors + [f"{where} must run `comments-api smoke <url>`, runs {args}"]
    urls = {"/api": args[1]}
    if "--admin-url" in args:
        urls["/readyz"] = args[args.index("--admin-url") + 1]
    source, api = pod_of(job), pod_of(deployment)
    for path, url in urls.items():
        port, problem = service_port(service, api, url)
        if port is None:
            errors.append(f"{where}: {problem}")
        elif not can_connect(objs, source, api, port):
            errors.append(f"{where}: the NetworkPolicies block the smoke pod from the API pods' port {port} ({path})")
    if not can_connect(objs, source, DNS, 53):
        errors.append(f"{where}: the NetworkPolicies block DNS for the smoke pod")
    database = Pod("database", {}, {}, namespace="outside")
    if can_connect(objs, source, database, DATABASE_PORT):
        errors.append(f"{where}: the smoke pod can reach port {DATABASE_PORT}; it needs only the Service")
    return errors
