variable "project_id" {
  description = "GCP project of the instance."
  type        = string
}

variable "region" {
  description = "Region of the instance."
  type        = string
}

variable "name" {
  description = "Instance name, e.g. comments-dev."
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

variable "network_self_link" {
  description = "VPC with private services access; the instance gets a private IP there only."
  type        = string
}

variable "private_services_connection" {
  description = "ID of the private services access peering (orders creation after it)."
  type        = string
}

variable "tier" {
  description = "Machine tier, e.g. db-custom-1-3840."
  type        = string
}

variable "high_availability" {
  description = "REGIONAL (synchronous standby in another zone) when true, ZONAL otherwise."
  type        = bool
  default     = false
}

variable "disk_size_gb" {
  description = "Initial SSD size in GB; it grows automatically."
  type        = number
  default     = 10

  validation {
    condition     = var.disk_size_gb >= 10
    error_message = "disk_size_gb must be at least 10."
  }
}

variable "backup_retained_count" {
  description = "Number of daily backups kept."
  type        = number
  default     = 7
}

variable "log_retention_days" {
  description = "Days of write-ahead log kept for point-in-time recovery (1-7)."
  type        = number
  default     = 7

  validation {
    condition     = var.log_retention_days >= 1 && var.log_retention_days <= 7
    error_message = "log_retention_days must be between 1 and 7."
  }
}

variable "deletion_protection" {
  description = "Refuse deletion of the instance (on in prod)."
  type        = bool
  default     = true
}

variable "database_name" {
  description = "Database the service uses."
  type        = string
  default     = "comments"
}

variable "app_user" {
  description = "Login role the service connects as."
  type        = string
  default     = "comments_api"
}

variable "password_version" {
  description = "Bump to rotate the service's password: a new one is generated and written, never stored in state."
  type        = number
  default     = 1
}

variable "labels" {
  description = "User labels on the instance."
  type        = map(string)
  default     = {}
}
