"""The overlays and the Terraform roots state the same per-environment facts (ranges, projects,
accounts, registries, the promotion chain); each disagreement is found and named."""

import pytest
from infra_tree import Tree

BREAKAGES = {
    "GKE egress range not the pinned private services range": (
        "environments/dev/gke/cluster-values.yaml",
        "databaseCidr: 10.12.0.0/20",
        "databaseCidr: 10.12.16.0/20",
        "environments/dev/gke/cluster-values.yaml: [overlay-agreement] databaseCidr is '10.12.16.0/20', but "
        "environments/dev/gcp/main.tf network_cidrs.private_services says '10.12.0.0/20'",
    ),
    "private services range moved in Terraform only": (
        "environments/prod/gcp/main.tf",
        'private_services = "10.52.0.0/20"',
        'private_services = "10.52.16.0/20"',
        "environments/prod/gke/cluster-values.yaml: [overlay-agreement] databaseCidr is '10.52.0.0/20'",
    ),
    "EKS egress range not the VPC's database block": (
        "environments/staging/eks/cluster-values.yaml",
        "databaseCidr: 10.120.224.0/19",
        "databaseCidr: 10.120.192.0/19",
        "databaseCidr is '10.120.192.0/19', but modules/aws-vpc's database block of that VPC says '10.120.224.0/19'",
    ),
    "EKS load balancer range not the VPC's public subnets (issue 10: it admitted the whole VPC)": (
        "environments/dev/eks/cluster-values.yaml",
        "loadBalancerCidr: 10.110.192.0/19",
        "loadBalancerCidr: 10.110.0.0/16",
        "loadBalancerCidr is '10.110.0.0/16', but modules/aws-vpc's public block of that VPC says '10.110.192.0/19'",
    ),
    "VPC moved in Terraform only": (
        "environments/prod/aws/main.tf",
        'vpc_cidr           = "10.130.0.0/16"',
        'vpc_cidr           = "10.140.0.0/16"',
        "environments/prod/eks/cluster-values.yaml: [overlay-agreement] vpcCidr is '10.130.0.0/16'",
    ),
    "Artifact Registry repository not the overlays' `comments`": (
        "modules/artifact-registry/variables.tf",
        'default     = "comments"',
        'default     = "comments-api"',
        "europe-west1-docker.pkg.dev/comments-dev-123456/comments-api/comments-api",
    ),
    "two environments in one AWS account": (
        "environments/prod/aws/terraform.tfvars.example",
        'account_id        = "777788889999"',
        'account_id        = "444455556666"',
        "environments/prod: [overlay-agreement] AWS account '444455556666' is also staging's: one per environment",
    ),
    "two environments in one GCP project": (
        "environments/staging/gcp/terraform.tfvars.example",
        'project_id        = "comments-staging-123456"',
        'project_id        = "comments-dev-123456"',
        "environments/staging: [overlay-agreement] GCP project 'comments-dev-123456' is also dev's: one per environment",
    ),
    "EKS image from another account's registry": (
        "environments/staging/eks/kustomization.yaml",
        "newName: 444455556666.dkr.ecr",
        "newName: 111122223333.dkr.ecr",
        "environments/staging/eks/kustomization.yaml: [overlay-agreement] the comments-api image is "
        "'111122223333.dkr.ecr.eu-west-1.amazonaws.com/comments-api'",
    ),
    "prod copies from dev, skipping staging": (
        "environments/prod/gcp/terraform.tfvars.example",
        'project_id    = "comments-staging-123456"',
        'project_id    = "comments-dev-123456"',
        "[overlay-agreement] source_registry is",
    ),
    "staging's ECR source is not dev's": (
        "environments/staging/aws/terraform.tfvars.example",
        "repository/comments-api",
        "repository/comments",
        "environments/staging/aws/terraform.tfvars.example: [overlay-agreement] source_registry_arn is",
    ),
    "someone else may read prod's registry": (
        "environments/prod/aws/terraform.tfvars.example",
        "# One account per environment",
        'registry_reader_role_arns = ["arn:aws:iam::111122223333:role/comments-ci-dev"]\n# One account per environment',
        "registry_reader_role_arns is ['arn:aws:iam::111122223333:role/comments-ci-dev'], but the decision that only prod",
    ),
    "dev's registry readable by a role that is not staging's CI role": (
        "environments/dev/aws/terraform.tfvars.example",
        "role/comments-ci-staging",
        "role/comments-ci-prod",
        "environments/dev/aws/terraform.tfvars.example: [overlay-agreement] registry_reader_role_arns is",
    ),
}


def test_the_repository_agrees(tree: Tree):
    result = tree.check("overlays")
    assert result.code == 0, result.output
    assert "6 overlays compared" in result.output


@pytest.mark.parametrize("name", BREAKAGES)
def test_each_disagreement_is_found(tree: Tree, name: str):
    path, old, new, message = BREAKAGES[name]
    tree.edit(path, old, new)
    result = tree.check("overlays")
    assert result.code == 1, result.output
    assert message in result.output, result.output


@pytest.mark.parametrize(
    ("env", "old_pods"), [("dev", "10.12.0.0/14"), ("staging", "10.32.0.0/14"), ("prod", "10.52.0.0/14")]
)
def test_the_private_services_range_may_not_overlap_the_pods(tree: Tree, env: str, old_pods: str):
    """Why the pods moved: the overlays' database range sits inside each root's former pods /14."""
    tree.edit(f"environments/{env}/gcp/main.tf", 'pods             = "', f'pods             = "{old_pods}" # was "')
    result = tree.check("semantics")
    assert result.code == 1, result.output
    assert "[address-plan]" in result.output and "overlaps" in result.output, result.output
