provider "google" {
  project = var.project_id
  region  = var.region

  default_labels = {
    app         = "comments"
    environment = "staging"
    managed-by  = "terraform"
  }
}

# Kubernetes credentials come from the gcloud plugin at run time, never from state.
locals {
  gke_exec = {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "gke-gcloud-auth-plugin"
  }
}

provider "kubernetes" {
  host                   = "https://${module.platform.cluster_endpoint}"
  cluster_ca_certificate = base64decode(module.platform.cluster_ca_certificate)

  exec {
    api_version = local.gke_exec.api_version
    command     = local.gke_exec.command
  }
}

provider "helm" {
  kubernetes = {
    host                   = "https://${module.platform.cluster_endpoint}"
    cluster_ca_certificate = base64decode(module.platform.cluster_ca_certificate)
    exec                   = local.gke_exec
  }
}
