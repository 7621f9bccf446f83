"""End to end: `just validate` passes on the repository and fails on each kind of breakage (issue 5)."""

from k8s_helpers import edit, validate

DIGEST = "sha256:" + "0123456789abcdef" * 4


def test_repository_passes(repo):
    run = validate(repo)
    assert run.returncode == 0, run.stderr
    assert "0 without a schema" in run.stdout
    assert "invariants: 6 overlays, 0 problems" in run.stdout
    assert (repo / "out/rendered/prod-eks.yaml").is_file()
    assert len(list((repo / "out/rendered").glob("*.yaml"))) == 7


def test_broken_overlay_fails(repo):
    edit(repo / "environments/staging/eks/kustomization.yaml", "  - cluster-values.yaml\n", "  - cluster-valuez.yaml\n")
    run = validate(repo)
    assert run.returncode == 1
    assert "environments/staging/eks: kustomize failed" in run.stderr


def test_tag_only_image_fails(repo):
    edit(repo / "environments/prod/version/kustomization.yaml", f"digest: {DIGEST}", 'newTag: "1.4.2"')
    run = validate(repo)
    assert run.returncode == 1
    assert "environments/prod/version/kustomization.yaml: the version pin must be `digest: sha256:<64 hex>`" in run.stderr
    assert "prod-gke: Deployment/comments-api container comments-api: image 'europe-west1-docker.pkg.dev/comments-prod-123456/comments/comments-api:1.4.2' is not pinned by digest" in run.stderr


def test_missing_probe_fails(repo):
    path = repo / "environments/base/deployment.yaml"
    text = path.read_text()
    start = text.index("          readinessProbe:")
    end = text.index("          resources:")
    path.write_text(text[:start] + text[end:])
    run = validate(repo)
    assert run.returncode == 1
    assert "dev-gke: Deployment/comments-api: readinessProbe missing" in run.stderr


def test_applicationset_path_to_missing_overlay_fails(repo):
    edit(repo / "argocd/applicationsets/comments-api.yaml",
         'path: "environments/{{.metadata.labels.environment}}/{{.metadata.labels.cloud}}"',
         'path: "environments/{{.metadata.labels.environment}}/{{.metadata.labels.cloud}}-cluster"')
    run = validate(repo)
    assert run.returncode == 1
    assert "environment=prod cloud=eks: path environments/prod/eks-cluster is not an overlay in the repository" in run.stderr


def test_high_policy_finding_fails(repo):
    # Nothing but the policy scan looks at hostNetwork: this proves the trivy step itself can fail.
    edit(repo / "environments/base/migrate-job.yaml", "      restartPolicy: Never\n",
         "      restartPolicy: Never\n      hostNetwork: true\n")
    run = validate(repo)
    assert run.returncode == 1
    assert "policy: " in run.stderr and " HIGH " in run.stderr


def test_schema_error_in_overlay_fails(repo):
    edit(repo / "environments/base/hpa.yaml", "  minReplicas: 2\n", "  minReplicas: 2\n  minReplica: 2\n")
    run = validate(repo)
    assert run.returncode == 1
    assert "HorizontalPodAutoscaler/comments-api: spec: Additional properties are not allowed ('minReplica' was unexpected)" in run.stderr


def test_missing_kubernetes_version_fails(repo):
    (repo / "environments/kubernetes-version.txt").unlink()
    run = validate(repo)
    assert run.returncode == 1
    assert "kubernetes-version.txt is missing" in run.stderr
