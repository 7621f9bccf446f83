"""The PostSync smoke Job as the cluster runs it: hook kind, replacement, identity, image, and what the
NetworkPolicies let it reach. Each test breaks one thing in a copy and expects the check to name it."""

import copy

import pytest
from k8s_helpers import edit

from tools.k8s.manifests import documents, kustomize
from tools.k8s.reachability import Pod, can_connect
from tools.k8s.smoke_hook import check_smoke_hook

OVERLAYS = ["environments/dev/gke", "environments/prod/eks"]


def render(root, overlay):
    from pathlib import Path

    return documents(kustomize(root, Path(overlay)))


@pytest.fixture(scope="module")
def rendered():
    from k8s_helpers import REPO

    return {overlay: render(REPO, overlay) for overlay in OVERLAYS}


def find(objs, kind, name):
    return next(o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_rendered_hook_passes(rendered, overlay):
    assert check_smoke_hook(rendered[overlay]) == []


def broken(rendered, change):
    objs = copy.deepcopy(rendered["environments/dev/gke"])
    change(objs)
    return check_smoke_hook(objs)


def test_a_presync_or_undeleted_hook_is_refused(rendered):
    def presync(objs):
        find(objs, "Job", "comments-api-smoke")["metadata"]["annotations"]["argocd.argoproj.io/hook"] = "PreSync"

    assert any("must be an Argo CD PostSync hook" in e for e in broken(rendered, presync))

    def kept(objs):
        del find(objs, "Job", "comments-api-smoke")["metadata"]["annotations"]["argocd.argoproj.io/hook-delete-policy"]

    assert any("hook-delete-policy must be BeforeHookCreation" in e for e in broken(rendered, kept))


def test_the_service_identity_or_a_token_is_refused(rendered):
    def borrowed(objs):
        find(objs, "Job", "comments-api-smoke")["spec"]["template"]["spec"]["serviceAccountName"] = "comments-api"

    assert any("must run as its own rendered ServiceAccount" in e for e in broken(rendered, borrowed))

    def token(objs):
        find(objs, "ServiceAccount", "comments-api-smoke")["automountServiceAccountToken"] = True

    assert any("no service-account token" in e for e in broken(rendered, token))


def test_another_image_is_refused(rendered):
    def other(objs):
        job = find(objs, "Job", "comments-api-smoke")
        job["spec"]["template"]["spec"]["containers"][0]["image"] = "curlimages/curl:8.10.1"

    assert any("must run the Deployment's own image" in e for e in broken(rendered, other))


def test_a_wrong_port_or_host_is_refused(rendered):
    def port(objs):
        find(objs, "Job", "comments-api-smoke")["spec"]["template"]["spec"]["containers"][0]["args"][3] = (
            "http://comments-api:9091"
        )

    assert any("the Service has no port 9091" in e for e in broken(rendered, port))

    def host(objs):
        find(objs, "Job", "comments-api-smoke")["spec"]["template"]["spec"]["containers"][0]["args"][1] = (
            "http://localhost:8080"
        )

    assert any("does not name the Service comments-api" in e for e in broken(rendered, host))


def test_missing_network_paths_are_refused(scratch_tree):
    # In a copy of the tree: without the API's ingress from the smoke pods, both ports are blocked.
    text = (scratch_tree / "environments/base/smoke-job.yaml").read_text()
    cut = text[: text.index("---\n# The API pods accept the smoke pods")]
    (scratch_tree / "environments/base/smoke-job.yaml").write_text(cut)
    errors = check_smoke_hook(render(scratch_tree, "environments/dev/eks"))
    assert (
        "Job/comments-api-smoke: the NetworkPolicies block the smoke pod from the API pods' port 8080 (/api)" in errors
    )
    assert (
        "Job/comments-api-smoke: the NetworkPolicies block the smoke pod from the API pods' port 9090 (/readyz)"
        in errors
    )


def test_egress_beyond_the_service_is_refused(scratch_tree):
    edit(
        scratch_tree / "environments/base/smoke-job.yaml",
        """        - port: admin
          protocol: TCP
---
# The API pods""",
        """        - port: admin
          protocol: TCP
    - ports:
        - port: 5432
---
# The API pods""",
    )
    errors = check_smoke_hook(render(scratch_tree, "environments/dev/eks"))
    assert "Job/comments-api-smoke: the smoke pod can reach port 5432; it needs only the Service" in errors


def test_reachability_model_follows_networkpolicy_semantics():
    a, b = Pod("a", {"app": "a"}, {"web": 80}), Pod("b", {"app": "b"}, {"web": 80})
    deny = {
        "kind": "NetworkPolicy",
        "metadata": {"name": "d"},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
    }
    assert can_connect([], a, b, 80)  # no policy: allowed
    assert not can_connect([deny], a, b, 80)
    out = {
        "kind": "NetworkPolicy",
        "metadata": {"name": "o"},
        "spec": {
            "podSelector": {"matchLabels": {"app": "a"}},
            "policyTypes": ["Egress"],
            "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "b"}}}], "ports": [{"port": "web"}]}],
        },
    }
    into = {
        "kind": "NetworkPolicy",
        "metadata": {"name": "i"},
        "spec": {
            "podSelector": {"matchLabels": {"app": "b"}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {"from": [{"podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["a"]}]}}]}
            ],
        },
    }
    assert not can_connect([deny, out], a, b, 80)  # egress alone is not enough
    assert can_connect([deny, out, into], a, b, 80)
    assert not can_connect([deny, out, into], a, b, 81)  # the named port resolves to 80 only
    assert not can_connect([deny, out, into], a, Pod("b", {"app": "b"}, {"web": 80}, namespace="other"), 80)


@pytest.fixture
def scratch_tree(repo):
    return repo
