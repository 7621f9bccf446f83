# Plan with a mocked Google provider, as on a fresh project: the service account's member is
# unknown until apply, so the grants' for_each keys must not be built from it (Invalid for_each
# argument). `just validate-infra` runs this file where the provider is installed, the PR pipeline
# always.

mock_provider "google" {}

variables {
  project_id          = "comments-staging"
  readable_secret_ids = ["comments-api-staging-database-url"]
}

run "plans_on_a_fresh_project" {
  command = plan

  assert {
    condition = toset(keys(google_secret_manager_secret_iam_member.read)) == toset([
      "comments-api-staging-database-url gsa",
      "comments-api-staging-database-url comments/comments-api",
      "comments-api-staging-database-url external-secrets/external-secrets",
    ])
    error_message = "Every reader (the service account and each Kubernetes service account) gets one grant per secret."
  }
}

run "grants_nothing_without_a_secret" {
  command = plan

  variables {
    readable_secret_ids = []
  }

  expect_failures = [var.readable_secret_ids]
}
