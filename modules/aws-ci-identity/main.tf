# GitHub Actions -> AWS without keys: the account's IAM OIDC provider for GitHub and a role
# that only this repository's jobs of this environment's GitHub environment, running on an allowed
# ref (main; for dev also the v* release tags), can assume (`sub` condition), allowed to push images to this environment's ECR repository and, for staging and
# prod, to read the previous environment's repository (promotion copies the digest from there).

locals {
  issuer             = "token.actions.githubusercontent.com"
  oidc_provider_arn  = coalesce(var.existing_oidc_provider_arn, one(aws_iam_openid_connect_provider.github[*].arn))
  github_environment = var.environment == "prod" ? "production" : var.environment
  # A job that names a GitHub environment gets `sub` = repo:OWNER/NAME:environment:NAME, so the
  # environment's protection rules (prod: required reviewers) apply before a token exists.
  allowed_subjects = coalesce(var.allowed_subjects, ["environment:${local.github_environment}"])
  # A job in an environment gets no ref in the default `sub`, and AWS cannot read the `ref` claim, so
  # the repository's OIDC subject template includes it (docs/pipelines.md, "Setting up a repository"):
  # sub = repo:OWNER/NAME:environment:NAME:ref:REF. release.yml (dev) runs on v* tags; promote.yml on main.
  allowed_refs = coalesce(var.allowed_refs, var.environment == "dev" ? ["refs/heads/main", "refs/tags/v*"] : ["refs/heads/main"])
  trusted_subjects = [
    for pair in setproduct(local.allowed_subjects, local.allowed_refs) : "repo:${var.github_repository}:${pair[0]}:ref:${pair[1]}"
  ]
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
      values   = local.trusted_subjects
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
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [var.repository_arn]
  }
}

# Read-only on the previous environment's repository (another account): the other half of the
# grant is that repository's policy (modules/ecr `pull_principal_arns`, set by the source's root).
data "aws_iam_policy_document" "pull_source" {
  count = var.source_repository_arn == null ? 0 : 1

  statement {
    sid = "PullFromPreviousEnvironment"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:DescribeImages",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = [var.source_repository_arn]
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
  description          = "GitHub Actions of ${var.github_repository}: push (and promote) comments-api images"
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

resource "aws_iam_role_policy" "pull_source" {
  count = var.source_repository_arn == null ? 0 : 1

  name   = "pull-previous-environment"
  role   = aws_iam_role.ci.id
  policy = data.aws_iam_policy_document.pull_source[0].json
}
