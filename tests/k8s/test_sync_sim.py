"""The sync simulation reports the first step that would never finish, naming the overlay and the objects
(issue 10: the PreSync migration deadlocked every first sync). Each test breaks one thing in a copy."""

import copy
import shutil

import pytest
from k8s_helpers import REPO, annotate, find

from tools.k8s import behaviour, clusters
from tools.k8s.sync_sim import BUILTIN_GROUPS, Cluster, simulate, tasks

# The groups a real cluster of either cloud serves when comments-api syncs (cloud + earlier add-ons).
ESO_AND_PROMETHEUS = BUILTIN_GROUPS | {
    "external-secrets.io",
    "monitoring.coreos.com",
    "elbv2.k8s.aws",
    "gateway.networking.k8s.io",
    "networking.gke.io",
}
OPTIONS = {"CreateNamespace=true", "SkipDryRunOnMissingResource=true"}


@pytest.fixture
def objs(everything):
    return copy.deepcopy(everything)


def sim(overlay, cluster=None, options=OPTIONS):
    cluster = cluster or Cluster("prod-eks", frozenset(ESO_AND_PROMETHEUS), True)
    return simulate(overlay, cluster, "comments", options)[0]


def test_repository_syncs_everywhere(everything):
    errors, summary = behaviour.check(REPO, everything)
    assert errors == []
    assert any("sync simulation: 19 Applications" in line for line in summary)


def test_first_sync_order_is_store_secret_migration_then_rollout(everything):
    order = [(t.phase, t.wave, t.obj["kind"]) for t in tasks(everything["prod-eks"])]
    position = {kind: i for i, (_, _, kind) in reversed(list(enumerate(order)))}
    assert order[position["Job"]][:2] == ("Sync", -1)
    assert position["ServiceAccount"] < position["ExternalSecret"] < position["Job"] < position["Deployment"]


def test_the_original_presync_deadlock_is_reported(objs):
    """Issue 10 as filed: the migration a PreSync hook, its ServiceAccount an ordinary resource."""
    overlay = objs["prod-eks"]
    annotate(find(overlay, "Job", "comments-api-migrate"), hook="PreSync", wave="0")
    for kind, name in (("ClusterSecretStore", "comments-api"), ("ExternalSecret", "comments-api-database")):
        annotate(find(overlay, kind, name), hook="PreSync", delete_policy="BeforeHookCreation")
    errors = sim(overlay)
    assert (
        "sync on prod-eks (empty cluster): PreSync wave 0: Job/comments-api-migrate never becomes healthy: "
        'pod admission refuses the pod: serviceaccount "comments-api" not found'
    ) in "\n".join(errors)
    assert any(e.startswith("ExternalSecret/comments-api-database is an Argo CD hook") for e in errors)


@pytest.mark.parametrize(
    "kind, name, wave, message",
    [
        ("ServiceAccount", "comments-api", "0", 'serviceaccount "comments-api" not found'),
        (
            "ExternalSecret",
            "comments-api-database",
            "0",
            'Secret "comments-api-database" (container migrate env APP_DATABASE__URL) not found',
        ),
        ("ClusterSecretStore", "comments-api", "-1", "its store ClusterSecretStore/comments-api does not exist"),
    ],
)
def test_prerequisite_in_a_later_wave_blocks(objs, kind, name, wave, message):
    annotate(find(objs["dev-gke"], kind, name), wave=wave)
    errors = sim(objs["dev-gke"], Cluster("dev-gke", frozenset(ESO_AND_PROMETHEUS), True))
    assert any("sync on dev-gke (empty cluster)" in e and message in e for e in errors), errors


@pytest.mark.parametrize(
    "mutate, message",
    [
        (
            lambda c: c.setdefault("envFrom", []).append({"configMapRef": {"name": "comments-api-extra"}}),
            'ConfigMap "comments-api-extra" (container comments-api envFrom) not found',
        ),
        (
            lambda c: c["env"].append({"name": "X", "valueFrom": {"secretKeyRef": {"name": "token", "key": "t"}}}),
            'Secret "token" (container comments-api env X) not found',
        ),
    ],
)
def test_deployment_referencing_what_nothing_creates_blocks(objs, mutate, message):
    mutate(find(objs["prod-gke"], "Deployment", "comments-api")["spec"]["template"]["spec"]["containers"][0])
    errors = sim(objs["prod-gke"])
    assert any("Sync wave 0: Deployment/comments-api never becomes healthy" in e and message in e for e in errors), (
        errors
    )


