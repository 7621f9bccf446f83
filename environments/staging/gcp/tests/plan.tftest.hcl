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
  target = module.platform.module.gke.module.cluster
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
  target = module.platform.module.database.module.postgres
  outputs = {
    instance_name            = "comments-staging"
    instance_connection_name = "comments-staging:europe-west1:comments-staging"
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
