variable "identifier" {
  description = "RDS instance identifier, e.g. comments-dev."
  type        = string
}

variable "environment" {
  description = "Environment (dev, staging, prod): names the database URL secret."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "vpc_id" {
  description = "VPC of the instance."
  type        = string
}

variable "db_subnet_group_name" {
  description = "Subnet group over the isolated database subnets."
  type        = string
}

variable "client_security_group_id" {
  description = "Security group allowed to connect on 5432 (the EKS nodes')."
  type        = string
}

variable "instance_class" {
  description = "Instance class, e.g. db.t4g.micro."
  type        = string
}

variable "multi_az" {
  description = "Synchronous standby in a second AZ (prod)."
  type        = bool
  default     = false
}

variable "allocated_storage_gb" {
  description = "Initial gp3 storage."
  type        = number
  default     = 20

  validation {
    condition     = var.allocated_storage_gb >= 20
    error_message = "allocated_storage_gb must be at least 20."
  }
}

variable "max_allocated_storage_gb" {
  description = "Storage autoscaling ceiling."
  type        = number
  default     = 100
}

variable "backup_retention_days" {
  description = "Automated backup (and point-in-time recovery) window in days."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 1 and 35."
  }
}

variable "deletion_protection" {
  description = "Refuse deletion; also keeps a final snapshot on destroy."
  type        = bool
  default     = true
}

variable "database_name" {
  description = "Database the service uses."
  type        = string
  default     = "comments"
}

variable "app_user" {
  description = "Login role the service connects as (created once, see docs/infrastructure.md)."
  type        = string
  default     = "comments_api"
}

variable "password_version" {
  description = "Bump to rotate the service's password: a new one is generated and written, never stored in state."
  type        = number
  default     = 1
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default     = {}
}
