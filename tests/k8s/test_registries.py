"""`just image-refs <env>`: the registries come from the environment's overlays, one per environment."""

from pathlib import Path

from k8s_helpers import edit, run_tool


def refs(repo: Path, env: str):
    result = run_tool("registries", "--root", str(repo), env)
    return result, dict(line.split("=", 1) for line in result.stdout.split())


def test_each_environment_has_its_own_registries(repo: Path):
    seen = {}
    for env in ("dev", "staging", "prod"):
        result, got = refs(repo, env)
        assert result.returncode == 0, result.stderr
        assert got["gar-image"] == f"europe-west1-docker.pkg.dev/comments-{env}-123456/comments/comments-api"
        assert got["ecr-registry"] == got["ecr-image"].rsplit("/", 1)[0]
        assert (got["gcp-region"], got["aws-region"]) == ("europe-west1", "eu-west-1")
        seen[env] = (got["gar-image"], got["ecr-image"])
    assert len({image for pair in seen.values() for image in pair}) == 6


def test_an_image_that_is_not_a_registry_path_fails(repo: Path):
    edit(repo / "environments/prod/eks/kustomization.yaml", ".dkr.ecr.eu-west-1.amazonaws.com/", ".example.com/")
    result, _ = refs(repo, "prod")
    assert result.returncode == 1
    assert "prod-eks: '777788889999.example.com/comments-api' is not a ECR image path of comments-api" in result.stderr


def test_an_unknown_environment_fails(repo: Path):
    result, _ = refs(repo, "qa")
    assert result.returncode == 1
    assert "environments are dev, staging, prod; got qa" in result.stderr
