variable "project_id" {
  description = "GCP project of the service account and the secret (one project per environment)."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace of the service."
  type        = string
  default     = "comments"
}

variable "kubernetes_service_account" {
  description = "Kubernetes ServiceAccount the pods run as; it impersonates the Google service account."
  type        = string
  default     = "comments-api"
}

variable "secret_reader_service_accounts" {
  description = "Kubernetes service accounts (namespace/name) that read the secrets directly through Workload Identity Federation: the service's own and the External Secrets Operator's."
  type        = list(string)
  default     = ["comments/comments-api", "external-secrets/external-secrets"]

  validation {
    condition     = alltrue([for s in var.secret_reader_service_accounts : can(regex("^[a-z0-9-]+/[a-z0-9-]+$", s))])
    error_message = "secret_reader_service_accounts entries must be namespace/name."
  }
}

variable "readable_secret_ids" {
  description = "Secret Manager secret IDs that may be read (nothing else is granted)."
  type        = list(string)

  validation {
    condition     = length(var.readable_secret_ids) > 0
    error_message = "readable_secret_ids must name at least one secret."
  }
}
