output "address" {
  description = "Hostname of the instance."
  value       = module.postgres.db_instance_address
}

output "master_user_secret_arn" {
  description = "ARN of the RDS-managed master credentials (for the one-time role creation; the value is never output)."
  value       = module.postgres.db_instance_master_user_secret_arn
}

output "database_url_secret_name" {
  description = "Secrets Manager secret holding APP_DATABASE__URL (its name only)."
  value       = aws_secretsmanager_secret.database_url.name
}

output "database_url_secret_arn" {
  description = "ARN of that secret, for the service's read policy."
  value       = aws_secretsmanager_secret.database_url.arn
}
