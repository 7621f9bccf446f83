"""What the rendered NetworkPolicies let through, as the cluster's network plugin decides it: a pod's
egress is allowed when no Egress policy selects it or one of those policies has a matching rule; the
destination's ingress likewise. Enough of the NetworkPolicy semantics for the pods of one namespace
(podSelector matchLabels / matchExpressions In, namespaceSelector by kubernetes.io/metadata.name,
named and numbered ports); ipBlock peers never match a pod."""

from __future__ import annotations

from dataclasses import dataclass

from .layout import NAMESPACE


@dataclass(frozen=True)
class Pod:
    name: str
    labels: dict
    ports: dict  # container port name -> number
    namespace: str = NAMESPACE


def selects(selector: dict | None, labels: dict) -> bool:
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        present, value = expr["key"] in labels, labels.get(expr["key"])
        op = expr["operator"]
        if (
            (op == "In" and value not in expr.get("values", []))
            or (op == "NotIn" and value in expr.get("values", []))
            or (op == "Exists" and not present)
            or (op == "DoesNotExist" and present)
        ):
            return False
    return True


def peer_matches(peer: dict, pod: Pod, policy_namespace: str) -> bool:
    if "ipBlock" in peer:
        return False
    if "namespaceSelector" in peer:
        if not selects(peer["namespaceSelector"], {"kubernetes.io/metadata.name": pod.namespace}):
            return False
    elif pod.namespace != policy_namespace:
        return False
    return selects(peer.get("podSelector", {}), pod.labels)


def port_matches(ports: list[dict] | None, target: Pod, port: int) -> bool:
    if not ports:
        return True
    for entry in ports:
        wanted = entry.get("port")
        if entry.get("protocol", "TCP") != "TCP":
            continue
        if wanted is None or wanted == port or (isinstance(wanted, str) and target.ports.get(wanted) == port):
            return True
    return False


def _allowed(policies: list[dict], subject: Pod, peer: Pod, target: Pod, port: int, direction: str) -> bool:
    kind, rules_key, peers_key = ("Egress", "egress", "to") if direction == "egress" else ("Ingress", "ingress", "from")
    mine = [
        p
        for p in policies
        if kind in p["spec"].get("policyTypes", ["Ingress"])
        and (p["metadata"].get("namespace") or NAMESPACE) == subject.namespace
        and selects(p["spec"].get("podSelector", {}), subject.labels)
    ]
    if not mine:
        return True
    for policy in mine:
        namespace = policy["metadata"].get("namespace") or NAMESPACE
        for rule in policy["spec"].get(rules_key) or []:
            peers = rule.get(peers_key)
            if (not peers or any(peer_matches(p, peer, namespace) for p in peers)) and port_matches(
                rule.get("ports"), target, port
            ):
                return True
    return False


def can_connect(objs: list[dict], source: Pod, target: Pod, port: int) -> bool:
    """TCP from source to target:port under the NetworkPolicies in objs (egress of source, ingress of target)."""
    policies = [o for o in objs if o["kind"] == "NetworkPolicy"]
    return _allowed(policies, source, target, target, port, "egress") and _allowed(
        policies, target, source, target, port, "ingress"
    )
