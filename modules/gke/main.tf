# Regional GKE Standard cluster with private nodes, Workload Identity, Dataplane V2, the Gateway
# API (the overlays expose the service through a Gateway) and one autoscaled node pool. Standard rather than Autopilot: see docs/infrastructure.md.

module "cluster" {
  source  = "terraform-google-modules/kubernetes-engine/google//modules/private-cluster"
  version = "~> 37.0"

  project_id         = var.project_id
  name               = var.name
  region             = var.region
  regional           = true
  kubernetes_version = var.kubernetes_version
  release_channel    = var.release_channel

  network           = var.network_name
  subnetwork        = var.subnet_name
  ip_range_pods     = var.pods_range_name
  ip_range_services = var.services_range_name

  enable_private_nodes       = true
  enable_private_endpoint    = false
  master_ipv4_cidr_block     = var.master_ipv4_cidr_block
  master_authorized_networks = var.master_authorized_networks

  identity_namespace      = "enabled"
  datapath_provider       = "ADVANCED_DATAPATH"
  network_policy          = false
  enable_shielded_nodes   = true
  gce_pd_csi_driver       = true
  http_load_balancing     = true
  gateway_api_channel     = "CHANNEL_STANDARD"
  deletion_protection     = var.deletion_protection
  cluster_resource_labels = merge(var.labels, { cluster = var.name })

  remove_default_node_pool = true
  create_service_account   = true
  grant_registry_access    = true

  node_pools = [
    {
      name                        = "default"
      machine_type                = var.machine_type
      min_count                   = var.min_nodes_per_zone
      max_count                   = var.max_nodes_per_zone
      disk_type                   = "pd-balanced"
      disk_size_gb                = 50
      image_type                  = "COS_CONTAINERD"
      auto_repair                 = true
      auto_upgrade                = true
      spot                        = var.spot_nodes
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    },
  ]

  node_pools_oauth_scopes = {
    all = ["https://www.googleapis.com/auth/cloud-platform"]
  }
}
