# Plan with a mocked Google provider and the registry network module overridden (its subnetworks
# output as the module returns it: keyed region/name).

mock_provider "google" {}

override_module {
  target = module.vpc
  outputs = {
    network_name      = "comments-staging"
    network_self_link = "https://www.googleapis.com/compute/v1/projects/comments-staging/global/networks/comments-staging"
    network_id        = "projects/comments-staging/global/networks/comments-staging"
    subnets = {
      "europe-west1/comments-staging-gke" = {
        name = "comments-staging-gke"
        secondary_ip_range = [
          { range_name = "comments-staging-pods", ip_cidr_range = "10.36.0.0/14" },
          { range_name = "comments-staging-services", ip_cidr_range = "10.31.0.0/20" },
        ]
      }
    }
  }
}

variables {
  project_id            = "comments-staging"
  region                = "europe-west1"
  name                  = "comments-staging"
  nodes_cidr            = "10.30.0.0/20"
  pods_cidr             = "10.36.0.0/14"
  services_cidr         = "10.31.0.0/20"
  private_services_cidr = "10.32.0.0/20"
}

run "plans" {
  command = plan

  assert {
    condition     = output.subnet_name == "comments-staging-gke" && output.pods_range_name == "comments-staging-pods" && output.services_range_name == "comments-staging-services"
    error_message = "The subnetwork and its secondary ranges are not read back from the created subnetwork."
  }
}
