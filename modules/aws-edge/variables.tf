variable "hostname" {
  description = "Public hostname of the service, e.g. eks.dev.comments.example.com."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.hostname))
    error_message = "hostname must be a lowercase DNS name."
  }
}

variable "tags" {
  description = "Tags on the certificate."
  type        = map(string)
  default     = {}
}
