variable "environment" {
  description = "Environment: dev, staging or prod."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the cluster (environments/kubernetes-version.txt)."
  type        = string
}

variable "hostname" {
  description = "Public hostname of the service in this environment."
  type        = string
}

variable "github_repository" {
  description = "owner/name of the GitHub repository allowed to push images."
  type        = string
}

variable "existing_github_oidc_provider_arn" {
  description = "GitHub OIDC provider already present in the account; null creates one."
  type        = string
  default     = null
}

variable "source_registry_arn" {
  description = "ECR repository of the previous environment (dev for staging, staging for prod) whose digests promotion copies; null for dev."
  type        = string
  default     = null

  validation {
    condition     = (var.environment == "dev") == (var.source_registry_arn == null)
    error_message = "source_registry_arn must be null for dev and set for staging and prod (promotion copies from the previous environment)."
  }
}

variable "registry_reader_role_arns" {
  description = "CI roles of the next environment (another account) that may pull from this registry; never set for prod."
  type        = list(string)
  default     = []

  validation {
    condition     = var.environment != "prod" || length(var.registry_reader_role_arns) == 0
    error_message = "prod's registry is read by prod only: registry_reader_role_arns must be empty."
  }
}

variable "vpc_cidr" {
  description = "VPC CIDR (/18 or larger)."
  type        = string
}

variable "azs" {
  description = "Three availability zones."
  type        = list(string)
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per AZ (true) or a single one (false)."
  type        = bool
}

variable "api_public_access_cidrs" {
  description = "CIDRs allowed to reach the EKS public endpoint."
  type        = list(string)
}

variable "admin_role_arns" {
  description = "IAM roles granted cluster-admin."
  type        = list(string)
  default     = []
}

variable "node_instance_types" {
  description = "Node group instance types."
  type        = list(string)
}

variable "node_capacity_type" {
  description = "ON_DEMAND or SPOT."
  type        = string
  default     = "ON_DEMAND"
}

variable "min_nodes" {
  description = "Node group minimum."
  type        = number
}

variable "max_nodes" {
  description = "Node group maximum."
  type        = number
}

variable "desired_nodes" {
  description = "Node group initial size."
  type        = number
}

variable "database_instance_class" {
  description = "RDS instance class."
  type        = string
}

variable "database_multi_az" {
  description = "Multi-AZ RDS."
  type        = bool
}

variable "database_storage_gb" {
  description = "Initial RDS storage."
  type        = number
  default     = 20
}

variable "database_backup_retention_days" {
  description = "RDS backup retention."
  type        = number
  default     = 7
}

variable "deletion_protection" {
  description = "Protect the database from deletion."
  type        = bool
}

variable "database_password_version" {
  description = "Bump to rotate the service's database password."
  type        = number
  default     = 1
}
