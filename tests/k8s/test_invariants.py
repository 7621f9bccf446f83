"""Each repository invariant fails on the mistake it exists for."""

import copy

import pytest
from k8s_helpers import REPO

from tools.k8s import invariants
from tools.k8s.manifests import documents, kustomize
from tools.k8s.validate import pinned_digest

DIGEST = "sha256:" + "0123456789abcdef" * 4


@pytest.fixture(scope="module")
def rendered():
    out = {
        f"{e}-{c}": documents(kustomize(REPO, f"environments/{e}/{c}"))
        for e in ("dev", "staging", "prod")
        for c in ("gke", "eks")
    }
    out["argocd"] = documents(kustomize(REPO, "argocd/bootstrap"))
    return out


@pytest.fixture(scope="module")
def anchors():
    return invariants.runbook_anchors(REPO)


def project(rendered, env):
    return next(
        o for o in rendered["argocd"] if o["kind"] == "AppProject" and o["metadata"]["name"] == f"comments-{env}"
    )


def find(objs, kind, name):
    return next(o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name)


def api(objs):
    return find(objs, "Deployment", "comments-api")["spec"]["template"]["spec"]["containers"][0]


def check_prod(objs, rendered, anchors, digest=DIGEST):
    return invariants.check_overlay(objs, "prod", "gke", digest, anchors, project(rendered, "prod"))


@pytest.fixture
def prod(rendered):
    return copy.deepcopy(rendered["prod-gke"])


def test_every_overlay_satisfies_the_invariants(rendered, anchors):
    for name, objs in rendered.items():
        if name == "argocd":
            continue
        env, cloud = name.split("-")
        digest = pinned_digest(REPO, env)
        assert invariants.check_overlay(objs, env, cloud, digest, anchors, project(rendered, env)) == []


def test_tag_image_fails(prod, rendered, anchors):
    api(prod)["image"] = "europe-west1-docker.pkg.dev/p/comments/comments-api:latest"
    assert any("is not pinned by digest" in e for e in check_prod(prod, rendered, anchors))


def test_wrong_registry_fails(prod, rendered, anchors):
    api(prod)["image"] = f"docker.io/library/comments-api@{DIGEST}"
    assert any("is not the gke registry path" in e for e in check_prod(prod, rendered, anchors))


def test_digest_other_than_the_pin_fails(prod, rendered, anchors):
    errors = check_prod(prod, rendered, anchors, digest="sha256:" + "f" * 64)
    assert any("differs from the environment's pin" in e for e in errors)


@pytest.mark.parametrize("probe", ["startupProbe", "livenessProbe", "readinessProbe"])
def test_missing_probe_fails(prod, rendered, anchors, probe):
    del api(prod)[probe]
    assert f"Deployment/comments-api: {probe} missing" in check_prod(prod, rendered, anchors)


def test_probe_on_public_port_fails(prod, rendered, anchors):
    api(prod)["readinessProbe"]["httpGet"]["port"] = "http"
    assert "Deployment/comments-api: readinessProbe must GET /readyz on the admin port" in check_prod(
        prod, rendered, anchors
    )


def test_missing_limit_fails(prod, rendered, anchors):
    del api(prod)["resources"]["limits"]["memory"]
    assert "Deployment/comments-api container comments-api: resources.limits.memory missing" in check_prod(
        prod, rendered, anchors
    )


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("allowPrivilegeEscalation", True, "allowPrivilegeEscalation must be false"),
        ("readOnlyRootFilesystem", False, "readOnlyRootFilesystem must be true"),
        ("capabilities", {"drop": ["NET_RAW"]}, "capabilities.drop must contain ALL"),
    ],
)
def test_weak_container_security_context_fails(prod, rendered, anchors, field, value, message):
    api(prod)["securityContext"][field] = value
    assert any(message in e for e in check_prod(prod, rendered, anchors))