def test_optional_reference_does_not_block(objs):
    container = find(objs["prod-gke"], "Deployment", "comments-api")["spec"]["template"]["spec"]["containers"][0]
    container.setdefault("envFrom", []).append({"secretRef": {"name": "maybe", "optional": True}})
    assert sim(objs["prod-gke"]) == []


def test_volume_of_a_missing_secret_blocks(objs):
    spec = find(objs["prod-gke"], "Deployment", "comments-api")["spec"]["template"]["spec"]
    spec["volumes"].append({"name": "tls", "projected": {"sources": [{"secret": {"name": "comments-api-tls"}}]}})
    assert any('Secret "comments-api-tls" (volume tls) not found' in e for e in sim(objs["prod-gke"]))


def test_store_not_admitting_the_namespace_blocks(objs):
    find(objs["prod-eks"], "ClusterSecretStore", "comments-api")["spec"]["conditions"] = [{"namespaces": ["other"]}]
    assert any("does not admit namespace comments" in e for e in sim(objs["prod-eks"]))


def test_hpa_without_metrics_api_is_degraded(objs, tmp_path):
    """The cluster model comes from modules/eks: drop the metrics-server add-on in a copy."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "modules/eks", root / "modules/eks")
    main = root / "modules/eks/main.tf"
    main.write_text(main.read_text().replace("    metrics-server = {}\n", ""))
    facts = clusters.eks(root)
    assert facts.metrics_api is False
    errors = sim(objs["prod-eks"], Cluster("prod-eks", frozenset(ESO_AND_PROMETHEUS), facts.metrics_api))
    assert any(
        "HorizontalPodAutoscaler/comments-api never becomes healthy: FailedGetResourceMetric" in e for e in errors
    )


def test_hook_without_before_hook_creation_is_not_rerun_on_upgrade(objs):
    annotate(find(objs["staging-eks"], "Job", "comments-api-migrate"), delete_policy=None)
    errors = sim(objs["staging-eks"])
    assert any(
        "(upgrade)" in e and "Job/comments-api-migrate: a named hook without BeforeHookCreation already exists" in e
        for e in errors
    ), errors


def test_migration_as_ordinary_job_fails_on_upgrade(objs):
    annotate(find(objs["staging-gke"], "Job", "comments-api-migrate"), hook=None, delete_policy=None)
    errors = sim(objs["staging-gke"])
    assert any("(upgrade)" in e and "a Job's spec.template is immutable" in e for e in errors), errors


def test_migration_in_the_rollout_wave_is_refused(objs):
    annotate(find(objs["dev-eks"], "Job", "comments-api-migrate"), wave="0")
    assert (
        "Job/comments-api-migrate must complete in an earlier sync step than Deployment/comments-api rolls out "
        "(it runs the same image: the new pods would start before the schema is migrated)"
    ) in sim(objs["dev-eks"])


def test_missing_crd_without_skip_dry_run_fails_the_whole_sync(objs):
    cluster = Cluster("dev-eks", frozenset(BUILTIN_GROUPS | {"monitoring.coreos.com"}), True)
    errors = sim(objs["dev-eks"], cluster, options={"CreateNamespace=true"})
    assert any(
        "dry run: ClusterSecretStore/comments-api: the cluster serves no external-secrets.io API yet" in e
        for e in errors
    )


def test_namespace_nobody_creates_blocks(objs):
    overlay = [o for o in objs["dev-gke"] if o["kind"] != "Namespace"]
    assert any(
        "namespace comments does not exist" in e for e in sim(overlay, options={"SkipDryRunOnMissingResource=true"})
    )


def test_namespace_object_moves_to_the_first_wave_that_uses_it(objs):
    """sync_tasks.go adjustDeps: without CreateNamespace the Namespace object still comes first."""
    assert sim(objs["dev-gke"], options={"SkipDryRunOnMissingResource=true"}) == []


def test_bootstrap_project_after_its_applicationsets_blocks(objs):
    for project in (o for o in objs["argocd"] if o["kind"] == "AppProject"):
        annotate(project, wave="1")
    cluster = Cluster("argocd/bootstrap", frozenset(BUILTIN_GROUPS | {"argoproj.io"}), True, frozenset({"argocd"}))
    errors = simulate(objs["argocd"], cluster, "argocd", set())[0]
    assert any(
        "never becomes healthy: its Applications name AppProject(s)" in e and "do not exist yet" in e for e in errors
    ), errors


def test_migration_after_the_rollout_is_refused_but_a_postsync_smoke_job_is_not(objs):
    overlay = objs["dev-eks"]
    smoke = find(overlay, "Job", "comments-api-smoke")  # the real PostSync smoke check (issue 11)
    assert smoke["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PostSync"
    assert sim(overlay) == []
    annotate(find(overlay, "Job", "comments-api-migrate"), hook="PostSync")
    assert any(e.startswith("Job/comments-api-migrate must complete in an earlier sync step") for e in sim(overlay))


def test_secret_key_the_external_secret_does_not_write_blocks(objs):
    find(objs["prod-gke"], "ExternalSecret", "comments-api-database")["spec"]["data"][0]["secretKey"] = "url"
    errors = sim(objs["prod-gke"])
    assert any(
        "Sync wave -1: Job/comments-api-migrate never becomes healthy: its pod cannot start: Secret "
        "\"comments-api-database\" has no key 'database-url'" in e
        for e in errors
    ), errors


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda s: s["securityContext"].update(runAsNonRoot=False), "container comments-api runAsNonRoot != true"),
        (lambda s: s.update(hostNetwork=True), "hostNetwork=true"),
        (
            lambda s: s["containers"][0]["securityContext"]["capabilities"].update(add=["NET_ADMIN"]),
            "adds capabilities ['NET_ADMIN']",
        ),
        (lambda s: s["securityContext"].pop("seccompProfile"), "seccompProfile must be RuntimeDefault or Localhost"),
    ],
)
def test_pod_security_restricted_refuses_the_pod(objs, mutate, message):
    mutate(find(objs["staging-gke"], "Deployment", "comments-api")["spec"]["template"]["spec"])
    labels = {"pod-security.kubernetes.io/enforce": "restricted"}
    errors = simulate(
        objs["staging-gke"], Cluster("staging-gke", frozenset(ESO_AND_PROMETHEUS), True), "comments", OPTIONS, labels
    )[0]
    assert any(
        'pod admission refuses the pod: violates PodSecurity "restricted"' in e and message in e for e in errors
    ), errors


@pytest.mark.parametrize(
    "metric, message",
    [
        (
            {
                "type": "Pods",
                "pods": {
                    "metric": {"name": "http_requests_in_flight"},
                    "target": {"type": "AverageValue", "averageValue": "10"},
                },
            },
            "FailedGetMetric: the cluster serves no custom.metrics.k8s.io API",
        ),
        (
            {"type": "External", "external": {"metric": {"name": "queue"}, "target": {"type": "Value", "value": "1"}}},
            "FailedGetMetric: the cluster serves no external.metrics.k8s.io API",
        ),
    ],
)
def test_hpa_on_metrics_no_adapter_serves_is_degraded(objs, metric, message):
    find(objs["dev-gke"], "HorizontalPodAutoscaler", "comments-api")["spec"]["metrics"].append(metric)
    assert any(message in e for e in sim(objs["dev-gke"]))


def test_claim_without_a_default_storage_class_stays_pending(objs):
    objs["dev-eks"].append(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": "comments"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
        }
    )
    cluster = Cluster("dev-eks", frozenset(ESO_AND_PROMETHEUS), True, default_storage_class=False)
    assert any("PersistentVolumeClaim/data never becomes healthy: Pending" in e for e in sim(objs["dev-eks"], cluster))


def test_generate_name_and_sync_fail_hooks_are_understood(objs):
    overlay = objs["prod-eks"]
    cleanup = copy.deepcopy(find(overlay, "Job", "comments-api-migrate"))
    del cleanup["metadata"]["name"]
    cleanup["metadata"]["generateName"] = "comments-api-on-fail-"
    annotate(cleanup, hook="SyncFail", delete_policy=None)
    overlay.append(cleanup)
    assert sim(overlay) == []
