# Plan with mocked providers (no cloud). `just validate-infra` runs this file where the providers
# are installed (it prints CANNOT RUN otherwise); the PR pipeline always runs it.

mock_provider "google" {}

variables {
  project_id = "comments-staging"
  hostname   = "comments.staging.example.com"
}

run "plans" {
  command = plan
}