def test_root_pod_fails(prod, rendered, anchors):
    find(prod, "Job", "comments-api-migrate")["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] = False
    assert "Job/comments-api-migrate: securityContext.runAsNonRoot must be true" in check_prod(prod, rendered, anchors)


def test_prod_below_three_replicas_fails(prod, rendered, anchors):
    find(prod, "Deployment", "comments-api")["spec"]["replicas"] = 2
    find(prod, "HorizontalPodAutoscaler", "comments-api")["spec"]["minReplicas"] = 2
    errors = check_prod(prod, rendered, anchors)
    assert "prod: Deployment/comments-api needs >= 3 replicas" in errors
    assert "prod: HorizontalPodAutoscaler/comments-api needs minReplicas >= 3" in errors


def test_missing_pdb_fails(prod, rendered, anchors):
    prod.remove(find(prod, "PodDisruptionBudget", "comments-api"))
    assert "PodDisruptionBudget/comments-api is missing" in check_prod(prod, rendered, anchors)


def test_exec_prestop_fails(prod, rendered, anchors):
    api(prod)["lifecycle"]["preStop"] = {"exec": {"command": ["sleep", "5"]}}
    assert any("preStop must be the kubelet sleep action" in e for e in check_prod(prod, rendered, anchors))


def test_grace_shorter_than_drain_fails(prod, rendered, anchors):
    find(prod, "Deployment", "comments-api")["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 25
    assert any("terminationGracePeriodSeconds must exceed" in e for e in check_prod(prod, rendered, anchors))


def test_migration_on_start_fails(prod, rendered, anchors):
    next(e for e in api(prod)["env"] if e["name"] == "APP_DATABASE__MIGRATE_ON_START")["value"] = "true"
    assert "Deployment/comments-api: APP_DATABASE__MIGRATE_ON_START must be 'false'" in check_prod(
        prod, rendered, anchors
    )


@pytest.mark.parametrize("annotation", ["argocd.argoproj.io/hook", "argocd.argoproj.io/hook-delete-policy"])
def test_migration_job_not_a_recreated_hook_fails(prod, rendered, anchors, annotation):
    del find(prod, "Job", "comments-api-migrate")["metadata"]["annotations"][annotation]
    assert "Job/comments-api-migrate must be an Argo CD hook recreated on each sync (BeforeHookCreation)" in check_prod(
        prod, rendered, anchors
    )


def test_placeholder_left_fails(prod, rendered, anchors):
    find(prod, "NetworkPolicy", "comments-api-egress")["spec"]["egress"][1]["to"][0]["ipBlock"]["cidr"] = "192.0.2.0/24"
    assert any("placeholder '192.0.2.'" in e for e in check_prod(prod, rendered, anchors))


def test_other_environments_secret_fails(prod, rendered, anchors):
    find(prod, "ExternalSecret", "comments-api-database")["spec"]["data"][0]["remoteRef"]["key"] = (
        "comments-api-dev-database-url"
    )
    assert any("must read comments-api-prod-database-url" in e for e in check_prod(prod, rendered, anchors))


def test_alert_without_runbook_section_fails(prod, rendered, anchors):
    rule = find(prod, "PrometheusRule", "comments-api")["spec"]["groups"][2]["rules"][0]
    rule["annotations"]["runbook_url"] += "-missing"
    assert any(f"alert {rule['alert']}: runbook_url" in e for e in check_prod(prod, rendered, anchors))


def test_metric_the_service_does_not_export_fails(prod, rendered, anchors):
    rule = find(prod, "PrometheusRule", "comments-api")["spec"]["groups"][1]["rules"][0]
    rule["expr"] = rule["expr"].replace("http_requests_total", "http_requests_count")
    assert any(
        "http_requests_count is not a metric the service exports" in e for e in check_prod(prod, rendered, anchors)
    )


def test_kind_outside_the_project_fails(prod, rendered, anchors):
    prod.append(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": "x", "namespace": "comments"},
        }
    )
    assert "Role/x: kind rbac.authorization.k8s.io/Role is not allowed by AppProject/comments-prod" in check_prod(
        prod, rendered, anchors
    )


def test_dashboard_with_unknown_metric_fails(prod, rendered, anchors):
    dashboard = next(o for o in prod if o["kind"] == "ConfigMap")
    key = next(iter(dashboard["data"]))
    dashboard["data"][key] = dashboard["data"][key].replace("db_pool_max_connections", "db_pool_size")
    assert f"dashboard {key}: db_pool_size is not a metric the service exports" in check_prod(prod, rendered, anchors)


def test_dashboard_without_sidecar_label_fails(prod, rendered, anchors):
    del next(o for o in prod if o["kind"] == "ConfigMap")["metadata"]["labels"]["grafana_dashboard"]
    assert any("labelled grafana_dashboard=1" in e for e in check_prod(prod, rendered, anchors))


def test_public_port_open_to_everyone_fails(prod, rendered, anchors):
    del find(prod, "NetworkPolicy", "comments-api-ingress")["spec"]["ingress"][0]["from"]
    assert "NetworkPolicy/comments-api-ingress: rule 0 admits every source" in check_prod(prod, rendered, anchors)


def test_extra_egress_fails(prod, rendered, anchors):
    find(prod, "NetworkPolicy", "comments-api-egress")["spec"]["egress"].append(
        {"ports": [{"port": 443, "protocol": "TCP"}]}
    )
    assert any("must allow only DNS and PostgreSQL" in e for e in check_prod(prod, rendered, anchors))


def test_missing_default_deny_fails(prod, rendered, anchors):
    prod.remove(find(prod, "NetworkPolicy", "default-deny-all"))
    assert "NetworkPolicy/default-deny-all must select every pod and deny ingress and egress" in check_prod(
        prod, rendered, anchors
    )
