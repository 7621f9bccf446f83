output "network_name" {
  description = "Name of the VPC."
  value       = module.vpc.network_name
}

output "network_self_link" {
  description = "Self link of the VPC (Cloud SQL private network)."
  value       = module.vpc.network_self_link
}

output "subnet_name" {
  description = "Name of the GKE subnet (a reference to the subnetwork: users wait for it)."
  value       = local.subnet.name
}

output "pods_range_name" {
  description = "Name of the secondary range for Pods (a reference to the subnetwork)."
  value       = one([for r in local.subnet.secondary_ip_range : r.range_name if r.range_name == local.pods_range])
}

output "services_range_name" {
  description = "Name of the secondary range for Services (a reference to the subnetwork)."
  value       = one([for r in local.subnet.secondary_ip_range : r.range_name if r.range_name == local.services_range])
}

output "private_services_cidr" {
  description = "Range Cloud SQL takes its private IP from (cluster-values databaseCidr)."
  value       = "${google_compute_global_address.private_services.address}/${google_compute_global_address.private_services.prefix_length}"
}

output "private_services_connection" {
  description = "The private services access peering; Cloud SQL must be created after it."
  value       = google_service_networking_connection.private_services.id
}
