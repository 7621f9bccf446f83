"""kube-prometheus-stack as pinned (argocd/applicationsets/addon-kube-prometheus-stack.yaml), checked for what it
will do with the overlays' objects and with alerts:

- the Prometheus selectors the chart derives from our values select every ServiceMonitor and PrometheusRule
  of the overlays (with *SelectorNilUsesHelmValues left true it would select only `release: <release>`);
- alerts reach people: the route tree sends severity page and ticket to receivers that notify a webhook, and
  Watchdog to a heartbeat receiver (dead man's switch); no receiver URL is written in Git: each is a
  `url_file` inside a mounted Secret that an ExternalSecret of the alertmanager-receivers Application writes,
  with that key;
- Prometheus keeps its data on a volume the cloud can provision (a default StorageClass, tools/k8s/clusters);
- the managed control plane (controller-manager, scheduler, etcd, kube-proxy) is neither scraped nor alerted on.
"""

from __future__ import annotations

import re

from .appset import selector_matches
from .clusters import CloudFacts
from .manifests import describe

KPS_APPSET = "addon-kube-prometheus-stack"
SECRETS_DIR = "/etc/alertmanager/secrets/"
MATCHER = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$')
# Targets of a managed control plane (GKE, EKS) and the default rule groups that alert on them.
CONTROL_PLANE = {
    "kubeControllerManager": ["kubeControllerManager"],
    "kubeScheduler": ["kubeSchedulerAlerting", "kubeSchedulerRecording"],
    "kubeEtcd": ["etcd"],
    "kubeProxy": ["kubeProxy"],
}
SEVERITIES = ("page", "ticket")  # each must reach a receiver that notifies someone


def kps(argocd_objs: list[dict]) -> dict | None:
    return next((o for o in argocd_objs if o["kind"] == "ApplicationSet" and o["metadata"]["name"] == KPS_APPSET), None)


def values(appset: dict) -> dict:
    return appset["spec"]["template"]["spec"]["source"].get("helm", {}).get("valuesObject", {}) or {}


def release(appset: dict) -> str:
    helm = appset["spec"]["template"]["spec"]["source"].get("helm", {})
    return helm.get("releaseName") or appset["spec"]["template"]["metadata"]["name"]


def selector(spec: dict, kind: str, release_name: str) -> dict:
    """The label selector the chart writes into the Prometheus resource for `kind` (serviceMonitor, rule)."""
    if f"{kind}Selector" in spec:
        return spec[f"{kind}Selector"] or {}
    if spec.get(f"{kind}SelectorNilUsesHelmValues", True):
        return {"matchLabels": {"release": release_name}}
    return {}


def check_selection(appset: dict, objs: list[dict]) -> list[str]:
    spec = values(appset).get("prometheus", {}).get("prometheusSpec", {})
    errors = []
    for kind, obj_kind in (("serviceMonitor", "ServiceMonitor"), ("rule", "PrometheusRule")):
        wanted = selector(spec, kind, release(appset))
        ns_wanted = spec.get(f"{kind}NamespaceSelector", {})
        for obj in (o for o in objs if o["kind"] == obj_kind):
            ns_labels = {"kubernetes.io/metadata.name": obj["metadata"].get("namespace", "")}
            if not selector_matches(wanted, obj["metadata"].get("labels", {})) or not selector_matches(
                ns_wanted, ns_labels
            ):
                errors.append(
                    f"{describe(obj)}: Prometheus does not select it (kube-prometheus-stack {kind}Selector "
                    f"{wanted}, namespace selector {ns_wanted}): its "
                    f"{'targets are never scraped' if kind == 'serviceMonitor' else 'alerts never fire'}"
                )
    return errors


