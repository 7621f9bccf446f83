output "vpc_id" {
  description = "VPC ID."
  value       = module.vpc.vpc_id
}

output "vpc_cidr_block" {
  description = "VPC CIDR."
  value       = module.vpc.vpc_cidr_block
}

output "private_subnet_ids" {
  description = "Private subnets (EKS nodes and pods)."
  value       = module.vpc.private_subnets
}

output "public_subnets_cidr" {
  description = "One CIDR covering every public subnet, where the internet-facing ALB's nodes live (cluster-values loadBalancerCidr)."
  value       = local.public_block
}

output "database_subnets_cidr" {
  description = "One CIDR covering every database subnet (cluster-values databaseCidr)."
  value       = local.database_block
}

output "database_subnet_group_name" {
  description = "DB subnet group over the isolated database subnets."
  value       = module.vpc.database_subnet_group_name
}

output "nat_public_ips" {
  description = "Egress IPs of the NAT gateways (allow-list them where the service calls out)."
  value       = module.vpc.nat_public_ips
}
