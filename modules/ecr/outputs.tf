output "repository_arn" {
  description = "ARN of the repository (CI push policy)."
  value       = aws_ecr_repository.images.arn
}

output "repository_url" {
  description = "ACCOUNT.dkr.ecr.REGION.amazonaws.com/comments-api."
  value       = aws_ecr_repository.images.repository_url
}
