output "role_arn" {
  description = "Role for aws-actions/configure-aws-credentials `role-to-assume`."
  value       = aws_iam_role.ci.arn
}

output "oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider (pass it to the other roots of the same account)."
  value       = local.oidc_provider_arn
}
