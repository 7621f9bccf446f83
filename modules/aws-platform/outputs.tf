output "cluster_name" {
  description = "EKS cluster name."
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "EKS API endpoint."
  value       = module.eks.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "EKS cluster CA (base64)."
  value       = module.eks.cluster_certificate_authority_data
  sensitive   = true
}

output "image" {
  description = "ECR repository URL of comments-api."
  value       = module.registry.repository_url
}

output "service_role_arn" {
  description = "IAM role of the comments-api ServiceAccount (Pod Identity)."
  value       = module.service_identity.role_arn
}

output "ci_role_arn" {
  description = "Role the GitHub release workflow assumes to push images."
  value       = module.ci_identity.role_arn
}

output "github_oidc_provider_arn" {
  description = "GitHub OIDC provider ARN of the account."
  value       = module.ci_identity.oidc_provider_arn
}

output "database_url_secret" {
  description = "Secrets Manager secret name holding APP_DATABASE__URL."
  value       = module.database.database_url_secret_name
}

output "database_master_secret_arn" {
  description = "ARN of the RDS-managed master credentials secret."
  value       = module.database.master_user_secret_arn
}

output "vpc_id" {
  description = "VPC ID (the load balancer controller's vpcId)."
  value       = module.network.vpc_id
}

output "certificate_arn" {
  description = "ACM certificate of the hostname."
  value       = module.edge.certificate_arn
}

output "dns_records" {
  description = "DNS record validating the certificate (create once)."
  value       = module.edge.dns_records
}

output "vpc_cidr" {
  description = "VPC CIDR."
  value       = module.network.vpc_cidr_block
}

output "load_balancer_cidr" {
  description = "One CIDR covering the public subnets: the only sources of the internet-facing ALB's traffic to pod IPs (ingress network policy)."
  value       = module.network.public_subnets_cidr
}

output "database_cidr" {
  description = "One CIDR covering the database subnets (egress network policy)."
  value       = module.network.database_subnets_cidr
}

output "nat_public_ips" {
  description = "Egress IPs of the environment."
  value       = module.network.nat_public_ips
}
