"""Signatures at admission, proven offline: each test breaks one thing in a copy of the tree and expects
the image-policy check to name it (the identity is run against subjects it must admit and refuse)."""

from pathlib import Path

import pytest
from k8s_helpers import edit

from tools.k8s import image_policy
from tools.k8s.layout import kubernetes_minor
from tools.k8s.manifests import documents, kustomize

POLICY = "argocd/image-policy/clusterimagepolicy.yaml"


def check(root):
    overlays = {
        name: documents(kustomize(root, Path(f"environments/{name.replace('-', '/')}")))
        for name in ("dev-gke", "prod-eks")
    }
    return image_policy.check(root, kubernetes_minor(root), overlays)


def test_the_policy_passes(repo):
    assert check(repo) == []


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (
            "refs/tags/v[0-9]+",
            "refs/[a-z]+/v[0-9]+",
            "also admits https://github.com/example-org/comments-platform/.github/workflows/release.yml@refs/heads/v1.2.3",
        ),
        (
            "[0-9]+$",
            "[0-9]+",
            "also admits https://github.com/example-org/comments-platform/.github/workflows/release.yml@refs/tags/v1.2.3-rc.1",
        ),
        (
            "refs/tags/v[0-9]+",
            "refs/tags/.*",
            "also admits https://github.com/example-org/comments-platform/.github/workflows/release.yml@refs/tags/x1.2.3",
        ),
        ('"^https://github', '"https://github', "also admits xhttps://github.com"),
        (
            "workflows/release\\\\.yml",
            "workflows/.*",
            "also admits https://github.com/example-org/comments-platform/.github/workflows/pr.yml",
        ),
        (
            "example-org/comments-platform/",
            "other-org/comments-platform/",
            "does not admit the release workflow where it runs",
        ),
        (
            "issuer: https://token.actions.githubusercontent.com",
            "issuer: https://accounts.google.com",
            "the issuer must be exactly",
        ),
        ('    - glob: "*.dkr.ecr.*.amazonaws.com/comments-api**"\n', "", "prod-eks: image 777788889999.dkr.ecr"),
        ("  authorities:\n", "  mode: warn\n  authorities:\n", "only warns; it must enforce"),
        (
            "        url: https://fulcio.sigstore.dev\n",
            "        url: https://fulcio.sigstore.dev\n        unknownField: true\n",
            "unknownField",
        ),
    ],
)
def test_a_weakened_or_wrong_policy_is_refused(repo, old, new, expected):
    edit(repo / POLICY, old, new)
    errors = check(repo)
    assert any(expected in e for e in errors), errors


def test_a_static_pass_is_refused(repo):
    edit(
        repo / POLICY,
        "    - name: release-workflow-on-a-version-tag\n",
        "    - name: anything\n      static:\n        action: pass\n    - name: release-workflow-on-a-version-tag\n",
    )
    assert any("must be keyless (no static pass, no key)" in e for e in check(repo))


def test_the_namespace_must_opt_in(repo):
    edit(
        repo / "environments/base/namespace.yaml",
        'policy.sigstore.dev/include: "true"',
        'policy.sigstore.dev/include: "false"',
    )
    assert any("Namespace/comments must carry policy.sigstore.dev/include=true" in e for e in check(repo))


def test_the_policy_follows_the_release_trigger(repo):
    """release.yml moved back to pushes on main: the tag-only policy would refuse every released image."""
    edit(repo / ".github/workflows/release.yml", 'tags: ["v[0-9]+.[0-9]+.[0-9]+"]', "branches: [main]")
    assert any(
        "does not admit the release workflow where it runs "
        "(https://github.com/example-org/comments-platform/.github/workflows/release.yml@refs/heads/main)" in e
        for e in check(repo)
    ), check(repo)
