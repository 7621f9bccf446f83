# Plan with mocked providers (no cloud). `just validate-infra` runs this file where the providers
# are installed (it prints CANNOT RUN otherwise); the PR pipeline always runs it.

mock_provider "google" {}

variables {
  project_id          = "comments-staging"
  environment         = "staging"
  github_repository   = "example/comments-platform"
  repository_name     = "comments"
  repository_location = "europe-west1"
}

run "plans" {
  command = plan
}

run "refuses_a_repository_that_is_not_owner_name" {
  command = plan

  variables {
    github_repository = "comments-platform"
  }

  expect_failures = [var.github_repository]
}
