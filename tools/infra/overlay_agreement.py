"""The facts the Kubernetes overlays and the Terraform roots both state must agree, per environment.

An overlay's `cluster-values.yaml` and `images:` repeat what its Terraform root creates (the
overlays cannot read Terraform state offline), so this check compares them:
- GKE: the NetworkPolicy's database range is the root's pinned private services range; the
  project is the root's example project; the image is `<region>-docker.pkg.dev/<project>/<repo>/
  comments-api` with `<repo>` the artifact-registry module's default;
- EKS: VPC and database ranges are the root's VPC and the block modules/aws-vpc puts the database
  subnets in; the image is `<account>.dkr.ecr.<region>.amazonaws.com/<ecr repository>`; the
  certificate lives in that account and region;
- one project and one account per environment (no two environments share one);
- promotion chain: staging/prod read exactly the previous environment's registry, and only the
  next environment's CI role reads dev's/staging's ECR repository.
"""

from __future__ import annotations

import ipaddress
from itertools import pairwise
from pathlib import Path

import yaml

from tools.environments import ENVIRONMENTS

from .layout import Finding, parse_file, rel, unquote

CHECK = "overlay-agreement"
IMAGE = "comments-api"


def _tf_value(value):
    if isinstance(value, str):
        return unquote(value)
    if isinstance(value, dict):
        return {k: _tf_value(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [_tf_value(v) for v in value]
    return value


def _tfvars(path: Path) -> dict:
    return _tf_value(parse_file(path))


def _module_args(main_tf: Path, name: str = "platform") -> dict:
    for block in parse_file(main_tf).get("module", []):
        if f'"{name}"' in block:
            return _tf_value(block[f'"{name}"'])
    return {}


def _variable_default(module_dir: Path, variable: str) -> str | None:
    for block in parse_file(module_dir / "variables.tf").get("variable", []):
        body = block.get(f'"{variable}"')
        if body is not None:
            return _tf_value(body.get("default"))
    return None


def _overlay(root: Path, env: str, cloud: str) -> tuple[dict, str | None]:
    directory = root / "environments" / env / cloud
    values = yaml.safe_load((directory / "cluster-values.yaml").read_text())["data"]
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    names = [i.get("newName") for i in kustomization.get("images", []) if i.get("name") == IMAGE]
    return values, (names[0] if names else None)


def aws_database_block(vpc_cidr: str) -> str:
    """modules/aws-vpc: cidrsubnet(cidrsubnet(vpc, 2, 3), 1, 1), the upper half of the last quarter."""
    return _last_quarter_half(vpc_cidr, 1)


def aws_public_block(vpc_cidr: str) -> str:
    """modules/aws-vpc: cidrsubnet(cidrsubnet(vpc, 2, 3), 1, 0), the lower half of the last quarter."""
    return _last_quarter_half(vpc_cidr, 0)


def _last_quarter_half(vpc_cidr: str, half: int) -> str:
    last_quarter = list(ipaddress.ip_network(vpc_cidr).subnets(prefixlen_diff=2))[3]
    return str(list(last_quarter.subnets(prefixlen_diff=1))[half])


class _Checker:
    def __init__(self, root: Path):
        self.root = root
        self.findings: list[Finding] = []

    def expect(self, where: Path, what: str, overlay_value, terraform_value, source: str) -> None:
        if overlay_value != terraform_value:
            self.findings.append(
                Finding(
                    CHECK, rel(where, self.root), f"{what} is {overlay_value!r}, but {source} says {terraform_value!r}"
                )
            )

    def gke(self, env: str, repository_id: str) -> str:
        tf_root = self.root / "environments" / env / "gcp"
        tfvars = _tfvars(tf_root / "terraform.tfvars.example")
        cidrs = _module_args(tf_root / "main.tf").get("network_cidrs", {})
        values, image = _overlay(self.root, env, "gke")
        where = self.root / "environments" / env / "gke" / "cluster-values.yaml"
        project, region = tfvars.get("project_id"), tfvars.get("region")
        self.expect(
            where,
            "databaseCidr",
            values.get("databaseCidr"),
            cidrs.get("private_services"),
            f"{rel(tf_root, self.root)}/main.tf network_cidrs.private_services",
        )
        self.expect(
            where,
            "gcpProject",
            values.get("gcpProject"),
            project,
            f"{rel(tf_root, self.root)}/terraform.tfvars.example",
        )
        self.expect(
            where,
            "gcpServiceAccount",
            values.get("gcpServiceAccount"),
            f"comments-api@{project}.iam.gserviceaccount.com",
            "the example project",
        )
        self.expect(
            where.with_name("kustomization.yaml"),
            "the comments-api image",
            image,
            f"{region}-docker.pkg.dev/{project}/{repository_id}/{IMAGE}",
            "the example project and modules/artifact-registry's repository_id",
        )
        return project

    def eks(self, env: str, repository_name: str) -> tuple[str, str]:
        tf_root = self.root / "environments" / env / "aws"
        tfvars = _tfvars(tf_root / "terraform.tfvars.example")
        vpc_cidr = _module_args(tf_root / "main.tf").get("vpc_cidr")
        values, image = _overlay(self.root, env, "eks")
        where = self.root / "environments" / env / "eks" / "cluster-values.yaml"
        account, region = tfvars.get("account_id"), tfvars.get("region")
        self.expect(where, "vpcCidr", values.get("vpcCidr"), vpc_cidr, f"{rel(tf_root, self.root)}/main.tf vpc_cidr")
        if vpc_cidr:
            self.expect(
                where,
                "databaseCidr",
                values.get("databaseCidr"),
                aws_database_block(vpc_cidr),
                "modules/aws-vpc's database block of that VPC",
            )
            self.expect(
                where,
                "loadBalancerCidr",
                values.get("loadBalancerCidr"),
                aws_public_block(vpc_cidr),
                "modules/aws-vpc's public block of that VPC",
            )
        self.expect(
            where, "awsRegion", values.get("awsRegion"), region, f"{rel(tf_root, self.root)}/terraform.tfvars.example"
        )
        arn = str(values.get("certificateArn", "")).split(":")
        self.expect(where, "certificateArn's region and account", arn[3:5], [region, account], "the example account")
        self.expect(
            where.with_name("kustomization.yaml"),
            "the comments-api image",
            image,
            f"{account}.dkr.ecr.{region}.amazonaws.com/{repository_name}",
            "the example account and modules/ecr",
        )
        return account, region

    def distinct(self, kind: str, by_env: dict[str, str]) -> None:
        seen: dict[str, str] = {}
        for env, value in by_env.items():
            if value in seen:
                self.findings.append(
                    Finding(
                        CHECK, f"environments/{env}", f"{kind} {value!r} is also {seen[value]}'s: one per environment"
                    )
                )
            seen.setdefault(value, env)

    def chain(self, projects: dict, accounts: dict, repository_id: str, repository_name: str) -> None:
        for previous, env in pairwise(ENVIRONMENTS):
            gcp = self.root / "environments" / env / "gcp" / "terraform.tfvars.example"
            prev_region = _tfvars(self.root / "environments" / previous / "gcp" / "terraform.tfvars.example").get(
                "region"
            )
            self.expect(
                gcp,
                "source_registry",
                _tfvars(gcp).get("source_registry"),
                {"project_id": projects[previous], "location": prev_region, "repository_id": repository_id},
                f"{previous}'s registry",
            )
            aws = self.root / "environments" / env / "aws" / "terraform.tfvars.example"
            account, region = accounts[previous]
            self.expect(
                aws,
                "source_registry_arn",
                _tfvars(aws).get("source_registry_arn"),
                f"arn:aws:ecr:{region}:{account}:repository/{repository_name}",
                f"{previous}'s registry",
            )
            readers = self.root / "environments" / previous / "aws" / "terraform.tfvars.example"
            self.expect(
                readers,
                "registry_reader_role_arns",
                _tfvars(readers).get("registry_reader_role_arns", []),
                [f"arn:aws:iam::{accounts[env][0]}:role/comments-ci-{env}"],
                f"{env}'s CI role (modules/aws-ci-identity)",
            )
        for first in ENVIRONMENTS[:1]:
            for cloud, key in (("gcp", "source_registry"), ("aws", "source_registry_arn")):
                path = self.root / "environments" / first / cloud / "terraform.tfvars.example"
                self.expect(
                    path, key, _tfvars(path).get(key), None, "the release (the first environment copies from nowhere)"
                )
        last = self.root / "environments" / ENVIRONMENTS[-1] / "aws" / "terraform.tfvars.example"
        self.expect(
            last,
            "registry_reader_role_arns",
            _tfvars(last).get("registry_reader_role_arns", []),
            [],
            "the decision that only prod reads prod's registry",
        )


def check(root: Path) -> tuple[list[Finding], int]:
    checker = _Checker(root)
    repository_id = _variable_default(root / "modules" / "artifact-registry", "repository_id")
    repository_name = _variable_default(root / "modules" / "ecr", "repository_name")
    projects = {env: checker.gke(env, repository_id) for env in ENVIRONMENTS}
    accounts = {env: checker.eks(env, repository_name) for env in ENVIRONMENTS}
    checker.distinct("GCP project", projects)
    checker.distinct("AWS account", {env: account for env, (account, _) in accounts.items()})
    checker.chain(projects, accounts, repository_id, repository_name)
    return checker.findings, 2 * len(ENVIRONMENTS)
