# Three-AZ VPC: public subnets (load balancers, NAT), private subnets (EKS nodes and pods),
# isolated database subnets (RDS, no route to the internet). NAT policy per environment.

locals {
  # The VPC in quarters: three for the private subnets (VPC CNI gives pods VPC addresses, so they
  # are large), the last one halved: public subnets in its lower half, database subnets in its
  # upper half, so all database subnets sit in one aligned block (one CIDR for network policies).
  private_subnets  = [for i in range(3) : cidrsubnet(var.cidr, 2, i)]
  last_quarter     = cidrsubnet(var.cidr, 2, 3)
  public_block     = cidrsubnet(local.last_quarter, 1, 0)
  public_subnets   = [for i in range(3) : cidrsubnet(local.public_block, 2, i)]
  database_block   = cidrsubnet(local.last_quarter, 1, 1)
  database_subnets = [for i in range(3) : cidrsubnet(local.database_block, 2, i)]
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 6.0"

  name = var.name
  cidr = var.cidr
  azs  = var.azs

  private_subnets  = local.private_subnets
  public_subnets   = local.public_subnets
  database_subnets = local.database_subnets

  create_database_subnet_group       = true
  create_database_subnet_route_table = true

  enable_nat_gateway     = true
  single_nat_gateway     = !var.nat_gateway_per_az
  one_nat_gateway_per_az = var.nat_gateway_per_az

  enable_dns_hostnames = true
  enable_dns_support   = true

  map_public_ip_on_launch = false

  enable_flow_log                                 = true
  create_flow_log_cloudwatch_log_group            = true
  create_flow_log_cloudwatch_iam_role             = true
  flow_log_cloudwatch_log_group_retention_in_days = var.flow_log_retention_days

  public_subnet_tags = {
    "kubernetes.io/role/elb" = "1"
  }
  private_subnet_tags = {
    "kubernetes.io/role/internal-elb" = "1"
  }

  tags = var.tags
}
