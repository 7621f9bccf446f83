# Plan with mocked providers (no cloud). `just validate-infra` runs this file where the providers
# are installed (it prints CANNOT RUN otherwise); the PR pipeline always runs it.
# The registry modules are overridden; everything of ours plans.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}
mock_provider "random" {}

override_module {
  target = module.network.module.vpc
  outputs = {
    vpc_id                     = "vpc-0123"
    vpc_cidr_block             = "10.120.0.0/16"
    private_subnets            = ["subnet-a", "subnet-b", "subnet-c"]
    database_subnet_group_name = "comments-staging"
    nat_public_ips             = ["198.51.100.1"]
  }
}

override_module {
  target  = module.eks.module.cluster
  outputs = { cluster_name = "comments-staging", cluster_endpoint = "https://example.eks", cluster_certificate_authority_data = "Y2E=", node_security_group_id = "sg-0123" }
}

override_module {
  target  = module.eks.module.lb_controller_identity
  outputs = { iam_role_arn = "arn:aws:iam::111122223333:role/comments-staging-lbc-20260101" }
}

override_data {
  # A valid ARN: the session context's arn argument is validated by the provider, mocked or not.
  target = module.eks.data.aws_caller_identity.current
  values = { arn = "arn:aws:sts::111122223333:assumed-role/terraform-ci/session", account_id = "111122223333" }
}

override_data {
  target = module.eks.data.aws_iam_session_context.current
  values = { issuer_arn = "arn:aws:iam::111122223333:role/terraform-ci" }
}

override_module {
  target = module.database.module.postgres
  outputs = {
    db_instance_address                = "comments-staging.abc.eu-west-1.rds.amazonaws.com"
    db_instance_port                   = 5432
    db_instance_master_user_secret_arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds-master-AbCdEf"
  }
}

variables {
  environment             = "staging"
  kubernetes_version      = "1.35"
  hostname                = "comments.staging.example.com"
  github_repository       = "example/comments-platform"
  source_registry_arn     = "arn:aws:ecr:eu-west-1:111122223333:repository/comments-api"
  vpc_cidr                = "10.120.0.0/16"
  azs                     = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  nat_gateway_per_az      = true
  api_public_access_cidrs = ["203.0.113.0/24"]
  admin_role_arns         = ["arn:aws:iam::111122223333:role/operators"]
  node_instance_types     = ["t3.large"]
  min_nodes               = 2
  max_nodes               = 4
  desired_nodes           = 2
  database_instance_class = "db.t4g.medium"
  database_multi_az       = true
  deletion_protection     = true
}

run "plans" {
  command = plan

  assert {
    condition     = output.cluster_name == "comments-staging"
    error_message = "The cluster name is not passed on."
  }
}

# The admin_role_arns guard is a postcondition inside module.eks: expect_failures cannot name a
# nested object, so modules/eks's suite proves it.
