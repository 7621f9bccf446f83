output "name" {
  description = "Cluster name."
  value       = module.cluster.name
}

output "location" {
  description = "Cluster location (the region)."
  value       = module.cluster.location
}

output "endpoint" {
  description = "Control plane endpoint (IP), for the kubernetes and helm providers."
  value       = module.cluster.endpoint
  sensitive   = true
}

output "ca_certificate" {
  description = "Cluster CA certificate (base64), for the kubernetes and helm providers."
  value       = module.cluster.ca_certificate
  sensitive   = true
}

output "workload_identity_pool" {
  description = "Workload Identity pool (PROJECT.svc.id.goog) that Kubernetes service accounts map into."
  value       = module.cluster.identity_namespace
}

output "node_service_account" {
  description = "Email of the nodes' Google service account."
  value       = module.cluster.service_account
}
