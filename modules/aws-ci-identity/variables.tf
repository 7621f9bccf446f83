variable "environment" {
  description = "Environment (dev, staging, prod); names the role."
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

variable "allowed_subjects" {
  description = "OIDC `sub` patterns after `repo:OWNER/NAME:`; null: only jobs of the environment's GitHub environment (environment:dev, environment:staging, environment:production)."
  type        = list(string)
  default     = null

  validation {
    condition     = var.allowed_subjects == null || try(length(var.allowed_subjects) > 0 && !contains(var.allowed_subjects, "*"), false)
    error_message = "allowed_subjects must be non-empty and must not be a bare wildcard."
  }
}

variable "allowed_refs" {
  description = "Git refs whose jobs may assume the role (IAM StringLike: `*` wildcards); null: refs/heads/main, and for dev also refs/tags/v* (release.yml runs on release tags)."
  type        = list(string)
  default     = null

  validation {
    condition = var.allowed_refs == null || try(length(var.allowed_refs) > 0 && alltrue([
      for r in var.allowed_refs : can(regex("^refs/(heads|tags)/[^*]", r))
    ]), false)
    error_message = "allowed_refs must be non-empty refs/heads/... or refs/tags/... names that do not start with a wildcard."
  }
}

variable "existing_oidc_provider_arn" {
  description = "ARN of the account's GitHub OIDC provider when another root already created it (one per account); null creates it."
  type        = string
  default     = null
}

variable "repository_arn" {
  description = "ECR repository the workflows may push to."
  type        = string
}

variable "source_repository_arn" {
  description = "ECR repository of the previous environment (another account) that promotion copies from; null for dev. Read-only."
  type        = string
  default     = null

  validation {
    condition     = var.source_repository_arn == null || can(regex("^arn:aws:ecr:[a-z0-9-]+:[0-9]{12}:repository/.+$", var.source_repository_arn))
    error_message = "source_repository_arn must be an ECR repository ARN."
  }
}

variable "tags" {
  description = "Tags on the role and provider."
  type        = map(string)
  default     = {}
}
