# Plan with mocked providers (no cloud). `just validate-infra` runs this file where the providers
# are installed (it prints CANNOT RUN otherwise); the PR pipeline always runs it.
# The registry modules are overridden; everything of ours plans, on a fresh project (the
# service account's member and the project number are unknown until apply).

mock_provider "google" {}
mock_provider "random" {}

override_module {
  target = module.network.module.vpc
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

override_module {
  target = module.gke.module.cluster
  outputs = {
    name               = "comments-staging"
    location           = "europe-west1"
    endpoint           = "203.0.113.10"
    ca_certificate     = "Y2E="
    identity_namespace = "comments-staging.svc.id.goog"
    service_account    = "gke@comments-staging.iam.gserviceaccount.com"
  }
}

override_module {
  target = module.database.module.postgres
  outputs = {
    instance_name            = "comments-staging"
    instance_connection_name = "comments-staging:europe-west1:comments-staging"
    private_ip_address       = "10.32.0.3"
  }
}

variables {
  project_id                 = "comments-staging"
  region                     = "europe-west1"
  environment                = "staging"
  kubernetes_version         = "1.35"
  hostname                   = "comments.staging.example.com"
  github_repository          = "example/comments-platform"
  source_registry            = { project_id = "comments-dev", location = "europe-west1", repository_id = "comments" }
  master_authorized_networks = [{ cidr_block = "203.0.113.0/24", display_name = "operators" }]
  network_cidrs = {
    nodes            = "10.30.0.0/20"
    pods             = "10.36.0.0/14"
    services         = "10.31.0.0/20"
    master           = "172.16.20.0/28"
    private_services = "10.32.0.0/20"
  }
  node_machine_type          = "e2-standard-4"
  min_nodes_per_zone         = 1
  max_nodes_per_zone         = 3
  database_tier              = "db-custom-2-7680"
  database_high_availability = false
  deletion_protection        = true
}

run "plans_on_a_fresh_project" {
  command = plan

  assert {
    condition     = output.cluster_name == "comments-staging"
    error_message = "The cluster name is not passed on."
  }
}
