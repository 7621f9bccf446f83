output "cluster_name" {
  description = "GKE cluster name (gcloud container clusters get-credentials)."
  value       = module.platform.cluster_name
}

output "cluster_location" {
  description = "GKE cluster region."
  value       = module.platform.cluster_location
}

output "image" {
  description = "Where CI pushes comments-api."
  value       = module.platform.image
}

output "service_account_email" {
  description = "Annotate the comments-api ServiceAccount with iam.gke.io/gcp-service-account=<this>."
  value       = module.platform.service_account_email
}

output "ci_workload_identity_provider" {
  description = "GitHub repository variable for google-github-actions/auth."
  value       = module.platform.ci_workload_identity_provider
}

output "database_url_secret" {
  description = "Secret Manager secret the ExternalSecret reads (name only)."
  value       = module.platform.database_url_secret
}

output "cluster_values" {
  description = "What environments/<env>/gke/cluster-values.yaml needs."
  value = {
    hostname          = var.hostname
    gcpProject        = var.project_id
    gcpServiceAccount = module.platform.service_account_email
    databaseCidr      = module.platform.database_cidr
  }
}

output "dns_records" {
  description = "Create once in the hostname's zone: the service's A record and the certificate authorisation."
  value       = module.platform.dns_records
}
