from infra_tree import Tree


def test_an_undeclared_variable_fails(tree: Tree):
    tree.edit("modules/rds/main.tf", "identifier           = var.identifier", "identifier           = var.identifer")
    result = tree.check("semantics")
    assert result.code == 1
    assert "[undeclared-variable] var.identifer is used" in result.output
    assert "modules/rds/main.tf:" in result.output


def test_a_variable_mentioned_only_in_text_is_not_a_reference(tree: Tree):
    tree.edit("modules/ecr/variables.tf", '"ECR repository name."', '"ECR repository name (not var.nothing)."')
    assert tree.check("semantics").code == 0


def test_an_undeclared_local_fails(tree: Tree):
    tree.edit("modules/gcp-ci-identity/main.tf", "(${local.ref_condition})", "(${local.ref_conditions})")
    result = tree.check("semantics")
    assert result.code == 1
    assert "[undeclared-local] local.ref_conditions" in result.output


def test_a_missing_required_module_input_fails(tree: Tree):
    tree.edit("modules/aws-platform/main.tf", "  vpc_id                   = module.network.vpc_id\n", "")
    result = tree.check("semantics")
    assert result.code == 1
    assert (
        '[missing-module-input] module "database" does not pass required input "vpc_id" of modules/rds' in result.output
    )


def test_a_root_missing_a_required_input_fails(tree: Tree):
    tree.edit("environments/staging/gcp/main.tf", '  database_tier              = "db-custom-1-3840"\n', "")
    result = tree.check("semantics")
    assert result.code == 1
    assert "environments/staging/gcp/main.tf:" in result.output
    assert 'required input "database_tier"' in result.output


def test_an_unknown_module_input_fails(tree: Tree):
    tree.edit("environments/dev/gcp/main.tf", "spot_nodes         = true", "spot_nodez         = true")
    result = tree.check("semantics")
    assert result.code == 1
    assert '[unknown-module-input] module "platform" passes "spot_nodez"' in result.output


def test_an_unknown_module_output_fails(tree: Tree):
    tree.edit("modules/aws-platform/main.tf", "module.network.private_subnet_ids", "module.network.private_subnetz")
    result = tree.check("semantics")
    assert result.code == 1
    assert "[unknown-module-output] module.network.private_subnetz" in result.output


def test_a_call_to_an_undeclared_module_fails(tree: Tree):
    tree.edit("environments/dev/aws/outputs.tf", "module.platform.image", "module.plattform.image")
    result = tree.check("semantics")
    assert result.code == 1
    assert "[undeclared-module] module.plattform" in result.output


def test_a_provider_without_version_constraint_fails(tree: Tree):
    tree.edit("modules/argocd-bootstrap/versions.tf", '      version = ">= 3.0, < 4.0"\n', "")
    result = tree.check("semantics")
    assert result.code == 1
    assert '[provider-version] provider "helm" has no version constraint' in result.output


def test_a_resource_of_an_undeclared_provider_fails(tree: Tree):
    tree.append("modules/ecr/main.tf", 'resource "tls_private_key" "signing" {\n  algorithm = "ED25519"\n}\n')
    result = tree.check("semantics")
    assert result.code == 1
    assert 'uses provider "tls", which required_providers does not declare' in result.output


def test_a_missing_required_version_fails(tree: Tree):
    tree.edit("modules/ecr/versions.tf", '  required_version = ">= 1.11"\n', "")
    result = tree.check("semantics")
    assert result.code == 1
    assert "[required-version] required_version is not pinned" in result.output


def test_an_unpinned_registry_module_fails(tree: Tree):
    tree.edit("modules/gke/main.tf", 'version = "~> 37.0"', 'version = ">= 37.0"')
    result = tree.check("semantics")
    assert result.code == 1
    assert '[module-version] registry module "cluster"' in result.output


def test_a_kubernetes_version_out_of_step_with_the_manifests_fails(tree: Tree):
    tree.edit("environments/prod/aws/main.tf", 'kubernetes_version = "', 'kubernetes_version = "0')
    result = tree.check("semantics")
    assert result.code == 1
    assert "[kubernetes-version]" in result.output
    assert "environments/prod/aws/main.tf:" in result.output


def test_a_root_drifting_from_its_siblings_fails(tree: Tree):
    tree.edit("environments/staging/aws/variables.tf", 'default     = "eu-west-1"', 'default     = "us-east-1"')
    result = tree.check("semantics")
    assert result.code == 1
    assert (
        "environments/staging/aws/variables.tf: [root-drift] differs from environments/dev/aws/variables.tf"
        in result.output
    )


def test_a_cidr_that_is_not_a_network_address_fails(tree: Tree):
    tree.edit(
        "environments/staging/gcp/main.tf", 'pods             = "10.36.0.0/14"', 'pods             = "10.38.0.0/14"'
    )
    result = tree.check("semantics")
    assert result.code == 1
    assert "[address-plan] 10.38.0.0/14: 10.38.0.0/14 has host bits set" in result.output


def test_overlapping_ranges_in_a_root_fail(tree: Tree):
    tree.edit("environments/prod/gcp/main.tf", 'services         = "10.51.0.0/20"', 'services         = "10.50.0.0/20"')
    result = tree.check("semantics")
    assert result.code == 1
    assert "[address-plan] 10.50.0.0/20 overlaps 10.50.0.0/20" in result.output


def test_an_s3_backend_without_lockfile_fails(tree: Tree):
    tree.edit("environments/prod/aws/versions.tf", "use_lockfile = true", "use_lockfile = false")
    result = tree.check("semantics")
    assert result.code == 1
    assert "[backend] the s3 backend must set use_lockfile = true" in result.output


def test_a_state_location_shared_with_another_root_fails(tree: Tree):
    tree.edit("environments/staging/gcp/versions.tf", 'prefix = "comments/staging/gcp"', 'prefix = "comments/dev/gcp"')
    result = tree.check("semantics")
    assert result.code == 1
    assert "does not name this root (staging/gcp)" in result.output


def test_an_unused_variable_fails(tree: Tree):
    tree.append(
        "modules/ecr/variables.tf",
        'variable "forgotten" {\n  description = "Declared, never read."\n  type        = string\n  default     = "x"\n}\n',
    )
    result = tree.check("semantics")
    assert result.code == 1
    assert '[unused-variable] variable "forgotten" is declared but never used' in result.output


def test_a_variable_read_only_by_its_own_validation_is_unused(tree: Tree):
    tree.append(
        "modules/ecr/variables.tf",
        'variable "checked" {\n  description = "Validated, never read."\n  type        = number\n  default     = 1\n'
        '  validation {\n    condition     = var.checked > 0\n    error_message = "checked must be positive."\n  }\n}\n',
    )
    result = tree.check("semantics")
    assert result.code == 1
    assert 'variable "checked" is declared but never used' in result.output


def test_an_unused_local_fails(tree: Tree):
    tree.edit("modules/rds/main.tf", "locals {\n", 'locals {\n  leftover = "x"\n')
    result = tree.check("semantics")
    assert result.code == 1
    assert "[unused-local] local.leftover is declared but never used" in result.output


def test_an_untyped_variable_and_an_undescribed_output_fail(tree: Tree):
    tree.edit(
        "modules/ecr/variables.tf",
        '  type        = string\n  default     = "comments-api"',
        '  default     = "comments-api"',
    )
    tree.edit("modules/ecr/outputs.tf", '  description = "ARN of the repository (CI push policy)."\n', "")
    result = tree.check("semantics")
    assert result.code == 1
    assert 'variable "repository_name" has no type' in result.output
    assert 'output "repository_arn" has no description' in result.output
