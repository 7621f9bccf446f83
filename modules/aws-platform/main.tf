# One AWS environment: VPC, EKS, RDS, ECR, the service's identity and the CI identity.
# The Terraform root adds Argo CD on top.

locals {
  name = "comments-${var.environment}"
  tags = { app = "comments", environment = var.environment, managed-by = "terraform" }
}

module "network" {
  source = "../aws-vpc"

  name               = local.name
  cidr               = var.vpc_cidr
  azs                = var.azs
  nat_gateway_per_az = var.nat_gateway_per_az
  tags               = local.tags
}

module "eks" {
  source = "../eks"

  name                = local.name
  kubernetes_version  = var.kubernetes_version
  vpc_id              = module.network.vpc_id
  subnet_ids          = module.network.private_subnet_ids
  public_access_cidrs = var.api_public_access_cidrs
  admin_role_arns     = var.admin_role_arns
  instance_types      = var.node_instance_types
  capacity_type       = var.node_capacity_type
  min_nodes           = var.min_nodes
  max_nodes           = var.max_nodes
  desired_nodes       = var.desired_nodes
  tags                = local.tags
}

module "database" {
  source = "../rds"

  identifier               = local.name
  environment              = var.environment
  vpc_id                   = module.network.vpc_id
  db_subnet_group_name     = module.network.database_subnet_group_name
  client_security_group_id = module.eks.node_security_group_id
  instance_class           = var.database_instance_class
  multi_az                 = var.database_multi_az
  allocated_storage_gb     = var.database_storage_gb
  backup_retention_days    = var.database_backup_retention_days
  deletion_protection      = var.deletion_protection
  password_version         = var.database_password_version
  tags                     = local.tags
}

module "registry" {
  source = "../ecr"

  pull_principal_arns = var.registry_reader_role_arns
  tags                = local.tags
}

module "edge" {
  source = "../aws-edge"

  hostname = var.hostname
  tags     = local.tags
}

module "service_identity" {
  source = "../aws-service-identity"

  cluster_name         = module.eks.cluster_name
  environment          = var.environment
  readable_secret_arns = [module.database.database_url_secret_arn]
  tags                 = local.tags
}

module "ci_identity" {
  source = "../aws-ci-identity"

  environment                = var.environment
  github_repository          = var.github_repository
  existing_oidc_provider_arn = var.existing_github_oidc_provider_arn
  repository_arn             = module.registry.repository_arn
  source_repository_arn      = var.source_registry_arn
  tags                       = local.tags
}
