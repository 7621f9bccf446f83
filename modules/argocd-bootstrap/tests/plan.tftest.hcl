# Plan with mocked providers (no cloud). `just validate-infra` runs this file where the providers
# are installed (it prints CANNOT RUN otherwise); the PR pipeline always runs it.

mock_provider "helm" {}
mock_provider "kubernetes" {}

variables {
  environment = "staging"
  cloud       = "gke"
  repo_url    = "https://github.com/example/comments-platform.git"
}

run "plans" {
  command = plan
}

run "refuses_an_unknown_cloud" {
  command = plan

  variables {
    cloud = "aks"
  }

  expect_failures = [var.cloud]
}
