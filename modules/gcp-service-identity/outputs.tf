output "email" {
  description = "Google service account email; annotate the Kubernetes ServiceAccount with iam.gke.io/gcp-service-account=<this>."
  value       = google_service_account.service.email
}
