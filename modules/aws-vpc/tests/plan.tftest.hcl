# Plan with a mocked AWS provider and the registry VPC module overridden (`just validate-infra` and
# the PR pipeline run this file).

mock_provider "aws" {}

override_module {
  target = module.vpc
  outputs = {
    vpc_id                     = "vpc-0123"
    vpc_cidr_block             = "10.20.0.0/16"
    private_subnets            = ["subnet-a", "subnet-b", "subnet-c"]
    database_subnet_group_name = "comments-staging"
    nat_public_ips             = ["198.51.100.1"]
  }
}

variables {
  name               = "comments-staging"
  cidr               = "10.20.0.0/16"
  azs                = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  nat_gateway_per_az = true
}

run "plans" {
  command = plan

  assert {
    condition     = length(output.private_subnet_ids) == 3
    error_message = "The private subnets are not passed on."
  }
}

run "refuses_a_cidr_that_is_not_a_network_address" {
  command = plan

  variables {
    cidr = "10.20.0.1/16"
  }

  expect_failures = [var.cidr]
}
