# EKS with a managed node group on AL2023, access entries (no aws-auth ConfigMap), the Pod
# Identity agent for workload credentials, private endpoint plus an allow-listed public one
# (Terraform and CI install Argo CD from outside the VPC), secrets envelope-encrypted with KMS.

locals {
  # The pod-identity module makes "<name>-" an IAM role name_prefix, which AWS caps at 38
  # characters: keep the suffix short (comments-staging-lbc- is 21).
  lb_controller_role_prefix = "${var.name}-lbc"
}

# Whoever runs Terraform gets cluster-admin from enable_cluster_creator_admin_permissions; an
# access entry for the same role in admin_role_arns would be a second entry for one principal,
# which EKS refuses (ResourceInUseException) half-way through the first apply.
data "aws_caller_identity" "current" {}

data "aws_iam_session_context" "current" {
  arn = data.aws_caller_identity.current.arn

  lifecycle {
    postcondition {
      condition     = !contains(var.admin_role_arns, self.issuer_arn)
      error_message = "admin_role_arns lists ${self.issuer_arn}, the role running Terraform: it already gets cluster-admin as the cluster creator (enable_cluster_creator_admin_permissions), and EKS refuses a second access entry for it. Remove it from admin_role_arns, or run Terraform with another role."
    }
  }
}

module "cluster" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name               = var.name
  kubernetes_version = var.kubernetes_version

  vpc_id     = var.vpc_id
  subnet_ids = var.subnet_ids

  endpoint_private_access      = true
  endpoint_public_access       = true
  endpoint_public_access_cidrs = var.public_access_cidrs

  authentication_mode                      = "API"
  enable_cluster_creator_admin_permissions = true
  access_entries = {
    for i, arn in var.admin_role_arns : "admin-${i}" => {
      principal_arn = arn
      policy_associations = {
        admin = {
          policy_arn   = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
          access_scope = { type = "cluster" }
        }
      }
    }
  }

  enabled_log_types = ["api", "audit", "authenticator"]

  addons = {
    coredns                = {}
    kube-proxy             = {}
    eks-pod-identity-agent = { before_compute = true }
    vpc-cni = {
      before_compute = true
      # The VPC CNI's network policy agent is off by default: without it every NetworkPolicy of the
      # overlays (default deny included) is accepted by the API server and enforced by nothing.
      configuration_values = jsonencode({ enableNetworkPolicy = "true" })
    }
    # The resource metrics API (metrics.k8s.io) that the HorizontalPodAutoscaler reads. EKS has no
    # metrics server of its own and kube-prometheus-stack does not serve that API.
    metrics-server = {}
    # Volumes for Prometheus' persistent storage: the in-tree EBS provisioner is gone, and EKS marks
    # no StorageClass as default, so a claim without a class would stay Pending. The add-on's
    # default class (ebs-csi-default-sc, gp3) serves it; it sets no `encrypted` parameter, so the
    # volume is encrypted only where the account enables EBS encryption by default.
    aws-ebs-csi-driver = {
      configuration_values = jsonencode({ defaultStorageClass = { enabled = true } })
      pod_identity_association = [{
        role_arn        = module.ebs_csi_identity.iam_role_arn
        service_account = "ebs-csi-controller-sa"
      }]
    }
  }

  eks_managed_node_groups = {
    default = {
      ami_type       = "AL2023_x86_64_STANDARD"
      instance_types = var.instance_types
      capacity_type  = var.capacity_type
      min_size       = var.min_nodes
      max_size       = var.max_nodes
      desired_size   = var.desired_nodes
    }
  }

  tags = var.tags
}

# The AWS Load Balancer Controller (installed by Argo CD, argocd/applicationsets) turns the
# overlay's Ingress into an ALB; its IAM role reaches kube-system/aws-load-balancer-controller
# through Pod Identity. The policy is the controller's published one, kept by the module.
module "lb_controller_identity" {
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"

  name                            = local.lb_controller_role_prefix
  attach_aws_lb_controller_policy = true

  associations = {
    controller = {
      cluster_name    = module.cluster.cluster_name
      namespace       = "kube-system"
      service_account = "aws-load-balancer-controller"
    }
  }

  tags = var.tags
}

# The EBS CSI controller's IAM role (the policy is the driver's published one, kept by the module);
# the add-on above associates it with kube-system/ebs-csi-controller-sa.
module "ebs_csi_identity" {
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"

  name                      = "${var.name}-aws-ebs-csi-driver"
  attach_aws_ebs_csi_policy = true

  tags = var.tags
}
