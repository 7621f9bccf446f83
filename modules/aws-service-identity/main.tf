# The service's cloud identity on AWS: an IAM role assumed through EKS Pod Identity by the
# Kubernetes ServiceAccount comments/comments-api (and the External Secrets Operator's, which
# reads the database URL with its own identity), allowed only to read the named secrets.
# Plain resources rather than terraform-aws-modules/iam: three resources, and the policy
# scanner then sees the exact policy documents.

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "EksPodIdentity"
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "read_secrets" {
  statement {
    sid       = "ReadOwnSecrets"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = var.readable_secret_arns
  }
}

resource "aws_iam_role" "service" {
  name               = "comments-api-${var.environment}"
  description        = "comments-api pods (${var.environment}) via EKS Pod Identity"
  assume_role_policy = data.aws_iam_policy_document.trust.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "read_secrets" {
  name   = "read-secrets"
  role   = aws_iam_role.service.id
  policy = data.aws_iam_policy_document.read_secrets.json
}

resource "aws_eks_pod_identity_association" "service" {
  for_each = toset(var.service_accounts)

  cluster_name    = var.cluster_name
  namespace       = split("/", each.value)[0]
  service_account = split("/", each.value)[1]
  role_arn        = aws_iam_role.service.arn
  tags            = var.tags
}
