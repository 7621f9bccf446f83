# Plan with a mocked AWS provider (`just validate-infra` and the PR pipeline run this file).

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  environment       = "staging"
  github_repository = "example/comments-platform"
  repository_arn    = "arn:aws:ecr:eu-west-1:111122223333:repository/comments-api"
}

run "plans" {
  command = plan
}
