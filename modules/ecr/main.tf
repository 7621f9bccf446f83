# ECR repository for comments-api: immutable tags (promotion is by digest), scan on push,
# lifecycle policy expiring untagged layers and old tagged images.

#trivy:ignore:AVD-AWS-0033 AES-256 server-side encryption is on; a customer-managed KMS key adds cost and narrows nothing for a repository holding no secrets
resource "aws_ecr_repository" "images" {
  name                 = var.repository_name
  image_tag_mutability = "IMMUTABLE"
  force_delete         = false

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }

  tags = var.tags
}

resource "aws_ecr_lifecycle_policy" "images" {
  repository = aws_ecr_repository.images.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Expire untagged images"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = var.untagged_retention_days
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the newest tagged images"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.keep_tagged_images
        }
        action = { type = "expire" }
      },
    ]
  })
}

# Cross-account read for promotion: the next environment's CI role pulls digests from here (its
# own identity policy grants the same actions on this repository; both halves are required).
data "aws_iam_policy_document" "cross_account_pull" {
  count = length(var.pull_principal_arns) > 0 ? 1 : 0

  statement {
    sid = "NextEnvironmentPromotionPull"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:DescribeImages",
      "ecr:GetDownloadUrlForLayer",
    ]
    principals {
      type        = "AWS"
      identifiers = var.pull_principal_arns
    }
  }
}

resource "aws_ecr_repository_policy" "cross_account_pull" {
  count = length(var.pull_principal_arns) > 0 ? 1 : 0

  repository = aws_ecr_repository.images.name
  policy     = data.aws_iam_policy_document.cross_account_pull[0].json
}
