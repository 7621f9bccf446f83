# prod on AWS: VPC + EKS + RDS + ECR + identities, then Argo CD.

locals {
  environment = "prod"
  # Same minor as environments/kubernetes-version.txt (the manifests are validated against it;
  # `just validate-infra` checks the two agree).
  kubernetes_version = "1.35"
}

module "platform" {
  source = "../../../modules/aws-platform"

  environment                       = local.environment
  kubernetes_version                = local.kubernetes_version
  hostname                          = var.hostname
  github_repository                 = var.github_repository
  existing_github_oidc_provider_arn = var.existing_github_oidc_provider_arn
  source_registry_arn               = var.source_registry_arn
  registry_reader_role_arns         = var.registry_reader_role_arns

  vpc_cidr           = "10.130.0.0/16"
  azs                = var.azs
  nat_gateway_per_az = true

  api_public_access_cidrs = var.api_public_access_cidrs
  admin_role_arns         = var.admin_role_arns
  node_instance_types     = ["m7i.large"]
  node_capacity_type      = "ON_DEMAND"
  min_nodes               = 3
  max_nodes               = 9
  desired_nodes           = 3

  database_instance_class        = "db.m7g.large"
  database_multi_az              = true
  database_storage_gb            = 100
  database_backup_retention_days = 30
  database_password_version      = var.database_password_version
  deletion_protection            = true
}

module "argocd" {
  source = "../../../modules/argocd-bootstrap"

  environment       = local.environment
  cloud             = "eks"
  repo_url          = var.repo_url
  target_revision   = var.target_revision
  high_availability = true

  # Read by the ApplicationSets (argocd/applicationsets: the load balancer controller's values).
  cluster_annotations = {
    aws_cluster_name               = module.platform.cluster_name
    aws_region                     = var.region
    aws_vpc_id                     = module.platform.vpc_id
    "comments/image"               = module.platform.image
    "comments/aws-role-arn"        = module.platform.service_role_arn
    "comments/database-url-secret" = module.platform.database_url_secret
  }
}
