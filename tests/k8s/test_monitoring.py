"""kube-prometheus-stack as pinned: alerts reach people, data survives the pod, the overlays' objects are selected,
and the managed control plane raises no false alerts. Each test breaks one thing in a copy."""

import copy
import dataclasses

import pytest
from k8s_helpers import REPO, find

from tools.k8s import clusters, monitoring


@pytest.fixture
def objs(everything):
    return copy.deepcopy(everything)


def kps_values(objs):
    return monitoring.values(monitoring.kps(objs["argocd"]))


def am_config(objs):
    return kps_values(objs)["alertmanager"]["config"]


def run(objs, facts=None):
    overlays = {n: o for n, o in objs.items() if n.count("-") == 1 and n != "argocd"}
    receivers = {n: o for n, o in objs.items() if n.startswith("alertmanager-receivers-")}
    return monitoring.check(objs["argocd"], overlays, receivers, facts or list(clusters.facts(REPO).values()))


def receiver(objs, name):
    return next(r for r in am_config(objs)["receivers"] if r["name"] == name)


def test_repository_monitoring_reaches_people(everything):
    assert run(everything) == []
    tree = am_config(everything)["route"]
    assert monitoring.route(tree, {"severity": "page"}) == "page"
    assert monitoring.route(tree, {"severity": "ticket"}) == "ticket"
    assert monitoring.route(tree, {"alertname": "Watchdog", "severity": "none"}) == "heartbeat"
    assert monitoring.route(tree, {"severity": "critical", "alertname": "KubePodCrashLooping"}) == "page"


@pytest.mark.parametrize(
    "mutate, message",
    [
        # the chart's default: everything to a receiver without integrations
        (
            lambda c: c["route"].update(receiver="null", routes=[]),
            "severity=page goes to receiver 'null', which notifies no one",
        ),
        (
            lambda c: (c["route"].update(receiver="null"), c["route"]["routes"].pop(3)),
            "severity=ticket goes to receiver 'null', which notifies no one",
        ),
        (
            lambda c: c["route"]["routes"].pop(0),
            "the Watchdog goes to 'ticket', the receiver of real alerts: it needs its own heartbeat receiver",
        ),
        (
            lambda c: c["route"]["routes"][0].update(receiver="null"),
            "the Watchdog (dead man's switch) goes to receiver 'null'",
        ),
        (
            lambda c: c["route"]["routes"][2].update(receiver="pager"),
            "severity=page goes to receiver 'pager', which notifies no one",
        ),
    ],
)
def test_alerts_that_reach_no_one_fail(objs, mutate, message):
    mutate(am_config(objs))
    assert any(message in e for e in run(objs)), run(objs)


def test_webhook_url_in_git_fails(objs):
    receiver(objs, "page")["webhook_configs"][0] = {"url": "https://events.example.com/hook/abc"}
    assert any("receiver page: a literal webhook url is a secret in Git" in e for e in run(objs))


def test_url_file_outside_the_mounted_secret_fails(objs):
    kps_values(objs)["alertmanager"]["alertmanagerSpec"]["secrets"] = []
    assert any(
        "receiver ticket: url_file '/etc/alertmanager/secrets/alertmanager-receivers/ticket-url' is not in a Secret mounted"
        in e
        for e in run(objs)
    )


def test_key_no_external_secret_writes_fails(objs):
    es = find(objs["alertmanager-receivers-prod-gke"], "ExternalSecret", "alertmanager-receivers")
    es["spec"]["data"] = [d for d in es["spec"]["data"] if d["secretKey"] != "heartbeat-url"]
    assert any(
        e.startswith(
            "alertmanager-receivers-prod-gke: Alertmanager receiver heartbeat reads alertmanager-receivers/heartbeat-url, "
            "which no ExternalSecret writes"
        )
        for e in run(objs)
    )


def test_prometheus_without_volume_fails(objs):
    del kps_values(objs)["prometheus"]["prometheusSpec"]["storageSpec"]
    assert any("prometheusSpec.storageSpec has no volumeClaimTemplate" in e for e in run(objs))


