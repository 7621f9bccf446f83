"""The Argo CD notifications config must post exactly what the promotion gate reads: each test breaks
one thing in a copy of the rendered bootstrap and expects the check to name it."""

import copy
from pathlib import Path

import pytest
import yaml
from k8s_helpers import REPO

from tools.k8s import notifications
from tools.k8s.manifests import documents, kustomize


@pytest.fixture(scope="module")
def bootstrap():
    return documents(kustomize(REPO, Path("argocd/bootstrap")))


def data(objs):
    return next(o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "argocd-notifications-cm")[
        "data"
    ]


def mutated(bootstrap, key, old, new):
    objs = copy.deepcopy(bootstrap)
    assert old in data(objs)[key], (key, old)
    data(objs)[key] = data(objs)[key].replace(old, new)
    return notifications.check(objs)


def test_the_rendered_config_passes(bootstrap):
    assert notifications.check(bootstrap) == []


@pytest.mark.parametrize(
    "key, old, new, expected",
    [
        (
            "template.deploy-status-success",
            "smoke passed",
            "smoke ok",
            "deploy-status-success message must say 'smoke passed'",
        ),
        (
            "template.deploy-status-success",
            "Job/comments-api-smoke/Succeeded",
            "Job/smoke/Succeeded",
            "must test the smoke Job's outcome",
        ),
        (
            "template.deploy-status-failed",
            "smoke failed",
            "smoke broke",
            "deploy-status-failed message must say 'smoke failed'",
        ),
        (
            "template.deploy-status-degraded",
            "state: failure",
            "state: success",
            "deploy-status-degraded must post state failure",
        ),
        (
            "template.deploy-status-success",
            "deploy/{{index",
            "argocd/{{index",
            "must post state success with context deploy/",
        ),
        ("template.deploy-status-degraded", 'regexFind "sha256:[0-9a-f]{64}"', 'regexFind "sha256"', "name the digest"),
        (
            "service.github",
            "$github-privateKey",
            "-----BEGIN RSA PRIVATE KEY-----",
            "privateKey must reference argocd-notifications-secret",
        ),
        (
            "trigger.on-deployed-verified",
            "app.status.health.status == 'Healthy' and ",
            "",
            "require a Succeeded sync and a Healthy app",
        ),
    ],
)
def test_drift_from_the_gate_is_refused(bootstrap, key, old, new, expected):
    errors = mutated(bootstrap, key, old, new)
    assert any(expected in e for e in errors), errors


def annotated(bootstrap, old, new):
    objs = copy.deepcopy(bootstrap)
    appset = next(o for o in objs if o["kind"] == "ApplicationSet" and o["metadata"]["name"] == "comments-api")
    notes = appset["spec"]["template"]["metadata"]["annotations"]
    notes[new] = notes.pop(old)
    return notifications.check(objs)


def test_the_applications_must_subscribe_to_defined_triggers(bootstrap):
    key = "notifications.argoproj.io/subscribe.{}.github"
    errors = annotated(bootstrap, key.format("on-deployed-verified"), key.format("on-deployed"))
    assert any("subscribes to trigger on-deployed, which" in e for e in errors), errors
    assert any("deploy-status-success must exist and be sent" in e for e in errors), errors
    errors = annotated(
        bootstrap, key.format("on-degraded-report"), key.format("on-degraded-report").replace(".github", ".slack")
    )
    assert any("deploy-status-degraded must exist and be sent" in e for e in errors), errors


def test_the_configmap_must_be_rendered(bootstrap):
    objs = [o for o in bootstrap if o["kind"] != "ConfigMap"]
    assert notifications.check(objs) == [
        "argocd: ConfigMap/argocd-notifications-cm is not rendered by argocd/bootstrap"
    ]


def test_the_gate_words_are_the_templates_words():
    # evidence.judge classifies by these words: a rename in one place must show up in the other.
    from tools.k8s.evidence import DEGRADED, SMOKE_FAILED, SMOKE_PASSED

    text = (REPO / "argocd/bootstrap/notifications.yaml").read_text()
    cm = yaml.safe_load(text)
    for word, template in ((SMOKE_PASSED, "success"), (SMOKE_FAILED, "failed"), (DEGRADED, "degraded")):
        assert word in cm["data"][f"template.deploy-status-{template}"]
