output "role_arn" {
  description = "Role for aws-actions/configure-aws-credentials `role-to-assume`."
  value       = aws_iam_role.ci.arn
}

output "trusted_subjects" {
  description = "The OIDC `sub` values the role trusts (repository, GitHub environment and ref)."
  value       = local.trusted_subjects
}

output "oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider (pass it to the other roots of the same account)."
  value       = local.oidc_provider_arn
}
