"""Strict schema validation: built-in kinds via kubernetes-validate, custom resources via the vendored schemas."""

import copy

import pytest
from k8s_helpers import REPO

from tools.k8s import schema_check
from tools.k8s.layout import CheckError, kubernetes_minor
from tools.k8s.manifests import documents, kustomize

MINOR = kubernetes_minor(REPO)


@pytest.fixture(scope="module")
def objs():
    rendered = documents(kustomize(REPO, "environments/prod/gke")) + documents(kustomize(REPO, "argocd/bootstrap"))
    return {(o["kind"], o["metadata"]["name"]): o for o in rendered}


def test_every_rendered_object_is_valid(objs):
    for obj in objs.values():
        assert schema_check.validate(obj, MINOR)[1] == []


def test_unknown_field_in_builtin_kind_fails(objs):
    deploy = copy.deepcopy(objs[("Deployment", "comments-api")])
    deploy["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = {}
    category, errors = schema_check.validate(deploy, MINOR)
    assert category == "built-in"
    assert "'livenessProbes' was unexpected" in errors[0]


@pytest.mark.parametrize(
    "kind, name, path, field",
    [
        ("ExternalSecret", "comments-api-database", ["spec"], "refreshIntervall"),
        ("ClusterSecretStore", "comments-api", ["spec", "provider", "gcpsm"], "project"),
        ("PrometheusRule", "comments-api", ["spec", "groups", 0, "rules", 0], "labelz"),
        ("ServiceMonitor", "comments-api", ["spec", "endpoints", 0], "intervall"),
        ("HTTPRoute", "comments-api", ["spec", "rules", 0], "backends"),
        ("HealthCheckPolicy", "comments-api", ["spec", "default", "config", "httpHealthCheck"], "path"),
        ("ApplicationSet", "comments-api", ["spec", "template", "spec", "syncPolicy"], "automatic"),
        ("AppProject", "comments-prod", ["spec", "syncWindows", 0], "window"),
    ],
)
def test_unknown_field_in_custom_resource_fails(objs, kind, name, path, field):
    obj = copy.deepcopy(objs[(kind, name)])
    node = obj
    for part in path:
        node = node[part]
    node[field] = "x"
    category, errors = schema_check.validate(obj, MINOR)
    assert category == "custom"
    assert any(f"'{field}' was unexpected" in e for e in errors), errors


def test_wrong_type_in_custom_resource_fails(objs):
    obj = copy.deepcopy(objs[("ExternalSecret", "comments-api-database")])
    obj["spec"]["target"]["creationPolicy"] = "Owned"
    assert "is not one of" in schema_check.validate(obj, MINOR)[1][0]


def test_kind_without_schema_fails():
    cert = {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "x"}, "spec": {}}
    category, errors = schema_check.validate(cert, MINOR)
    assert category == "unknown"
    assert "no schema for cert-manager.io/v1 Certificate" in errors[0]


def test_vendored_schemas_are_closed():
    """Every object that lists properties rejects others, unless it preserves unknown fields like upstream."""

    def walk(node, where):
        if isinstance(node, dict):
            if "properties" in node and not node.get("x-kubernetes-preserve-unknown-fields"):
                assert node.get("additionalProperties") is False, where
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    validators = schema_check.vendored()
    assert len(validators) == 11  # + policy.sigstore.dev ClusterImagePolicy
    for key, validator in validators.items():
        walk(validator.schema, str(key))


@pytest.mark.parametrize("minor", ["1.24", "1.99"])
def test_unshipped_kubernetes_version_fails(minor):
    with pytest.raises(CheckError, match=f"ships no strict schemas for Kubernetes {minor}"):
        schema_check.check_builtin_schemas_shipped(minor)


def test_malformed_kubernetes_version_fails(tmp_path):
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments/kubernetes-version.txt").write_text("1.35.2\n")
    with pytest.raises(CheckError, match="must hold a minor"):
        kubernetes_minor(tmp_path)
