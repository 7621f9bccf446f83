variable "project_id" {
  description = "GCP project of the cluster."
  type        = string
}

variable "region" {
  description = "Region of the (regional) cluster; the control plane and nodes span its zones."
  type        = string
}

variable "name" {
  description = "Cluster name, e.g. comments-dev."
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes minor version (e.g. 1.35); the release channel patches within it."
  type        = string

  validation {
    condition     = can(regex("^1\\.[0-9]+$", var.kubernetes_version))
    error_message = "kubernetes_version must be a minor version such as 1.35."
  }
}

variable "release_channel" {
  description = "GKE release channel: REGULAR for dev/staging, STABLE for prod."
  type        = string
  default     = "REGULAR"

  validation {
    condition     = contains(["RAPID", "REGULAR", "STABLE"], var.release_channel)
    error_message = "release_channel must be RAPID, REGULAR or STABLE."
  }
}

variable "network_name" {
  description = "VPC the cluster joins."
  type        = string
}

variable "subnet_name" {
  description = "Subnet of the nodes."
  type        = string
}

variable "pods_range_name" {
  description = "Secondary range name for Pods."
  type        = string
}

variable "services_range_name" {
  description = "Secondary range name for Services."
  type        = string
}

variable "master_ipv4_cidr_block" {
  description = "/28 for the control plane's private endpoint."
  type        = string

  validation {
    condition     = can(cidrhost(var.master_ipv4_cidr_block, 0)) && endswith(var.master_ipv4_cidr_block, "/28") && try(cidrhost(var.master_ipv4_cidr_block, 0) == split("/", var.master_ipv4_cidr_block)[0], false)
    error_message = "master_ipv4_cidr_block must be a /28 given by its network address."
  }
}

variable "master_authorized_networks" {
  description = "CIDRs allowed to reach the control plane (CI runners, operators). Never 0.0.0.0/0."
  type        = list(object({ cidr_block = string, display_name = string }))

  validation {
    condition     = alltrue([for n in var.master_authorized_networks : n.cidr_block != "0.0.0.0/0"])
    error_message = "master_authorized_networks must not contain 0.0.0.0/0."
  }
}

variable "machine_type" {
  description = "Machine type of the default node pool."
  type        = string
  default     = "e2-standard-2"
}

variable "min_nodes_per_zone" {
  description = "Autoscaler minimum per zone (a regional pool has three zones)."
  type        = number
  default     = 1

  validation {
    condition     = var.min_nodes_per_zone >= 0
    error_message = "min_nodes_per_zone must not be negative."
  }
}

variable "max_nodes_per_zone" {
  description = "Autoscaler maximum per zone."
  type        = number
  default     = 3

  validation {
    condition     = var.max_nodes_per_zone >= 1
    error_message = "max_nodes_per_zone must be at least 1."
  }
}

variable "spot_nodes" {
  description = "Use Spot VMs for the node pool (dev only: they can be reclaimed at any time)."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Refuse `terraform destroy` of the cluster (on in prod)."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels applied to the cluster."
  type        = map(string)
  default     = {}
}
