variable "name" {
  description = "Name of the VPC, e.g. comments-dev; also the EKS cluster name used in subnet tags."
  type        = string
}

variable "cidr" {
  description = "VPC CIDR; split into public, private (nodes) and database subnets over three AZs."
  type        = string

  validation {
    condition     = can(cidrhost(var.cidr, 0)) && try(cidrhost(var.cidr, 0) == split("/", var.cidr)[0] && tonumber(split("/", var.cidr)[1]) <= 18, false)
    error_message = "cidr must be a block of /18 or larger given by its network address."
  }
}

variable "azs" {
  description = "Exactly three availability zones."
  type        = list(string)

  validation {
    condition     = length(var.azs) == 3
    error_message = "azs must list exactly three availability zones."
  }
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per AZ (prod: an AZ outage keeps egress) or a single shared one (dev: cheaper)."
  type        = bool
}

variable "flow_log_retention_days" {
  description = "Retention of the VPC flow logs in CloudWatch."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default     = {}
}