def _matches(matchers: list[str], labels: dict) -> bool:
    for text in matchers:
        m = MATCHER.match(text)
        if m is None:
            raise ValueError(f"matcher {text!r} is not understood")
        name, op, value = m.groups()
        have = labels.get(name, "")
        ok = {
            "=": have == value,
            "!=": have != value,
            "=~": re.fullmatch(value, have) is not None,
            "!~": re.fullmatch(value, have) is None,
        }[op]
        if not ok:
            return False
    return True


def route(tree: dict, labels: dict, inherited: str | None = None) -> str | None:
    """The receiver Alertmanager picks for an alert with these labels (first matching child, depth first)."""
    receiver = tree.get("receiver", inherited)
    for child in tree.get("routes", []):
        legacy = [f'{k}="{v}"' for k, v in child.get("match", {}).items()] + [
            f'{k}=~"{v}"' for k, v in child.get("match_re", {}).items()
        ]
        if _matches(child.get("matchers", []) + legacy, labels):
            return route(child, labels, receiver)
    return receiver


def receiver_files(receiver: dict) -> list[str]:
    """The url_file of every webhook; a literal URL (a secret in Git) is refused by check_alerting."""
    return [w.get("url_file", "") for w in receiver.get("webhook_configs", [])]


def check_alerting(appset: dict, receivers_objs: dict[str, list[dict]]) -> list[str]:
    """receivers_objs: the rendered alertmanager-receivers objects per cluster name."""
    am = values(appset).get("alertmanager", {})
    config = am.get("config", {})
    mounted = set(am.get("alertmanagerSpec", {}).get("secrets", []))
    receivers = {r["name"]: r for r in config.get("receivers", [])}
    errors = []
    tree = config.get("route", {})
    cases = [
        (f"severity={s}", {"severity": s, "alertname": "CommentsApiExample", "namespace": "comments"})
        for s in SEVERITIES
    ] + [("the Watchdog (dead man's switch)", {"alertname": "Watchdog", "severity": "none"})]
    for what, labels in cases:
        try:
            name = route(tree, labels)
        except ValueError as exc:
            errors.append(f"Alertmanager route: {exc}")
            continue
        receiver = receivers.get(name)
        if receiver is None or not receiver.get("webhook_configs"):
            errors.append(f"Alertmanager: {what} goes to receiver {name!r}, which notifies no one")
        elif labels["alertname"] == "Watchdog" and name in {route(tree, lb) for _, lb in cases[:-1]}:
            errors.append(
                f"Alertmanager: the Watchdog goes to {name!r}, the receiver of real alerts: it needs its own heartbeat receiver"
            )
    for name, receiver in receivers.items():
        for hook in receiver.get("webhook_configs", []):
            if "url" in hook:
                errors.append(
                    f"Alertmanager receiver {name}: a literal webhook url is a secret in Git; use url_file from the secret store"
                )
                continue
            path = hook.get("url_file", "")
            secret, _, key = path.removeprefix(SECRETS_DIR).partition("/")
            if not path.startswith(SECRETS_DIR) or secret not in mounted:
                errors.append(
                    f"Alertmanager receiver {name}: url_file {path!r} is not in a Secret mounted by "
                    f"alertmanagerSpec.secrets {sorted(mounted)}"
                )
                continue
            for cluster, objs in receivers_objs.items():
                written = [
                    o
                    for o in objs
                    if o["kind"] == "ExternalSecret"
                    and o["spec"].get("target", {}).get("name", o["metadata"]["name"]) == secret
                ]
                keys = {d["secretKey"] for o in written for d in o["spec"].get("data", [])}
                if key not in keys:
                    errors.append(
                        f"{cluster}: Alertmanager receiver {name} reads {secret}/{key}, which no ExternalSecret writes "
                        f"(keys: {sorted(keys)})"
                    )
    return errors


