# Plan with mocked providers (no cloud). `just validate-infra` runs this file where the providers
# are installed (it prints CANNOT RUN otherwise); the PR pipeline always runs it.
# The whole root with the registry modules overridden (each root of a cloud has the same file:
# only main.tf, the sizing, differs between them).

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}
mock_provider "random" {}
mock_provider "helm" {}
mock_provider "kubernetes" {}

override_module {
  target = module.platform.module.network.module.vpc
  outputs = {
    vpc_id                     = "vpc-0123"
    vpc_cidr_block             = "10.120.0.0/16"
    private_subnets            = ["subnet-a", "subnet-b", "subnet-c"]
    database_subnet_group_name = "comments-dev"
    nat_public_ips             = ["198.51.100.1"]
  }
}

override_module {
  target  = module.platform.module.eks.module.cluster
  outputs = { cluster_name = "comments-dev", cluster_endpoint = "https://example.eks", cluster_certificate_authority_data = "Y2E=", node_security_group_id = "sg-0123" }
}

override_module {
  target  = module.platform.module.eks.module.lb_controller_identity
  outputs = { iam_role_arn = "arn:aws:iam::111122223333:role/comments-dev-lbc-20260101" }
}

override_data {
  # A valid ARN: the session context's arn argument is validated by the provider, mocked or not.
  target = module.platform.module.eks.data.aws_caller_identity.current
  values = { arn = "arn:aws:sts::111122223333:assumed-role/terraform-ci/session", account_id = "111122223333" }
}

override_data {
  target = module.platform.module.eks.data.aws_iam_session_context.current
  values = { issuer_arn = "arn:aws:iam::111122223333:role/terraform-ci" }
}

override_module {
  target = module.platform.module.database.module.postgres
  outputs = {
    db_instance_address                = "comments-dev.abc.eu-west-1.rds.amazonaws.com"
    db_instance_port                   = 5432
    db_instance_master_user_secret_arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds-master-AbCdEf"
  }
}

variables {
  hostname                = "comments.example.com"
  github_repository       = "example/comments-platform"
  repo_url                = "https://github.com/example/comments-platform.git"
  api_public_access_cidrs = ["203.0.113.0/24"]
  account_id              = "111122223333"
}

run "plans" {
  command = plan
}
