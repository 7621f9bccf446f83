# Plan with mocked providers (no cloud). `just validate-infra` runs this file where the providers
# are installed (it prints CANNOT RUN otherwise); the PR pipeline always runs it.

mock_provider "google" {}
mock_provider "random" {}

override_module {
  target = module.postgres
  outputs = {
    instance_name            = "comments-staging"
    instance_connection_name = "comments-staging:europe-west1:comments-staging"
    private_ip_address       = "10.32.0.3"
  }
}

variables {
  project_id                  = "comments-staging"
  region                      = "europe-west1"
  name                        = "comments-staging"
  environment                 = "staging"
  network_self_link           = "projects/comments-staging/global/networks/comments-staging"
  private_services_connection = "comments-staging:servicenetworking.googleapis.com"
  tier                        = "db-custom-2-7680"
}

run "plans" {
  command = plan

  assert {
    condition     = output.database_url_secret_id == "comments-api-staging-database-url"
    error_message = "The database URL secret is not named after the environment."
  }
}

run "refuses_an_unknown_environment" {
  command = plan

  variables {
    environment = "qa"
  }

  expect_failures = [var.environment]
}
