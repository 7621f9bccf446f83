"""The policy scan sees the resources written here (trivy) and the inputs given to registry
modules, which trivy cannot download offline (module_policy)."""

import pytest
from infra_tree import Tree

OPEN_SECURITY_GROUPS = {
    "aws ingress rule": (
        "modules/rds/main.tf",
        'resource "aws_vpc_security_group_ingress_rule" "anyone" {\n'
        "  security_group_id = aws_security_group.database.id\n"
        '  description       = "PostgreSQL from anywhere"\n'
        '  ip_protocol       = "tcp"\n'
        "  from_port         = 5432\n"
        "  to_port           = 5432\n"
        '  cidr_ipv4         = "0.0.0.0/0"\n'
        "}\n",
    ),
    "aws inline ingress": (
        "modules/rds/main.tf",
        'resource "aws_security_group" "open" {\n'
        '  name        = "open"\n'
        '  description = "open"\n'
        "  vpc_id      = var.vpc_id\n"
        "  ingress {\n"
        '    description = "ssh"\n'
        "    from_port   = 22\n"
        "    to_port     = 22\n"
        '    protocol    = "tcp"\n'
        '    cidr_blocks = ["0.0.0.0/0"]\n'
        "  }\n"
        "}\n",
    ),
    "gcp firewall": (
        "modules/gcp-network/main.tf",
        'resource "google_compute_firewall" "anyone" {\n'
        "  project       = var.project_id\n"
        '  name          = "${var.name}-anyone"\n'
        "  network       = module.vpc.network_name\n"
        '  source_ranges = ["0.0.0.0/0"]\n'
        "  allow {\n"
        '    protocol = "tcp"\n'
        '    ports    = ["22"]\n'
        "  }\n"
        "}\n",
    ),
}

PUBLIC_DATABASES = {
    "rds instance": (
        "modules/rds/main.tf",
        'resource "aws_db_instance" "public" {\n'
        '  identifier          = "${var.identifier}-public"\n'
        '  engine              = "postgres"\n'
        '  instance_class      = "db.t4g.micro"\n'
        "  allocated_storage   = 20\n"
        "  storage_encrypted   = true\n"
        "  publicly_accessible = true\n"
        "}\n",
    ),
    "cloud sql instance": (
        "modules/cloud-sql/main.tf",
        'resource "google_sql_database_instance" "public" {\n'
        "  project          = var.project_id\n"
        '  name             = "${var.name}-public"\n'
        "  region           = var.region\n"
        '  database_version = "POSTGRES_17"\n'
        "  settings {\n"
        '    tier = "db-g1-small"\n'
        "    ip_configuration {\n"
        "      ipv4_enabled = true\n"
        "      authorized_networks {\n"
        '        name  = "anyone"\n'
        '        value = "0.0.0.0/0"\n'
        "      }\n"
        "    }\n"
        "  }\n"
        "}\n",
    ),
}


@pytest.mark.parametrize("case", ["aws inline ingress", "gcp firewall"])
def test_an_open_security_group_fails_the_trivy_scan(tree: Tree, case: str):
    file, resource = OPEN_SECURITY_GROUPS[case]
    tree.append(file, resource)
    result = tree.check("trivy")
    assert result.code == 1, result.output
    assert "[trivy]" in result.output
    assert any(severity in result.output for severity in ("HIGH, refused", "CRITICAL, refused")), result.output


@pytest.mark.parametrize("case", sorted(OPEN_SECURITY_GROUPS))
def test_an_open_ingress_on_any_port_fails_the_repository_policy(tree: Tree, case: str):
    # trivy 0.76 flags open ingress on SSH/RDP only; 5432 open to the world must still fail.
    file, resource = OPEN_SECURITY_GROUPS[case]
    tree.append(file, resource)
    result = tree.check()
    assert result.code == 1, result.output
    assert "[public-exposure]" in result.output
    assert "admits the whole internet" in result.output


@pytest.mark.parametrize("case", sorted(PUBLIC_DATABASES))
def test_a_publicly_accessible_database_fails_the_trivy_scan(tree: Tree, case: str):
    file, resource = PUBLIC_DATABASES[case]
    tree.append(file, resource)
    result = tree.check("trivy")
    assert result.code == 1, result.output
    assert any(severity in result.output for severity in ("HIGH, refused", "CRITICAL, refused")), result.output


