# Plan with mocked providers (no cloud). `just validate-infra` runs this file where the providers
# are installed (it prints CANNOT RUN otherwise); the PR pipeline always runs it.
# The whole root with the registry modules overridden, on a fresh project (each root of a cloud
# has the same file: only main.tf, the sizing, differs between them).

mock_provider "google" {}
mock_provider "random" {}
mock_provider "helm" {}
mock_provider "kubernetes" {}

override_module {
  target = module.platform.module.network.module.vpc
  outputs = {
    network_name      = "comments-prod"
    network_self_link = "https://www.googleapis.com/compute/v1/projects/comments-prod/global/networks/comments-prod"
    network_id        = "projects/comments-prod/global/networks/comments-prod"
    subnets = {
      "europe-west1/comments-prod-gke" = {
        name = "comments-prod-gke"
        secondary_ip_range = [
          { range_name = "comments-prod-pods", ip_cidr_range = "10.36.0.0/14" },
          { range_name = "comments-prod-services", ip_cidr_range = "10.31.0.0/20" },
        ]
      }
    }
  }
}

override_module {
  target = module.platform.module.gke.module.cluster
  outputs = {
    name               = "comments-prod"
    location           = "europe-west1"
    endpoint           = "203.0.113.10"
    ca_certificate     = "Y2E="
    identity_namespace = "comments-prod.svc.id.goog"
    service_account    = "gke@comments-prod.iam.gserviceaccount.com"
  }
}

override_module {
  target = module.platform.module.database.module.postgres
  outputs = {
    instance_name            = "comments-prod"
    instance_connection_name = "comments-prod:europe-west1:comments-prod"
    private_ip_address       = "10.32.0.3"
  }
}

variables {
  project_id                 = "comments-example"
  hostname                   = "comments.example.com"
  github_repository          = "example/comments-platform"
  repo_url                   = "https://github.com/example/comments-platform.git"
  master_authorized_networks = [{ cidr_block = "203.0.113.0/24", display_name = "operators" }]
  # Promotion copies from the previous environment (required outside dev).
  source_registry = { project_id = "comments-previous", location = "europe-west1", repository_id = "comments" }
}

run "plans" {
  command = plan
}
