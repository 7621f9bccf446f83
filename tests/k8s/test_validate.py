"""End to end: `just k8s-validate` passes on the repository and fails on each kind of breakage (issue 5).

A full validation takes ~15 s (kubectl, promtool, trivy), so the breakages that leave the rest of the run
going share one broken copy and one run (`broken_everywhere`): each break sits in its own place, so that
none hides another, and each check keeps a test of its own that names what it proves. Breakages that stop
the run early (a kustomize failure, no Kubernetes version) get their own copy."""

import subprocess

import pytest
from k8s_helpers import copy_repo, edit, validate

DIGEST = "sha256:" + "0123456789abcdef" * 4


def test_repository_passes(repo):
    run = validate(repo)
    assert run.returncode == 0, run.stderr
    assert "0 without a schema" in run.stdout
    assert "invariants: 6 overlays, 0 problems" in run.stdout
    assert (repo / "out/rendered/prod-eks.yaml").is_file()
    # six overlays, argocd/bootstrap, and per cluster the Alertmanager receivers and the image policy
    assert len(list((repo / "out/rendered").glob("*.yaml"))) == 19
    assert "sync simulation: 19 Applications, empty cluster and upgrade each, 0 problems" in run.stdout


def test_broken_overlay_fails(repo):
    edit(repo / "environments/staging/eks/kustomization.yaml", "  - cluster-values.yaml\n", "  - cluster-valuez.yaml\n")
    run = validate(repo)
    assert run.returncode == 1
    assert "environments/staging/eks: kustomize failed" in run.stderr


def test_missing_kubernetes_version_fails(repo):
    (repo / "environments/kubernetes-version.txt").unlink()
    run = validate(repo)
    assert run.returncode == 1
    assert "kubernetes-version.txt is missing" in run.stderr


def break_every_check(repo) -> None:
    """One break per check whose failure does not stop the others."""
    # the version pin must be a digest (invariants, then the image reference in the rendered prod overlays)
    edit(repo / "environments/prod/version/kustomization.yaml", f"digest: {DIGEST}", 'newTag: "1.4.2"')
    # invariants: the readiness probe
    path = repo / "environments/base/deployment.yaml"
    text = path.read_text()
    path.write_text(text[: text.index("          readinessProbe:")] + text[text.index("          resources:") :])
    # the ApplicationSet maps clusters to overlays that exist
    edit(
        repo / "argocd/applicationsets/comments-api.yaml",
        'path: "environments/{{.metadata.labels.environment}}/{{.metadata.labels.cloud}}"',
        'path: "environments/{{.metadata.labels.environment}}/{{.metadata.labels.cloud}}-cluster"',
    )
    # trivy flags hostNetwork HIGH: the policy step itself can fail. On GKE only, where the ClusterSecretStore
    # break below already stops the sync simulation before the Job, so its admission check hides nothing.
    edit(
        repo / "environments/components/gke/kustomization.yaml",
        "patches:\n",
        "patches:\n  - target: {kind: Job, name: comments-api-migrate}\n"
        """    patch: '[{"op": "add", "path": "/spec/template/spec/hostNetwork", "value": true}]'\n""",
    )
    # strict schemas
    edit(repo / "environments/base/hpa.yaml", "  minReplicas: 2\n", "  minReplicas: 2\n  minReplica: 2\n")
    # behaviour (issue 10): the sync order, the cluster model, the add-on pins, wiring, network policy, monitoring
    edit(repo / "environments/components/gke/clustersecretstore.yaml", 'sync-wave: "-3"', 'sync-wave: "-1"')
    edit(repo / "modules/eks/main.tf", "    metrics-server = {}\n", "")
    edit(repo / "argocd/addons/charts.yaml", "version: 2.10.0", "version: 2.9.0")
    edit(repo / "environments/base/monitoring/servicemonitor.yaml", "    - port: admin", "    - port: metrics")
    edit(
        repo / "environments/components/eks/kustomization.yaml",
        "fieldPath: data.loadBalancerCidr",
        "fieldPath: data.vpcCidr",
    )
    edit(
        repo / "argocd/applicationsets/addon-kube-prometheus-stack.yaml",
        "            kubeEtcd:\n              enabled: false",
        "            kubeEtcd:\n              enabled: true",
    )


@pytest.fixture(scope="module")
def broken_everywhere(tmp_path_factory) -> subprocess.CompletedProcess:
    repo = copy_repo(tmp_path_factory.mktemp("broken") / "repo")
    break_every_check(repo)
    run = validate(repo)
    assert run.returncode == 1, run.stdout + run.stderr
    return run


def reported(run: subprocess.CompletedProcess, *messages: str) -> None:
    for message in messages:
        assert message in run.stderr, (message, run.stderr)


def test_tag_only_image_fails(broken_everywhere):
    reported(
        broken_everywhere,
        "environments/prod/version/kustomization.yaml: the version pin must be `digest: sha256:<64 hex>`",
        "prod-gke: Deployment/comments-api container comments-api: image "
        "'europe-west1-docker.pkg.dev/comments-prod-123456/comments/comments-api:1.4.2' is not pinned by digest",
    )


def test_missing_probe_fails(broken_everywhere):
    reported(broken_everywhere, "dev-gke: Deployment/comments-api: readinessProbe missing")


def test_applicationset_path_to_missing_overlay_fails(broken_everywhere):
    reported(
        broken_everywhere,
        "environment=prod cloud=eks: path environments/prod/eks-cluster is not an overlay in the repository",
    )


def test_high_policy_finding_fails(broken_everywhere):
    assert any(
        line.startswith("FAIL policy: ") and " HIGH " in line for line in broken_everywhere.stderr.splitlines()
    ), broken_everywhere.stderr


def test_schema_error_in_overlay_fails(broken_everywhere):
    reported(
        broken_everywhere,
        "HorizontalPodAutoscaler/comments-api: spec: Additional properties are not allowed ('minReplica' was unexpected)",
    )


def test_behaviour_checks_fail_end_to_end(broken_everywhere):
    reported(
        broken_everywhere,
        "dev-gke: sync on dev-gke (empty cluster): Sync wave -2: ExternalSecret/comments-api-database never becomes healthy: "
        "its store ClusterSecretStore/comments-api does not exist",
        "prod-eks: sync on prod-eks (empty cluster): Sync wave 0: HorizontalPodAutoscaler/comments-api never becomes healthy: "
        "FailedGetResourceMetric",
        "ApplicationSet/addon-external-secrets: targetRevision '2.10.0' differs from argocd/addons/charts.yaml version '2.9.0'",
        "staging-gke: ServiceMonitor/comments-api: endpoint port 'metrics' is not a named port of Service/comments-api",
        "prod-eks: NetworkPolicy: Deployment/comments-api ingress from node or pod in the private subnet 10.130.0.0/18 on 8080/TCP is allowed",
        "kube-prometheus-stack: kubeEtcd.enabled must be false",
    )
