output "cluster_name" {
  description = "EKS cluster name (aws eks update-kubeconfig)."
  value       = module.platform.cluster_name
}

output "image" {
  description = "Where CI pushes comments-api."
  value       = module.platform.image
}

output "service_role_arn" {
  description = "IAM role bound to comments/comments-api by Pod Identity."
  value       = module.platform.service_role_arn
}

output "ci_role_arn" {
  description = "GitHub repository variable for aws-actions/configure-aws-credentials."
  value       = module.platform.ci_role_arn
}

output "github_oidc_provider_arn" {
  description = "Pass to the other environments of the same account."
  value       = module.platform.github_oidc_provider_arn
}

output "database_url_secret" {
  description = "Secrets Manager secret the ExternalSecret reads (name only)."
  value       = module.platform.database_url_secret
}

output "database_master_secret_arn" {
  description = "RDS-managed master credentials (used once to create the service's login role)."
  value       = module.platform.database_master_secret_arn
}

output "nat_public_ips" {
  description = "Egress IPs of the environment."
  value       = module.platform.nat_public_ips
}

output "cluster_values" {
  description = "What environments/<env>/eks/cluster-values.yaml needs."
  value = {
    hostname         = var.hostname
    awsRegion        = var.region
    certificateArn   = module.platform.certificate_arn
    vpcCidr          = module.platform.vpc_cidr
    loadBalancerCidr = module.platform.load_balancer_cidr
    databaseCidr     = module.platform.database_cidr
  }
}

output "dns_records" {
  description = "Create once in the hostname's zone: the certificate validation record (the service's CNAME points at the ALB)."
  value       = module.platform.dns_records
}
