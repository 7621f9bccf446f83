variable "name" {
  description = "Cluster name, e.g. comments-dev."
  type        = string
}

variable "kubernetes_version" {
  description = "Kubernetes minor version (e.g. 1.35)."
  type        = string

  validation {
    condition     = can(regex("^1\\.[0-9]+$", var.kubernetes_version))
    error_message = "kubernetes_version must be a minor version such as 1.35."
  }
}

variable "vpc_id" {
  description = "VPC of the cluster."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the control plane ENIs and the nodes."
  type        = list(string)
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to reach the public API endpoint (CI runners, operators). Never 0.0.0.0/0."
  type        = list(string)

  validation {
    condition     = length(var.public_access_cidrs) > 0 && !contains(var.public_access_cidrs, "0.0.0.0/0")
    error_message = "public_access_cidrs must be non-empty and must not contain 0.0.0.0/0."
  }
}

variable "admin_role_arns" {
  description = "IAM roles granted cluster-admin through EKS access entries (operators' SSO roles)."
  type        = list(string)
  default     = []
}

variable "instance_types" {
  description = "Instance types of the managed node group (several: more Spot capacity pools)."
  type        = list(string)
  default     = ["t3.medium"]
}

variable "capacity_type" {
  description = "ON_DEMAND, or SPOT (dev only)."
  type        = string
  default     = "ON_DEMAND"

  validation {
    condition     = contains(["ON_DEMAND", "SPOT"], var.capacity_type)
    error_message = "capacity_type must be ON_DEMAND or SPOT."
  }
}

variable "min_nodes" {
  description = "Node group minimum size."
  type        = number
  default     = 2
}

variable "max_nodes" {
  description = "Node group maximum size."
  type        = number
  default     = 4
}

variable "desired_nodes" {
  description = "Node group initial size (the autoscaler owns it afterwards)."
  type        = number
  default     = 2

  validation {
    condition     = var.desired_nodes >= 1
    error_message = "desired_nodes must be at least 1."
  }
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default     = {}
}
