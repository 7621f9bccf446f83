# Plan with a mocked AWS provider (`just validate-infra` and the PR pipeline run this file).

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  cluster_name         = "comments-staging"
  environment          = "staging"
  readable_secret_arns = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:comments-api-staging-database-url-AbCdEf"]
}

run "plans" {
  command = plan
}

run "refuses_no_secret" {
  command = plan

  variables {
    readable_secret_arns = []
  }

  expect_failures = [var.readable_secret_arns]
}
