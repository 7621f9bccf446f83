variable "region" {
  description = "AWS region."
  type        = string
  default     = "eu-west-1"
}

variable "azs" {
  description = "Three availability zones of the region."
  type        = list(string)
  default     = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
}

variable "hostname" {
  description = "Public hostname of the service in this environment (its DNS zone is managed outside Terraform)."
  type        = string
}

variable "github_repository" {
  description = "owner/name of the GitHub repository allowed to push images."
  type        = string
}

variable "existing_github_oidc_provider_arn" {
  description = "GitHub OIDC provider already in the account (another environment created it); null creates it."
  type        = string
  default     = null
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

variable "api_public_access_cidrs" {
  description = "CIDRs allowed to reach the EKS public endpoint (CI runners, operators)."
  type        = list(string)
}

variable "admin_role_arns" {
  description = "IAM roles granted cluster-admin (operators' SSO roles)."
  type        = list(string)
  default     = []
}

variable "database_password_version" {
  description = "Bump to rotate the service's database password."
  type        = number
  default     = 1
}

variable "account_id" {
  description = "AWS account of this environment (one account per environment); the provider refuses any other."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be 12 digits."
  }
}

variable "source_registry_arn" {
  description = "ECR repository of the previous environment's account that promotion copies from (null in the first environment)."
  type        = string
  default     = null
}

variable "registry_reader_role_arns" {
  description = "CI role of the next environment's account, allowed to pull from this registry to copy promoted digests (empty in the last environment)."
  type        = list(string)
  default     = []
}
