output "cluster_name" {
  description = "GKE cluster name."
  value       = module.gke.name
}

output "cluster_location" {
  description = "GKE cluster location."
  value       = module.gke.location
}

output "cluster_endpoint" {
  description = "GKE control plane endpoint."
  value       = module.gke.endpoint
  sensitive   = true
}

output "cluster_ca_certificate" {
  description = "GKE cluster CA certificate (base64)."
  value       = module.gke.ca_certificate
  sensitive   = true
}

output "image" {
  description = "Image path of comments-api in Artifact Registry."
  value       = module.registry.image
}

output "service_account_email" {
  description = "Google service account of the comments-api Kubernetes ServiceAccount."
  value       = module.service_identity.email
}

output "ci_workload_identity_provider" {
  description = "Workload identity provider for the GitHub release workflow."
  value       = module.ci_identity.workload_identity_provider
}

output "database_url_secret" {
  description = "Secret Manager secret name holding APP_DATABASE__URL."
  value       = module.database.database_url_secret_id
}

output "database_cidr" {
  description = "Private services access range of Cloud SQL (egress network policy)."
  value       = module.network.private_services_cidr
}

output "gateway_address" {
  description = "Global IP the hostname points to."
  value       = module.edge.address
}

output "dns_records" {
  description = "DNS records to create once (service A record, certificate authorisation CNAME)."
  value       = module.edge.dns_records
}

output "database_instance" {
  description = "Cloud SQL connection name."
  value       = module.database.connection_name
}
