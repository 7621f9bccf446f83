variable "project_id" {
  description = "GCP project of this environment."
  type        = string
}

variable "region" {
  description = "GCP region."
  type        = string
  default     = "europe-west1"
}

variable "hostname" {
  description = "Public hostname of the service in this environment (its DNS zone is managed outside Terraform)."
  type        = string
}

variable "github_repository" {
  description = "owner/name of the GitHub repository allowed to push images."
  type        = string
}

variable "repo_url" {
  description = "Git URL Argo CD syncs from."
  type        = string
}

variable "target_revision" {
  description = "Branch or tag Argo CD follows."
  type        = string
  default     = "main"
}

variable "master_authorized_networks" {
  description = "CIDRs allowed to reach the GKE control plane (CI runners, operators)."
  type        = list(object({ cidr_block = string, display_name = string }))
}

variable "database_password_version" {
  description = "Bump to rotate the service's database password."
  type        = number
  default     = 1
}

variable "source_registry" {
  description = "Artifact Registry repository of the previous environment's project that promotion copies from (null in the first environment)."
  type = object({
    project_id    = string
    location      = string
    repository_id = string
  })
  default = null
}
