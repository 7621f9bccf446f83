# GitHub Actions -> AWS without keys: the account's IAM OIDC provider for GitHub and a role
# that only this repository's allowed refs can assume (`sub` condition), allowed only to push
# images to the one ECR repository.

locals {
  issuer            = "token.actions.githubusercontent.com"
  oidc_provider_arn = coalesce(var.existing_oidc_provider_arn, one(aws_iam_openid_connect_provider.github[*].arn))
}

resource "aws_iam_openid_connect_provider" "github" {
  count = var.existing_oidc_provider_arn == null ? 1 : 0

  url            = "https://${local.issuer}"
  client_id_list = ["sts.amazonaws.com"]
  tags           = var.tags
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "GitHubActions"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "${local.issuer}:sub"
      values   = [for s in var.allowed_subjects : "repo:${var.github_repository}:${s}"]
    }
  }
}

data "aws_iam_policy_document" "push" {
  statement {
    sid = "PushToOneRepository"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [var.repository_arn]
  }
}

# ecr:GetAuthorizationToken has no resource-level permissions: AWS only accepts "*" for it.
# It yields a registry login token; what the token may do is still limited by the policy above.
data "aws_iam_policy_document" "login" {
  statement {
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "ci" {
  name                 = "comments-ci-${var.environment}"
  description          = "GitHub Actions of ${var.github_repository}: push comments-api images"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "push" {
  name   = "push-images"
  role   = aws_iam_role.ci.id
  policy = data.aws_iam_policy_document.push.json
}

resource "aws_iam_role_policy" "login" {
  name   = "registry-login"
  role   = aws_iam_role.ci.id
  policy = data.aws_iam_policy_document.login.json
}
