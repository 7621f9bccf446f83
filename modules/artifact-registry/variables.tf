variable "project_id" {
  description = "GCP project of the repository."
  type        = string
}

variable "region" {
  description = "Location of the repository (same region as the cluster: no egress charge on pulls)."
  type        = string
}

variable "repository_id" {
  description = "Repository name; images are pushed as REGION-docker.pkg.dev/PROJECT/REPOSITORY/comments-api (the overlays pin REPOSITORY = comments)."
  type        = string
  default     = "comments"
}

variable "untagged_retention_days" {
  description = "Untagged images older than this are deleted by the cleanup policy."
  type        = number
  default     = 14

  validation {
    condition     = var.untagged_retention_days >= 1
    error_message = "untagged_retention_days must be at least 1."
  }
}

variable "keep_recent_versions" {
  description = "The newest N versions are always kept, whatever their age."
  type        = number
  default     = 30
}

variable "labels" {
  description = "Labels on the repository."
  type        = map(string)
  default     = {}
}
