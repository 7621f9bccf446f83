"""The ApplicationSet gives each (environment, cloud) cluster its own overlay and nothing else."""

import copy
import shutil

import pytest
from k8s_helpers import REPO

from tools.k8s import appset
from tools.k8s.manifests import documents, kustomize


@pytest.fixture(scope="module")
def argocd():
    return documents(kustomize(REPO, "argocd/bootstrap"))


def comments_appset(objs):
    return next(o for o in objs if o["kind"] == "ApplicationSet" and o["metadata"]["name"] == "comments-api")


@pytest.fixture
def objs(argocd):
    return copy.deepcopy(argocd)


def test_repository_mapping_is_exact(argocd):
    assert appset.check(REPO, argocd) == []


def test_selector_admitting_a_cluster_without_overlay_fails(objs):
    comments_appset(objs)["spec"]["generators"][0]["clusters"]["selector"]["matchExpressions"].pop(1)
    errors = appset.check(REPO, objs)
    assert "environment=prod cloud=(unset): an Application is generated for a cluster that has no overlay" in errors
    assert "environment=dev cloud=aks: an Application is generated for a cluster that has no overlay" in errors


def test_selector_missing_a_real_cluster_fails(objs):
    comments_appset(objs)["spec"]["generators"][0]["clusters"]["selector"]["matchExpressions"][0]["values"].remove(
        "staging"
    )
    errors = appset.check(REPO, objs)
    assert "environment=staging cloud=gke: no Application generated for a real cluster" in errors


def test_every_cluster_on_one_overlay_fails(objs):
    comments_appset(objs)["spec"]["template"]["spec"]["source"]["path"] = "environments/dev/gke"
    errors = appset.check(REPO, objs)
    assert (
        "environment=prod cloud=eks: path environments/dev/gke is not this cluster's overlay environments/prod/eks"
        in errors
    )


def test_path_to_missing_overlay_fails(objs):
    comments_appset(objs)["spec"]["template"]["spec"]["source"]["path"] = "overlays/{{.metadata.labels.environment}}"
    assert "environment=dev cloud=gke: path overlays/dev is not an overlay in the repository" in appset.check(
        REPO, objs
    )


def test_wrong_project_fails(objs):
    comments_appset(objs)["spec"]["template"]["spec"]["project"] = "comments-prod"
    assert (
        "environment=dev cloud=eks: project comments-prod is not the rendered AppProject comments-dev"
        in appset.check(REPO, objs)
    )


def test_unknown_template_field_fails(objs):
    comments_appset(objs)["spec"]["template"]["spec"]["source"]["path"] = "environments/{{.metadata.labels.env}}/x"
    assert any("no such field (missingkey=error)" in e for e in appset.check(REPO, objs))


def test_template_logic_is_refused_not_guessed(objs):
    comments_appset(objs)["spec"]["template"]["spec"]["source"]["path"] = (
        "environments/{{ .metadata.labels.environment | lower }}"
    )
    assert any("is more than a field reference" in e for e in appset.check(REPO, objs))


def test_missing_replica_ignore_fails(objs):
    comments_appset(objs)["spec"]["template"]["spec"]["ignoreDifferences"] = []
    assert "ApplicationSet/comments-api: ignoreDifferences must cover Deployment /spec/replicas" in appset.check(
        REPO, objs
    )


def test_unreachable_overlay_fails(objs, tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(REPO / "environments", root / "environments", ignore=shutil.ignore_patterns(".terraform*"))
    shutil.copytree(root / "environments/dev/gke", root / "environments/qa/gke")
    assert "environments/qa/gke: an overlay that no cluster label combination reaches" in appset.check(root, objs)


@pytest.mark.parametrize(
    "selector, labels, expected",
    [
        ({"matchLabels": {"cloud": "eks"}}, {"cloud": "eks"}, True),
        ({"matchLabels": {"cloud": "eks"}}, {"cloud": "gke"}, False),
        ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["x"]}]}, {}, True),
        ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {}, False),
        ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"a": "1"}, False),
        ({}, {"anything": "1"}, True),
    ],
)
def test_selector_semantics(selector, labels, expected):
    assert appset.selector_matches(selector, labels) is expected
