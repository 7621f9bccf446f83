output "cluster_name" {
  description = "EKS cluster name."
  value       = module.cluster.cluster_name
}

output "cluster_endpoint" {
  description = "API server endpoint."
  value       = module.cluster.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "Cluster CA (base64)."
  value       = module.cluster.cluster_certificate_authority_data
  sensitive   = true
}

output "lb_controller_role_arn" {
  description = "IAM role of the AWS Load Balancer Controller (Pod Identity)."
  value       = module.lb_controller_identity.iam_role_arn

  precondition {
    # The module's use_name_prefix stays true: the role is named "<name>-<random suffix>".
    condition     = length("${local.lb_controller_role_prefix}-") <= 38
    error_message = "The AWS Load Balancer Controller role name prefix \"${local.lb_controller_role_prefix}-\" is ${length("${local.lb_controller_role_prefix}-")} characters; AWS allows 38 for an IAM role name_prefix. Shorten the cluster name or the suffix."
  }
}

output "node_security_group_id" {
  description = "Security group of the nodes (and so of the pods); the database admits it."
  value       = module.cluster.node_security_group_id
}
