variable "environment" {
  description = "Environment label of the in-cluster cluster secret (ApplicationSets select on it)."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "cloud" {
  description = "Cloud label of the in-cluster cluster secret: gke or eks."
  type        = string

  validation {
    condition     = contains(["gke", "eks"], var.cloud)
    error_message = "cloud must be gke or eks."
  }
}

variable "repo_url" {
  description = "Git URL of this repository; the root Application syncs argocd/bootstrap from it."
  type        = string

  validation {
    condition     = can(regex("^(https://|git@|ssh://)", var.repo_url))
    error_message = "repo_url must be an https, ssh or scp-like git URL."
  }
}

variable "target_revision" {
  description = "Branch, tag or commit the root Application follows."
  type        = string
  default     = "main"
}

variable "argocd_chart_version" {
  description = "Pinned version of the argo-cd Helm chart."
  type        = string
  default     = "9.5.4"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.argocd_chart_version))
    error_message = "argocd_chart_version must be an exact version (x.y.z)."
  }
}

variable "argocd_apps_chart_version" {
  description = "Pinned version of the argocd-apps Helm chart (renders the root Application)."
  type        = string
  default     = "2.0.2"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.argocd_apps_chart_version))
    error_message = "argocd_apps_chart_version must be an exact version (x.y.z)."
  }
}

variable "high_availability" {
  description = "Run two replicas of the API server and repo server, and Redis HA (prod)."
  type        = bool
  default     = false
}

variable "cluster_annotations" {
  description = "Annotations of the in-cluster cluster secret: per-cluster facts ApplicationSets can template (image repository, service identity, secret name), gitops-bridge style."
  type        = map(string)
  default     = {}
}

variable "notifications_github_app" {
  description = "GitHub App (statuses: write on this repository) that Argo CD notifications post the deploy/<env>-<cloud> commit statuses with; null posts none, so promotions out of this environment are refused."
  type = object({
    app_id          = string
    installation_id = string
    private_key     = string
  })
  default   = null
  sensitive = true

  validation {
    condition     = var.notifications_github_app == null || can(regex("^[0-9]+$", var.notifications_github_app.app_id))
    error_message = "notifications_github_app.app_id must be the numeric GitHub App id."
  }
}
