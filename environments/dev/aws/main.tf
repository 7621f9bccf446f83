# dev on AWS: VPC + EKS + RDS + ECR + identities, then Argo CD.

locals {
  environment = "dev"
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

  vpc_cidr           = "10.110.0.0/16"
  azs                = var.azs
  nat_gateway_per_az = false

  api_public_access_cidrs = var.api_public_access_cidrs
  admin_role_arns         = var.admin_role_arns
  node_instance_types     = ["t3.medium", "t3a.medium"]
  node_capacity_type      = "SPOT"
  min_nodes               = 2
  max_nodes               = 3
  desired_nodes           = 2

  database_instance_class        = "db.t4g.micro"
  database_multi_az              = false
  database_storage_gb            = 20
  database_backup_retention_days = 3
  database_password_version      = var.database_password_version
  deletion_protection            = false
}

module "argocd" {
  source = "../../../modules/argocd-bootstrap"

  environment       = local.environment
  cloud             = "eks"
  repo_url          = var.repo_url
  target_revision   = var.target_revision
  high_availability = false

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
