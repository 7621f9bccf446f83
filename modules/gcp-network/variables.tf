variable "project_id" {
  description = "GCP project that owns the network."
  type        = string
}

variable "region" {
  description = "Region of the subnet, router and NAT."
  type        = string
}

variable "name" {
  description = "Name prefix for the VPC and everything in it, e.g. comments-dev."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}[a-z0-9]$", var.name))
    error_message = "name must be a lowercase RFC1035 label of at most 42 characters."
  }
}

variable "nodes_cidr" {
  description = "Primary range of the GKE subnet (nodes)."
  type        = string

  validation {
    condition     = can(cidrhost(var.nodes_cidr, 0)) && try(cidrhost(var.nodes_cidr, 0) == split("/", var.nodes_cidr)[0], false)
    error_message = "nodes_cidr must be a valid CIDR block given by its network address."
  }
}

variable "pods_cidr" {
  description = "Secondary range for Pod IPs (VPC-native cluster)."
  type        = string

  validation {
    condition     = can(cidrhost(var.pods_cidr, 0)) && try(cidrhost(var.pods_cidr, 0) == split("/", var.pods_cidr)[0], false)
    error_message = "pods_cidr must be a valid CIDR block given by its network address."
  }
}

variable "services_cidr" {
  description = "Secondary range for Service IPs."
  type        = string

  validation {
    condition     = can(cidrhost(var.services_cidr, 0)) && try(cidrhost(var.services_cidr, 0) == split("/", var.services_cidr)[0], false)
    error_message = "services_cidr must be a valid CIDR block given by its network address."
  }
}

variable "private_services_cidr" {
  description = "Range reserved for private services access (Cloud SQL's private IP). Pinned, not auto-allocated: the overlays' NetworkPolicy egress names exactly this range."
  type        = string

  validation {
    condition     = can(cidrhost(var.private_services_cidr, 0)) && try(cidrhost(var.private_services_cidr, 0) == split("/", var.private_services_cidr)[0], false)
    error_message = "private_services_cidr must be a valid CIDR block given by its network address."
  }

  validation {
    condition     = try(tonumber(split("/", var.private_services_cidr)[1]) >= 16 && tonumber(split("/", var.private_services_cidr)[1]) <= 24, false)
    error_message = "private_services_cidr must be a /16 to /24 (Cloud SQL needs at least a /24)."
  }
}

variable "nat_min_ports_per_vm" {
  description = "Minimum NAT source ports per VM; raise it when nodes run many outbound connections."
  type        = number
  default     = 64
}

variable "nat_log_filter" {
  description = "Which NAT translations are logged: ERRORS_ONLY, TRANSLATIONS_ONLY or ALL."
  type        = string
  default     = "ERRORS_ONLY"

  validation {
    condition     = contains(["ERRORS_ONLY", "TRANSLATIONS_ONLY", "ALL"], var.nat_log_filter)
    error_message = "nat_log_filter must be ERRORS_ONLY, TRANSLATIONS_ONLY or ALL."
  }
}
