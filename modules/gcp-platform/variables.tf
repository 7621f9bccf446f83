variable "project_id" {
  description = "GCP project of the environment."
  type        = string
}

variable "region" {
  description = "Region of everything (cluster, database, registry)."
  type        = string
}

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

variable "release_channel" {
  description = "GKE release channel."
  type        = string
  default     = "REGULAR"
}

variable "hostname" {
  description = "Public hostname of the service in this environment."
  type        = string
}

variable "github_repository" {
  description = "owner/name of the GitHub repository allowed to push images."
  type        = string
}

variable "master_authorized_networks" {
  description = "CIDRs allowed to reach the GKE control plane."
  type        = list(object({ cidr_block = string, display_name = string }))
}

variable "source_registry" {
  description = "Artifact Registry repository of the previous environment (dev for staging, staging for prod) whose digests promotion copies; null for dev."
  type = object({
    project_id    = string
    location      = string
    repository_id = string
  })
  default = null

  validation {
    condition     = (var.environment == "dev") == (var.source_registry == null)
    error_message = "source_registry must be null for dev and set for staging and prod (promotion copies from the previous environment)."
  }
}

variable "network_cidrs" {
  description = "Address plan: nodes, pods, services, control plane (/28), private services access (Cloud SQL; the overlay's databaseCidr)."
  type = object({
    nodes            = string
    pods             = string
    services         = string
    master           = string
    private_services = string
  })
}

variable "node_machine_type" {
  description = "Machine type of the node pool."
  type        = string
}

variable "min_nodes_per_zone" {
  description = "Autoscaler minimum per zone."
  type        = number
}

variable "max_nodes_per_zone" {
  description = "Autoscaler maximum per zone."
  type        = number
}

variable "spot_nodes" {
  description = "Run the node pool on Spot VMs."
  type        = bool
  default     = false
}

variable "database_tier" {
  description = "Cloud SQL machine tier."
  type        = string
}

variable "database_high_availability" {
  description = "Regional (HA) Cloud SQL instance."
  type        = bool
}

variable "database_disk_size_gb" {
  description = "Initial Cloud SQL disk size."
  type        = number
  default     = 10
}

variable "deletion_protection" {
  description = "Protect the cluster and database from deletion."
  type        = bool
}

variable "database_password_version" {
  description = "Bump to rotate the service's database password."
  type        = number
  default     = 1
}
