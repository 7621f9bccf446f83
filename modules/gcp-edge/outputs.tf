output "address" {
  description = "Global IP of the Gateway."
  value       = google_compute_global_address.gateway.address
}

output "certificate_map" {
  description = "Certificate map name (the Gateway's networking.gke.io/certmap annotation)."
  value       = google_certificate_manager_certificate_map.gateway.name
}

output "dns_records" {
  description = "Records to create in the hostname's zone: the A record of the service and the CNAME that authorises the certificate."
  value = [
    { name = "${var.hostname}.", type = "A", data = google_compute_global_address.gateway.address },
    {
      name = google_certificate_manager_dns_authorization.hostname.dns_resource_record[0].name
      type = google_certificate_manager_dns_authorization.hostname.dns_resource_record[0].type
      data = google_certificate_manager_dns_authorization.hostname.dns_resource_record[0].data
    },
  ]
}
