output "instance_name" {
  description = "Cloud SQL instance name."
  value       = module.postgres.instance_name
}

output "connection_name" {
  description = "PROJECT:REGION:INSTANCE, for the Cloud SQL Auth Proxy if ever needed."
  value       = module.postgres.instance_connection_name
}

output "private_ip_address" {
  description = "Private IP of the instance inside the VPC."
  value       = module.postgres.private_ip_address
}

output "database_url_secret_id" {
  description = "Secret Manager secret holding APP_DATABASE__URL (its name; the value is never output)."
  value       = google_secret_manager_secret.database_url.secret_id
}

output "database_url_secret_name" {
  description = "Full resource name of the database URL secret (for IAM bindings)."
  value       = google_secret_manager_secret.database_url.id
}