@pytest.mark.parametrize("case", sorted(PUBLIC_DATABASES))
def test_a_publicly_accessible_database_fails_the_repository_policy(tree: Tree, case: str):
    file, resource = PUBLIC_DATABASES[case]
    tree.append(file, resource)
    result = tree.check("module-policy")
    assert result.code == 1, result.output
    assert "makes the database public" in result.output


def test_a_public_database_through_a_registry_module_input_fails(tree: Tree):
    tree.edit("modules/rds/main.tf", "publicly_accessible    = false", "publicly_accessible    = true")
    result = tree.check("module-policy")
    assert result.code == 1
    assert '[public-exposure] module "postgres": publicly_accessible = true makes the database public' in result.output


def test_a_public_cloud_sql_ip_through_a_registry_module_input_fails(tree: Tree):
    tree.edit("modules/cloud-sql/main.tf", "ipv4_enabled        = false", "ipv4_enabled        = true")
    result = tree.check("module-policy")
    assert result.code == 1
    assert "ip_configuration.ipv4_enabled = true" in result.output


def test_an_open_cidr_in_an_example_tfvars_fails(tree: Tree):
    tree.edit("environments/dev/aws/terraform.tfvars.example", '["203.0.113.0/24"]', '["0.0.0.0/0"]')
    result = tree.check("module-policy")
    assert result.code == 1
    assert "api_public_access_cidrs allows the whole internet" in result.output


def test_a_secret_in_an_output_fails(tree: Tree):
    tree.append(
        "modules/rds/outputs.tf",
        'output "master_password" {\n  value     = module.postgres.db_instance_password\n  sensitive = true\n}\n',
    )
    result = tree.check("module-policy")
    assert result.code == 1
    assert '[secret-output] output "master_password"' in result.output


def test_a_low_finding_without_an_inline_reason_fails(tree: Tree):
    tree.edit("modules/ecr/main.tf", "#trivy:ignore:AVD-AWS-0033 ", "# no longer ignored: ")
    result = tree.check("trivy")
    assert result.code == 1
    assert "AWS-0033 (LOW, not accepted inline with a reason)" in result.output


def test_an_inline_ignore_without_a_reason_fails(tree: Tree):
    text = (tree.root / "modules/ecr/main.tf").read_text()
    reason = text.split("#trivy:ignore:AVD-AWS-0033", 1)[1].split("\n", 1)[0]
    tree.edit("modules/ecr/main.tf", reason, "")
    result = tree.check("trivy")
    assert result.code == 1
    assert "[trivy-ignore] ignore of AVD-AWS-0033 gives no reason" in result.output


@pytest.mark.parametrize(
    ("path", "old", "new", "message"),
    [
        (
            "modules/ecr/main.tf",
            '"ecr:DescribeImages",\n      "ecr:GetDownloadUrlForLayer",\n    ]\n    principals',
            '"ecr:DescribeImages",\n      "ecr:GetDownloadUrlForLayer",\n      "ecr:PutImage",\n    ]\n    principals',
            "modules/ecr/main.tf:52: [read-only-grant] aws_iam_policy_document.cross_account_pull: read-only grant allows ecr:PutImage",
        ),
        (
            "modules/aws-ci-identity/main.tf",
            'sid = "PullFromPreviousEnvironment"\n    actions = [',
            'sid = "PullFromPreviousEnvironment"\n    actions = [\n      "ecr:*",',
            "aws_iam_policy_document.pull_source: read-only grant allows ecr:*",
        ),
        (
            "modules/gcp-ci-identity/main.tf",
            'role       = "roles/artifactregistry.reader"',
            'role       = "roles/artifactregistry.writer"',
            "google_artifact_registry_repository_iam_member.pull_source: read-only grant has role roles/artifactregistry.writer",
        ),
    ],
)
def test_a_cross_environment_registry_grant_that_writes_fails(tree: Tree, path: str, old: str, new: str, message: str):
    tree.edit(path, old, new)
    result = tree.check("module-policy")
    assert result.code == 1, result.output
    assert message in result.output, result.output