def check_overlay_alerts(appset: dict, name: str, objs: list[dict]) -> list[str]:
    """Each alerting rule the overlay renders, routed with its own labels, reaches a receiver that notifies someone."""
    config = values(appset).get("alertmanager", {}).get("config", {})
    receivers = {r["name"]: r for r in config.get("receivers", [])}
    errors = []
    for rule_obj in (o for o in objs if o["kind"] == "PrometheusRule"):
        for group in rule_obj["spec"].get("groups", []):
            for rule in (r for r in group.get("rules", []) if "alert" in r):
                labels = {
                    "alertname": rule["alert"],
                    "namespace": rule_obj["metadata"].get("namespace", ""),
                    **rule.get("labels", {}),
                }
                try:
                    receiver = route(config.get("route", {}), labels)
                except ValueError as exc:
                    return [f"Alertmanager route: {exc}"]
                if not receivers.get(receiver, {}).get("webhook_configs"):
                    errors.append(
                        f"{name}: alert {rule['alert']} (severity {labels.get('severity')!r}) goes to receiver "
                        f"{receiver!r}, which notifies no one"
                    )
    return errors


def check_receiver_stores(overlays: dict[str, list[dict]], receivers_objs: dict[str, list[dict]]) -> list[str]:
    """The receivers' store reads the same secret manager (GCP project / AWS region) as the cluster's comments-api store."""
    errors = []
    for name, objs in receivers_objs.items():
        overlay = overlays.get(name.removeprefix("alertmanager-receivers-"), [])
        ours = [o["spec"].get("provider") for o in objs if o["kind"] == "ClusterSecretStore"]
        theirs = [o["spec"].get("provider") for o in overlay if o["kind"] == "ClusterSecretStore"]
        if not ours or any(p not in theirs for p in ours):
            errors.append(
                f"{name}: ClusterSecretStore provider {ours} differs from the cluster's own secret manager {theirs} "
                f"(environments/{name.removeprefix('alertmanager-receivers-').replace('-', '/')}/cluster-values.yaml)"
            )
    return errors


def check_storage(appset: dict, clouds: list[CloudFacts]) -> list[str]:
    spec = values(appset).get("prometheus", {}).get("prometheusSpec", {})
    claim = spec.get("storageSpec", {}).get("volumeClaimTemplate", {}).get("spec")
    if not claim:
        return [
            "kube-prometheus-stack: prometheusSpec.storageSpec has no volumeClaimTemplate: Prometheus keeps its TSDB on an "
            "emptyDir, and the 1 d and 3 d burn-rate windows reset whenever the pod moves"
        ]
    if claim.get("storageClassName"):
        return []
    return [
        f"{c.cloud}: Prometheus' claim names no StorageClass and the cluster has no default one ({c.source}): it stays Pending"
        for c in clouds
        if not c.default_storage_class
    ]


def check_control_plane(appset: dict) -> list[str]:
    v = values(appset)
    rules = v.get("defaultRules", {}).get("rules", {})
    errors = []
    for component, rule_groups in CONTROL_PLANE.items():
        if v.get(component, {}).get("enabled", True) is not False:
            errors.append(
                f"kube-prometheus-stack: {component}.enabled must be false (managed control plane: the target is "
                f"never up on GKE or EKS, a permanent false alert)"
            )
        for group in rule_groups:
            if rules.get(group, True) is not False:
                errors.append(
                    f"kube-prometheus-stack: defaultRules.rules.{group} must be false (it alerts on {component})"
                )
    return errors


def check(
    argocd_objs: list[dict],
    overlays: dict[str, list[dict]],
    receivers_objs: dict[str, list[dict]],
    clouds: list[CloudFacts],
) -> list[str]:
    appset = kps(argocd_objs)
    if appset is None:
        return [f"ApplicationSet/{KPS_APPSET} is not rendered by argocd/bootstrap"]
    errors = (
        check_alerting(appset, receivers_objs)
        + check_receiver_stores(overlays, receivers_objs)
        + check_storage(appset, clouds)
        + check_control_plane(appset)
    )
    for name, objs in overlays.items():
        errors += [f"{name}: {e}" for e in check_selection(appset, objs)] + check_overlay_alerts(appset, name, objs)
    return errors
