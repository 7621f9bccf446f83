variable "project_id" {
  description = "GCP project of the identity pool and the registry."
  type        = string
}

variable "environment" {
  description = "Environment (dev, staging, prod); names the pool."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "github_repository" {
  description = "owner/name of the GitHub repository whose workflows may push images."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "allowed_ref_prefixes" {
  description = "Git refs (prefix match) whose workflow runs may push, e.g. refs/heads/main and release tags."
  type        = list(string)
  default     = ["refs/heads/main", "refs/tags/v"]

  validation {
    condition     = length(var.allowed_ref_prefixes) > 0
    error_message = "allowed_ref_prefixes must not be empty."
  }
}

variable "repository_name" {
  description = "Artifact Registry repository ID the workflows may push to."
  type        = string
}

variable "repository_location" {
  description = "Location of that repository."
  type        = string
}

variable "source_repository" {
  description = "Artifact Registry repository of the previous environment (another project) that promotion copies from; null for dev. Read-only."
  type = object({
    project_id    = string
    location      = string
    repository_id = string
  })
  default = null
}
