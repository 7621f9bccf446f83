"""References between objects that schemas cannot see: a Service that selects no pod, a targetPort naming no
container port, a ServiceMonitor that matches no Service or names a port it does not have, a rule whose
`job` no scrape produces, a route or health check pointing at nothing."""

from __future__ import annotations

import re

from .appset import selector_matches
from .manifests import describe
from .sync_sim import pod_template

SERVING = {"Deployment", "StatefulSet", "DaemonSet"}


def _namespace(obj: dict) -> str:
    return obj["metadata"].get("namespace", "")


def pods(objs: list[dict]) -> list[tuple[dict, dict]]:
    """(workload, pod template) of every serving workload."""
    return [(o, pod_template(o)) for o in objs if o["kind"] in SERVING and pod_template(o)]


def container_ports(template: dict) -> dict:
    """name -> containerPort, plus every number -> itself."""
    out = {}
    for c in template.get("spec", {}).get("containers", []):
        for p in c.get("ports", []):
            out[p["containerPort"]] = p["containerPort"]
            if "name" in p:
                out[p["name"]] = p["containerPort"]
    return out


def service_pods(service: dict, objs: list[dict]) -> list[tuple[dict, dict]]:
    selector = service["spec"].get("selector")
    if not selector:
        return []
    return [
        (w, t)
        for w, t in pods(objs)
        if _namespace(w) == _namespace(service)
        and all(t.get("metadata", {}).get("labels", {}).get(k) == v for k, v in selector.items())
    ]


def check_services(objs: list[dict]) -> list[str]:
    errors = []
    for svc in (o for o in objs if o["kind"] == "Service"):
        matched = service_pods(svc, objs)
        if not matched:
            errors.append(f"{describe(svc)}: selector {svc['spec'].get('selector')} matches no pod of the overlay")
            continue
        for port in svc["spec"].get("ports", []):
            target = port.get("targetPort", port.get("port"))
            for workload, template in matched:
                if target not in container_ports(template):
                    errors.append(
                        f"{describe(svc)} port {port.get('name', port.get('port'))}: targetPort {target!r} is not "
                        f"a container port of {describe(workload)} ({sorted(map(str, container_ports(template)))})"
                    )
    return errors


def _service_port(svc: dict, ref) -> dict | None:
    return next((p for p in svc["spec"].get("ports", []) if ref in (p.get("name"), p.get("port"))), None)


def monitored(objs: list[dict]) -> list[tuple[dict, dict, dict]]:
    """(ServiceMonitor, endpoint, Service) for every endpoint and every Service it selects."""
    out = []
    for sm in (o for o in objs if o["kind"] == "ServiceMonitor"):
        for svc in (o for o in objs if o["kind"] == "Service" and _namespace(o) == _namespace(sm)):
            if selector_matches(sm["spec"].get("selector"), svc["metadata"].get("labels", {})):
                out += [(sm, ep, svc) for ep in sm["spec"].get("endpoints", [])]
    return out


def check_service_monitors(objs: list[dict]) -> list[str]:
    errors = []
    found = monitored(objs)
    for sm in (o for o in objs if o["kind"] == "ServiceMonitor"):
        pairs = [(ep, svc) for s, ep, svc in found if s is sm]
        if not pairs:
            errors.append(
                f"{describe(sm)}: selector {sm['spec'].get('selector')} matches no Service's labels: nothing is scraped"
            )
        for ep, svc in pairs:
            if "port" in ep and _service_port(svc, ep["port"]) is None:
                errors.append(f"{describe(sm)}: endpoint port {ep['port']!r} is not a named port of {describe(svc)}")
    # The rules select on `job`: the Service name (or the label the ServiceMonitor names as jobLabel).
    jobs = set()
    for sm, _, svc in found:
        label = sm["spec"].get("jobLabel")
        jobs.add(
            svc["metadata"].get("labels", {}).get(label, svc["metadata"]["name"]) if label else svc["metadata"]["name"]
        )
    for rule_obj in (o for o in objs if o["kind"] == "PrometheusRule"):
        for group in rule_obj["spec"].get("groups", []):
            for rule in group.get("rules", []):
                for job in set(re.findall(r'job\s*=\s*"([^"]+)"', str(rule.get("expr", "")))):
                    if job not in jobs:
                        errors.append(
                            f'{describe(rule_obj)} rule {rule.get("alert") or rule.get("record")}: job="{job}" '
                            f"is not produced by any ServiceMonitor of the overlay (jobs: {sorted(jobs)})"
                        )
    return errors


def check_backends(objs: list[dict]) -> list[str]:
    """Ingress, HTTPRoute, health checks and autoscaling point at objects and ports that exist."""
    errors = []
    services = {o["metadata"]["name"]: o for o in objs if o["kind"] == "Service"}
    for ing in (o for o in objs if o["kind"] == "Ingress"):
        for rule in ing["spec"].get("rules", []):
            for path in rule.get("http", {}).get("paths", []):
                backend = path["backend"]["service"]
                svc = services.get(backend["name"])
                port = backend.get("port", {})
                if svc is None or _service_port(svc, port.get("name", port.get("number"))) is None:
                    errors.append(
                        f"{describe(ing)}: backend {backend['name']}:{port} is not a Service port of the overlay"
                    )
        hc_port = (ing["metadata"].get("annotations") or {}).get("alb.ingress.kubernetes.io/healthcheck-port")
        if hc_port and hc_port != "traffic-port":
            # IP targets: the ALB probes this port on the pod IP itself.
            if not any(int(hc_port) in container_ports(t).values() for _, t in pods(objs)):
                errors.append(f"{describe(ing)}: healthcheck-port {hc_port} is no container port of the overlay's pods")
    for route in (o for o in objs if o["kind"] == "HTTPRoute"):
        for rule in route["spec"].get("rules", []):
            for ref in rule.get("backendRefs", []):
                svc = services.get(ref["name"])
                if svc is None or _service_port(svc, ref.get("port")) is None:
                    errors.append(
                        f"{describe(route)}: backendRef {ref['name']}:{ref.get('port')} is not a Service port of the overlay"
                    )
    for policy in (o for o in objs if o["kind"] == "HealthCheckPolicy"):
        ref = policy["spec"].get("targetRef", {})
        svc = services.get(ref.get("name")) if ref.get("kind") == "Service" else None
        port = policy["spec"].get("default", {}).get("config", {}).get("httpHealthCheck", {}).get("port")
        if svc is None:
            errors.append(f"{describe(policy)}: targetRef {ref} is not a Service of the overlay")
        elif port is not None and not any(port in container_ports(t).values() for _, t in service_pods(svc, objs)):
            errors.append(
                f"{describe(policy)}: health check port {port} is no container port of {describe(svc)}'s pods"
            )
    workloads = {(o["kind"], o["metadata"]["name"]): o for o in objs}
    for hpa in (o for o in objs if o["kind"] == "HorizontalPodAutoscaler"):
        ref = hpa["spec"]["scaleTargetRef"]
        if (ref["kind"], ref["name"]) not in workloads:
            errors.append(f"{describe(hpa)}: scaleTargetRef {ref['kind']}/{ref['name']} is not in the overlay")
    for pdb in (o for o in objs if o["kind"] == "PodDisruptionBudget"):
        if not any(
            selector_matches(pdb["spec"].get("selector"), t.get("metadata", {}).get("labels", {}))
            for _, t in pods(objs)
        ):
            errors.append(f"{describe(pdb)}: selector matches no pod of the overlay")
    return errors


def check(objs: list[dict]) -> list[str]:
    return check_services(objs) + check_service_monitors(objs) + check_backends(objs)
