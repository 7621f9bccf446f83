output "role_arn" {
  description = "IAM role of the comments-api ServiceAccount (bound by Pod Identity; no annotation needed)."
  value       = aws_iam_role.service.arn
}
