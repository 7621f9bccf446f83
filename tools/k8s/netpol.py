"""NetworkPolicies evaluated against the traffic each cloud's cluster really carries.

The peers are the real ones per cloud: cluster DNS pods (GKE kube-dns, EKS CoreDNS: both labelled
k8s-app=kube-dns in kube-system), the Prometheus pods that kube-prometheus-stack's operator creates (in
the namespace its ApplicationSet deploys to), and the load balancer's source addresses (GKE: the Google
Front End and health-check ranges; EKS: the ALB's nodes in the VPC's public subnets, modules/aws-vpc).
Required flows must be allowed, and a few that must not be (another namespace's pod; on EKS a node or pod
address in the private subnets) must be refused. Semantics: a pod selected by no policy of a direction
allows everything in that direction; otherwise some rule must match the peer and the port.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

import yaml

from .appset import selector_matches
from .layout import overlay_dir
from .manifests import describe
from .sync_sim import pod_template
from .wiring import container_ports, monitored, service_pods

GFE_RANGES = ("35.191.0.0/16", "130.211.0.0/22")  # Google Front Ends and health checkers (published)
DNS_LABELS = {"gke": {"k8s-app": "kube-dns"}, "eks": {"k8s-app": "kube-dns", "eks.amazonaws.com/component": "coredns"}}
# The labels prometheus-operator puts on the pods of the Prometheus "kube-prometheus-stack-prometheus".
PROMETHEUS_LABELS = {
    "app.kubernetes.io/name": "prometheus",
    "app.kubernetes.io/managed-by": "prometheus-operator",
    "app.kubernetes.io/instance": "kube-prometheus-stack-prometheus",
    "prometheus": "kube-prometheus-stack-prometheus",
    "operator.prometheus.io/name": "kube-prometheus-stack-prometheus",
}


@dataclass(frozen=True)
class Peer:
    what: str
    namespace: str = ""
    labels: tuple = ()
    ip: str = ""

    def label_dict(self) -> dict:
        return dict(self.labels)


def pod_peer(what: str, namespace: str, labels: dict) -> Peer:
    return Peer(what, namespace, tuple(sorted(labels.items())))


def _peer_matches(peer_rule: dict, peer: Peer, policy_ns: str) -> bool:
    if "ipBlock" in peer_rule:
        if not peer.ip:
            return False
        block = peer_rule["ipBlock"]
        address = ipaddress.ip_address(peer.ip)
        return address in ipaddress.ip_network(block["cidr"]) and not any(
            address in ipaddress.ip_network(e) for e in block.get("except", [])
        )
    if peer.ip:
        return False
    ns_labels = {"kubernetes.io/metadata.name": peer.namespace}
    if "namespaceSelector" in peer_rule:
        if not selector_matches(peer_rule["namespaceSelector"], ns_labels):
            return False
    elif peer.namespace != policy_ns:
        return False
    return selector_matches(peer_rule.get("podSelector"), peer.label_dict())


def _port_matches(rule_port: dict, port: int, name: str | None, protocol: str) -> bool:
    if rule_port.get("protocol", "TCP") != protocol:
        return False
    if "port" not in rule_port:
        return True
    wanted = rule_port["port"]
    if isinstance(wanted, str):
        return wanted == name
    return wanted <= port <= rule_port.get("endPort", wanted)


def _types(policy: dict) -> list[str]:
    spec = policy["spec"]
    return spec.get("policyTypes") or (["Ingress"] + (["Egress"] if "egress" in spec else []))


def allowed(
    policies: list[dict],
    direction: str,
    pod_ns: str,
    pod_labels: dict,
    peer: Peer,
    port: int,
    name: str | None,
    protocol: str = "TCP",
) -> bool:
    selecting = [
        p
        for p in policies
        if p["metadata"].get("namespace", "") == pod_ns
        and direction in _types(p)
        and selector_matches(p["spec"].get("podSelector"), pod_labels)
    ]
    if not selecting:
        return True
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    for policy in selecting:
        for rule in policy["spec"].get(key, []):
            peers = rule.get(peers_key)
            ports = rule.get("ports")
            if (not peers or any(_peer_matches(p, peer, pod_ns) for p in peers)) and (
                not ports or any(_port_matches(p, port, name, protocol) for p in ports)
            ):
                return True
    return False


def _named(template: dict, number: int) -> str | None:
    return next((k for k, v in container_ports(template).items() if isinstance(k, str) and v == number), None)


def load_balancer_sources(root: Path, env: str, cloud: str) -> tuple[list[Peer], list[Peer]]:
    """(addresses the load balancer sends from, cluster addresses that must not reach the public port)."""
    if cloud == "gke":
        return [p for cidr in GFE_RANGES for p in _edges(f"load balancer {cidr}", ipaddress.ip_network(cidr))], []
    values = yaml.safe_load((root / overlay_dir(env, cloud) / "cluster-values.yaml").read_text())["data"]
    vpc = ipaddress.ip_network(values["vpcCidr"])
    quarters = list(vpc.subnets(prefixlen_diff=2))
    public = list(quarters[3].subnets(prefixlen_diff=1))[0]  # modules/aws-vpc: public subnets
    sources = _edges(f"ALB node in the public subnets {public}", public)
    private = [p for q in quarters[:3] for p in _edges(f"node or pod in the private subnet {q}", q)]
    return sources, private


def _edges(what: str, network) -> list[Peer]:
    """The first and the last usable address: a rule narrower than the real range misses one of them."""
    return [Peer(what, ip=str(network.network_address + 1)), Peer(what, ip=str(network.broadcast_address - 1))]


def check(root: Path, objs: list[dict], env: str, cloud: str, monitoring_ns: str) -> list[str]:
    policies = [o for o in objs if o["kind"] == "NetworkPolicy"]
    errors = []
    dns = pod_peer(f"cluster DNS ({cloud})", "kube-system", DNS_LABELS[cloud])
    prometheus = pod_peer("Prometheus", monitoring_ns, PROMETHEUS_LABELS)
    intruder = pod_peer("a pod of another namespace", "default", {"app": "other"})
    lb_sources, private = load_balancer_sources(root, env, cloud)

    def flow(direction, workload, template, peer, port, protocol="TCP", must=True):
        ns = workload["metadata"].get("namespace", "")
        labels = template.get("metadata", {}).get("labels", {})
        ok = allowed(policies, direction, ns, labels, peer, port, _named(template, port), protocol)
        if ok != must:
            way = "to" if direction == "Egress" else "from"
            verdict = "refused" if must else "allowed"
            errors.append(
                f"NetworkPolicy: {describe(workload)} {direction.lower()} {way} {peer.what} on {port}/{protocol} is {verdict}"
            )

    for workload in (o for o in objs if pod_template(o) is not None):
        template = pod_template(workload)
        for protocol in ("UDP", "TCP"):
            flow("Egress", workload, template, dns, 53, protocol)
    for _monitor, endpoint, svc in monitored(objs):
        port = next((p for p in svc["spec"]["ports"] if endpoint.get("port") in (p.get("name"), p.get("port"))), None)
        for workload, template in service_pods(svc, objs):
            target = container_ports(template).get(port.get("targetPort", port.get("port"))) if port else None
            if target is not None:
                flow("Ingress", workload, template, prometheus, target)
    ports = public_ports(objs)
    if "public" not in ports:
        errors.append(
            "NetworkPolicy: no Ingress or HTTPRoute routes the load balancer to a container port: nothing to check"
        )
    for role, number in ports.items():
        for workload, template in (pair for svc in services(objs) for pair in service_pods(svc, objs)):
            if number not in container_ports(template).values():
                continue
            for source in lb_sources:
                flow("Ingress", workload, template, source, number)
            if role == "public":
                for other in private + [intruder]:
                    flow("Ingress", workload, template, other, number, must=False)
    return list(dict.fromkeys(errors))  # both edges of a range may fail the same way


def services(objs: list[dict]) -> list[dict]:
    return [o for o in objs if o["kind"] == "Service"]


def public_ports(objs: list[dict]) -> dict:
    """Container ports the load balancer reaches: the routed port ("public") and the health-checked one."""
    out = {}
    by_name = {o["metadata"]["name"]: o for o in services(objs)}

    def target(svc_name, ref):
        svc = by_name.get(svc_name)
        port = next(
            (p for p in (svc or {}).get("spec", {}).get("ports", []) if ref in (p.get("name"), p.get("port"))), None
        )
        if port is None:
            return None
        for _, template in service_pods(svc, objs):
            found = container_ports(template).get(port.get("targetPort", port.get("port")))
            if found is not None:
                return found
        return None

    for ing in (o for o in objs if o["kind"] == "Ingress"):
        for rule in ing["spec"].get("rules", []):
            for path in rule.get("http", {}).get("paths", []):
                b = path["backend"]["service"]
                out.setdefault(
                    "public", target(b["name"], b.get("port", {}).get("name", b.get("port", {}).get("number")))
                )
        hc = (ing["metadata"].get("annotations") or {}).get("alb.ingress.kubernetes.io/healthcheck-port")
        if hc and hc.isdigit():
            out.setdefault("health", int(hc))
    for route in (o for o in objs if o["kind"] == "HTTPRoute"):
        for rule in route["spec"].get("rules", []):
            for ref in rule.get("backendRefs", []):
                out.setdefault("public", target(ref["name"], ref.get("port")))
    for policy in (o for o in objs if o["kind"] == "HealthCheckPolicy"):
        port = policy["spec"].get("default", {}).get("config", {}).get("httpHealthCheck", {}).get("port")
        if port:
            out.setdefault("health", port)
    return {k: v for k, v in out.items() if v is not None}
