# Plan with a mocked AWS provider (`just validate-infra` and the PR pipeline run this file).

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

run "plans" {
  command = plan
}
