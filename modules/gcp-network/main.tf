# VPC with one regional subnet for GKE (nodes + secondary ranges for Pods and Services),
# Cloud NAT for the private nodes' egress, and private services access for Cloud SQL.

locals {
  subnet_name    = "${var.name}-gke"
  pods_range     = "${var.name}-pods"
  services_range = "${var.name}-services"
  # The subnetwork as created: the outputs below read its names from it, so whatever uses them
  # (the GKE cluster) waits for the subnetwork and its secondary ranges, not only the network.
  subnet = module.vpc.subnets["${var.region}/${local.subnet_name}"]
}

module "vpc" {
  source  = "terraform-google-modules/network/google"
  version = "~> 11.1"

  project_id   = var.project_id
  network_name = var.name
  routing_mode = "REGIONAL"

  subnets = [
    {
      subnet_name           = local.subnet_name
      subnet_ip             = var.nodes_cidr
      subnet_region         = var.region
      subnet_private_access = "true"
      subnet_flow_logs      = "true"
    },
  ]

  secondary_ranges = {
    (local.subnet_name) = [
      { range_name = local.pods_range, ip_cidr_range = var.pods_cidr },
      { range_name = local.services_range, ip_cidr_range = var.services_cidr },
    ]
  }
}

# One Cloud NAT per region is already redundant (it is a managed, distributed service),
# so GCP needs no per-zone NAT the way AWS does.
resource "google_compute_router" "nat" {
  project = var.project_id
  name    = "${var.name}-nat"
  region  = var.region
  network = module.vpc.network_self_link
}

resource "google_compute_router_nat" "nat" {
  project                            = var.project_id
  name                               = "${var.name}-nat"
  router                             = google_compute_router.nat.name
  region                             = var.region
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "ALL_SUBNETWORKS_ALL_IP_RANGES"
  min_ports_per_vm                   = var.nat_min_ports_per_vm

  log_config {
    enable = true
    filter = var.nat_log_filter
  }
}

# Private services access: Cloud SQL gets a private IP inside this VPC, no public IP at all.
resource "google_compute_global_address" "private_services" {
  project       = var.project_id
  name          = "${var.name}-private-services"
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  address       = split("/", var.private_services_cidr)[0]
  prefix_length = tonumber(split("/", var.private_services_cidr)[1])
  network       = module.vpc.network_id
}

resource "google_service_networking_connection" "private_services" {
  network                 = module.vpc.network_id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.private_services.name]
}
