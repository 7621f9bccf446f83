output "repository_id" {
  description = "Repository name."
  value       = google_artifact_registry_repository.images.repository_id
}

output "repository_name" {
  description = "Full resource name (projects/.../repositories/...), for IAM bindings."
  value       = google_artifact_registry_repository.images.id
}

output "image" {
  description = "Image path of the service, without tag or digest."
  value       = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}/comments-api"
}
