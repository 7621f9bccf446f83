variable "project_id" {
  description = "GCP project of the environment."
  type        = string
}

variable "hostname" {
  description = "Public hostname of the service, e.g. gke.dev.comments.example.com."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.hostname))
    error_message = "hostname must be a lowercase DNS name."
  }
}

variable "name" {
  description = "Name of the address and the certificate map; the Gateway of environments/components/gke refers to both by it."
  type        = string
  default     = "comments-api"
}
