variable "cluster_name" {
  description = "EKS cluster the pods run in."
  type        = string
}

variable "environment" {
  description = "Environment (dev, staging, prod); names the role."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "service_accounts" {
  description = "Kubernetes service accounts (namespace/name) bound to the role by Pod Identity: the service's own and the External Secrets Operator's (it reads with its own identity)."
  type        = list(string)
  default     = ["comments/comments-api", "external-secrets/external-secrets"]

  validation {
    condition     = alltrue([for s in var.service_accounts : can(regex("^[a-z0-9-]+/[a-z0-9-]+$", s))])
    error_message = "service_accounts entries must be namespace/name."
  }
}

variable "readable_secret_arns" {
  description = "Secrets Manager secrets the service may read (nothing else is granted)."
  type        = list(string)

  validation {
    condition     = length(var.readable_secret_arns) > 0
    error_message = "readable_secret_arns must name at least one secret."
  }
}

variable "tags" {
  description = "Tags on the role."
  type        = map(string)
  default     = {}
}
