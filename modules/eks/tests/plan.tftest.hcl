# Plan with a mocked AWS provider: what this module decides (names, access entries, the guards)
# without a cloud. `just validate-infra` and the PR pipeline run this same file. The EKS module is
# overridden; the pod-identity module is not: in the PR pipeline its real IAM role is planned, so
# the AWS provider's own name_prefix validation (1-38) also judges the name we pass (here it is a
# stand-in, and the output precondition judges it).

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

override_data {
  target = data.aws_caller_identity.current
  values = { arn = "arn:aws:sts::111122223333:assumed-role/terraform-ci/session", account_id = "111122223333" }
}

override_data {
  target = data.aws_iam_session_context.current
  values = { issuer_arn = "arn:aws:iam::111122223333:role/terraform-ci" }
}

override_module {
  target  = module.cluster
  outputs = { cluster_name = "comments-staging", cluster_endpoint = "https://example.eks", cluster_certificate_authority_data = "Y2E=", node_security_group_id = "sg-0123" }
}

variables {
  # The longest environment name: the role prefix must fit AWS's 38 characters for every one.
  name                = "comments-staging"
  kubernetes_version  = "1.35"
  vpc_id              = "vpc-0123"
  subnet_ids          = ["subnet-a", "subnet-b", "subnet-c"]
  public_access_cidrs = ["203.0.113.0/24"]
  admin_role_arns     = ["arn:aws:iam::111122223333:role/operators"]
}

run "plans" {
  command = plan

  assert {
    condition     = length("${local.lb_controller_role_prefix}-") <= 38
    error_message = "The load balancer controller's role name_prefix exceeds AWS's 38 characters."
  }
}

run "refuses_the_terraform_role_as_an_extra_admin" {
  command = plan

  variables {
    admin_role_arns = ["arn:aws:iam::111122223333:role/operators", "arn:aws:iam::111122223333:role/terraform-ci"]
  }

  expect_failures = [data.aws_iam_session_context.current]
}

run "refuses_a_name_whose_role_prefix_is_too_long" {
  command = plan

  variables {
    name = "comments-a-much-longer-environment-name"
  }

  # Only the precondition is under test here (the real module would also fail the provider's check).
  override_module {
    target  = module.lb_controller_identity
    outputs = { iam_role_arn = "arn:aws:iam::111122223333:role/comments-a-much-longer-environment-name-lbc-1" }
  }

  expect_failures = [output.lb_controller_role_arn]
}
