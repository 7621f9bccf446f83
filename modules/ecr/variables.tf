variable "repository_name" {
  description = "ECR repository name."
  type        = string
  default     = "comments-api"
}

variable "untagged_retention_days" {
  description = "Untagged images older than this expire."
  type        = number
  default     = 14

  validation {
    condition     = var.untagged_retention_days >= 1
    error_message = "untagged_retention_days must be at least 1."
  }
}

variable "keep_tagged_images" {
  description = "How many tagged images are kept (oldest expire first)."
  type        = number
  default     = 100
}

variable "pull_principal_arns" {
  description = "IAM roles of other accounts allowed to pull (the next environment's CI role, which copies promoted digests). Read-only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.pull_principal_arns : can(regex("^arn:aws:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "pull_principal_arns must be IAM role ARNs."
  }
}

variable "tags" {
  description = "Tags on the repository."
  type        = map(string)
  default     = {}
}
