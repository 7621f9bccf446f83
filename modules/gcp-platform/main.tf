# One GCP environment: APIs, network, GKE, Cloud SQL, Artifact Registry, the service's
# identity and the CI identity. The Terraform root adds Argo CD on top.

locals {
  name   = "comments-${var.environment}"
  labels = { app = "comments", environment = var.environment, managed-by = "terraform" }
  apis = [
    "artifactregistry.googleapis.com",
    "certificatemanager.googleapis.com",
    "compute.googleapis.com",
    "container.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "secretmanager.googleapis.com",
    "servicenetworking.googleapis.com",
    "sqladmin.googleapis.com",
    "sts.googleapis.com",
  ]
}

resource "google_project_service" "apis" {
  for_each = toset(local.apis)

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

module "network" {
  source = "../gcp-network"

  project_id            = var.project_id
  region                = var.region
  name                  = local.name
  nodes_cidr            = var.network_cidrs.nodes
  pods_cidr             = var.network_cidrs.pods
  services_cidr         = var.network_cidrs.services
  private_services_cidr = var.network_cidrs.private_services

  depends_on = [google_project_service.apis]
}

module "gke" {
  source = "../gke"

  project_id                 = var.project_id
  region                     = var.region
  name                       = local.name
  kubernetes_version         = var.kubernetes_version
  release_channel            = var.release_channel
  network_name               = module.network.network_name
  subnet_name                = module.network.subnet_name
  pods_range_name            = module.network.pods_range_name
  services_range_name        = module.network.services_range_name
  master_ipv4_cidr_block     = var.network_cidrs.master
  master_authorized_networks = var.master_authorized_networks
  machine_type               = var.node_machine_type
  min_nodes_per_zone         = var.min_nodes_per_zone
  max_nodes_per_zone         = var.max_nodes_per_zone
  spot_nodes                 = var.spot_nodes
  deletion_protection        = var.deletion_protection
  labels                     = local.labels

  # The module reads compute zones and GKE versions while planning: on a fresh project those
  # reads fail until the APIs are on.
  depends_on = [google_project_service.apis]
}

module "database" {
  source = "../cloud-sql"

  project_id                  = var.project_id
  region                      = var.region
  name                        = local.name
  environment                 = var.environment
  network_self_link           = module.network.network_self_link
  private_services_connection = module.network.private_services_connection
  tier                        = var.database_tier
  high_availability           = var.database_high_availability
  disk_size_gb                = var.database_disk_size_gb
  deletion_protection         = var.deletion_protection
  password_version            = var.database_password_version
  labels                      = local.labels

  # Cloud SQL Admin and Secret Manager must be on before the module reads or creates anything.
  depends_on = [google_project_service.apis]
}

module "registry" {
  source = "../artifact-registry"

  project_id = var.project_id
  region     = var.region
  labels     = local.labels

  depends_on = [google_project_service.apis]
}

module "edge" {
  source = "../gcp-edge"

  project_id = var.project_id
  hostname   = var.hostname

  depends_on = [google_project_service.apis]
}

module "service_identity" {
  source = "../gcp-service-identity"

  project_id          = var.project_id
  readable_secret_ids = [module.database.database_url_secret_id]

  # The Workload Identity pool exists once the cluster does.
  depends_on = [module.gke]
}

module "ci_identity" {
  source = "../gcp-ci-identity"

  project_id          = var.project_id
  environment         = var.environment
  github_repository   = var.github_repository
  repository_name     = module.registry.repository_id
  repository_location = var.region
  source_repository   = var.source_registry

  depends_on = [google_project_service.apis]
}
