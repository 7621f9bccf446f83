# Plan with a mocked Google provider and the registry GKE module overridden: the inputs this
# module validates and the outputs it passes on.

mock_provider "google" {}

override_module {
  target = module.cluster
  outputs = {
    name               = "comments-staging"
    location           = "europe-west1"
    endpoint           = "203.0.113.10"
    ca_certificate     = "Y2E="
    identity_namespace = "comments-staging.svc.id.goog"
    service_account    = "gke@comments-staging.iam.gserviceaccount.com"
  }
}

variables {
  project_id                 = "comments-staging"
  region                     = "europe-west1"
  name                       = "comments-staging"
  kubernetes_version         = "1.35"
  network_name               = "comments-staging"
  subnet_name                = "comments-staging-gke"
  pods_range_name            = "comments-staging-pods"
  services_range_name        = "comments-staging-services"
  master_ipv4_cidr_block     = "172.16.20.0/28"
  master_authorized_networks = [{ cidr_block = "203.0.113.0/24", display_name = "operators" }]
}

run "plans" {
  command = plan

  assert {
    condition     = output.name == "comments-staging"
    error_message = "The cluster name is not passed on."
  }
}