def test_claim_without_default_storage_class_on_eks_fails(objs):
    facts = clusters.facts(REPO)
    facts["eks"] = dataclasses.replace(facts["eks"], default_storage_class=False)
    assert any(
        e.startswith("eks: Prometheus' claim names no StorageClass and the cluster has no default one")
        for e in run(objs, list(facts.values()))
    )


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda v: v["kubeEtcd"].update(enabled=True), "kubeEtcd.enabled must be false"),
        (lambda v: v.pop("kubeScheduler"), "kubeScheduler.enabled must be false"),
        (
            lambda v: v["defaultRules"]["rules"].pop("kubeControllerManager"),
            "defaultRules.rules.kubeControllerManager must be false",
        ),
        (lambda v: v["defaultRules"]["rules"].update(kubeProxy=True), "defaultRules.rules.kubeProxy must be false"),
    ],
)
def test_managed_control_plane_scraped_fails(objs, mutate, message):
    mutate(kps_values(objs))
    assert any(message in e for e in run(objs))


@pytest.mark.parametrize(
    "mutate, message",
    [
        (
            lambda s: s.pop("serviceMonitorSelectorNilUsesHelmValues"),
            "prod-eks: ServiceMonitor/comments-api: Prometheus does not select it (kube-prometheus-stack "
            "serviceMonitorSelector {'matchLabels': {'release': 'kube-prometheus-stack'}}",
        ),
        (
            lambda s: s.update(ruleSelector={"matchLabels": {"prometheus": "main"}}),
            "dev-gke: PrometheusRule/comments-api: Prometheus does not select it",
        ),
        (
            lambda s: s.update(ruleNamespaceSelector={"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}),
            "staging-eks: PrometheusRule/comments-api: Prometheus does not select it",
        ),
    ],
)
def test_overlay_objects_prometheus_does_not_select_fail(objs, mutate, message):
    mutate(kps_values(objs)["prometheus"]["prometheusSpec"])
    assert any(e.startswith(message) for e in run(objs)), run(objs)


@pytest.mark.parametrize(
    "cluster, path, value",
    [
        ("prod-eks", ("aws", "region"), "us-east-1"),
        ("staging-gke", ("gcpsm", "projectID"), "GCP_PROJECT"),  # the per-cluster patch forgotten
    ],
)
def test_receivers_store_reading_another_secret_manager_fails(objs, cluster, path, value):
    store = find(objs[f"alertmanager-receivers-{cluster}"], "ClusterSecretStore", "alertmanager-receivers")
    store["spec"]["provider"][path[0]][path[1]] = value
    assert any(e.startswith(f"alertmanager-receivers-{cluster}: ClusterSecretStore provider") for e in run(objs))


def test_overlay_alert_with_a_severity_nobody_receives_fails(objs):
    rule = find(objs["dev-eks"], "PrometheusRule", "comments-api")["spec"]["groups"][2]["rules"][0]
    rule["labels"]["severity"] = "info"
    assert f"dev-eks: alert {rule['alert']} (severity 'info') goes to receiver 'null', which notifies no one" in run(
        objs
    )


def test_receivers_outside_their_project_fail(objs):
    from tools.k8s import behaviour

    project = find(objs["argocd"], "AppProject", "platform-addons")
    project["spec"]["destinations"] = [d for d in project["spec"]["destinations"] if d["namespace"] != "monitoring"]
    errors, _ = behaviour.check(REPO, objs)
    assert (
        "alertmanager-receivers-dev-gke: ExternalSecret/alertmanager-receivers: namespace monitoring is not a "
        "destination of AppProject/platform-addons"
    ) in errors


def test_receivers_kind_the_project_blacklists_fails(objs):
    from tools.k8s import behaviour

    find(objs["argocd"], "AppProject", "platform-addons")["spec"]["namespaceResourceBlacklist"] = [
        {"group": "external-secrets.io", "kind": "ExternalSecret"}
    ]
    errors, _ = behaviour.check(REPO, objs)
    assert (
        "alertmanager-receivers-prod-eks: ExternalSecret/alertmanager-receivers: kind external-secrets.io/ExternalSecret "
        "is not allowed by AppProject/platform-addons"
    ) in errors
