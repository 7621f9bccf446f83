# Plan with a mocked AWS provider (`just validate-infra` and the PR pipeline run this file).

mock_provider "aws" {}

variables {
  hostname = "comments.staging.example.com"
}

run "plans" {
  command = plan
}
