# staging on GCP: GKE + Cloud SQL + Artifact Registry + identities, then Argo CD.

locals {
  environment = "staging"
  # Same minor as environments/kubernetes-version.txt (the manifests are validated against it;
  # `just validate-infra` checks the two agree).
  kubernetes_version = "1.35"
}

module "platform" {
  source = "../../../modules/gcp-platform"

  project_id                 = var.project_id
  region                     = var.region
  environment                = local.environment
  kubernetes_version         = local.kubernetes_version
  release_channel            = "REGULAR"
  hostname                   = var.hostname
  github_repository          = var.github_repository
  master_authorized_networks = var.master_authorized_networks
  source_registry            = var.source_registry

  network_cidrs = {
    nodes            = "10.30.0.0/20"
    pods             = "10.36.0.0/14"
    services         = "10.31.0.0/20"
    master           = "172.16.30.0/28"
    private_services = "10.32.0.0/20"
  }

  node_machine_type  = "e2-standard-2"
  min_nodes_per_zone = 1
  max_nodes_per_zone = 3
  spot_nodes         = false

  database_tier              = "db-custom-1-3840"
  database_high_availability = false
  database_disk_size_gb      = 20
  database_password_version  = var.database_password_version
  deletion_protection        = true
}

module "argocd" {
  source = "../../../modules/argocd-bootstrap"

  environment       = local.environment
  cloud             = "gke"
  repo_url          = var.repo_url
  target_revision   = var.target_revision
  high_availability = false

  cluster_annotations = {
    "comments/image"               = module.platform.image
    "comments/gcp-service-account" = module.platform.service_account_email
    "comments/database-url-secret" = module.platform.database_url_secret
  }
}
