output "namespace" {
  description = "Namespace Argo CD runs in."
  value       = local.namespace
}

output "argocd_chart_version" {
  description = "Installed argo-cd chart version."
  value       = helm_release.argocd.version
}

output "cluster_secret_labels" {
  description = "Labels of the in-cluster cluster secret (what the ApplicationSets select on)."
  value       = kubernetes_secret_v1.in_cluster.metadata[0].labels
}
