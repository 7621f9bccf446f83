# Argo CD on a fresh cluster, so that it syncs its own overlay with no manual step:
# 1. the pinned argo-cd chart; 2. the in-cluster cluster secret labelled with environment and
# cloud (the ApplicationSets' cluster generator selects on those labels, gitops-bridge style);
# 3. the root Application (argocd/bootstrap) through the pinned argocd-apps chart, which,
# unlike a kubernetes_manifest, needs no Application CRD at plan time.

locals {
  namespace  = "argocd"
  repository = "https://argoproj.github.io/argo-helm"
  replicas   = var.high_availability ? 2 : 1
}

resource "helm_release" "argocd" {
  name             = "argocd"
  namespace        = local.namespace
  create_namespace = true
  repository       = local.repository
  chart            = "argo-cd"
  version          = var.argocd_chart_version
  atomic           = true
  timeout          = 600

  values = [yamlencode({
    dex        = { enabled = false }
    server     = { replicas = local.replicas }
    repoServer = { replicas = local.replicas }
    "redis-ha" = { enabled = var.high_availability }
    configs = {
      params = { "server.insecure" = false }
    }
    # The notifications controller is on; its configuration (argocd-notifications-cm: the GitHub
    # deploy statuses) comes from Git through argocd/bootstrap, its credentials from the Secret below.
    notifications = {
      enabled = true
      cm      = { create = false }
      secret  = { create = false }
    }
  })]
}

# The GitHub App the notifications controller posts the deploy/<env>-<cloud> commit statuses with
# (permission `statuses: write` on this repository only). Without it no status is posted and every
# promotion out of this environment is refused (the gate fails closed).
resource "kubernetes_secret_v1" "notifications" {
  count = var.notifications_github_app == null ? 0 : 1

  metadata {
    name      = "argocd-notifications-secret"
    namespace = local.namespace
    labels = {
      "app.kubernetes.io/part-of" = "argocd"
    }
  }

  data = {
    "github-appID"          = var.notifications_github_app.app_id
    "github-installationID" = var.notifications_github_app.installation_id
    "github-privateKey"     = var.notifications_github_app.private_key
  }

  depends_on = [helm_release.argocd]
}

resource "kubernetes_secret_v1" "in_cluster" {
  metadata {
    name      = "in-cluster"
    namespace = local.namespace
    labels = {
      "argocd.argoproj.io/secret-type" = "cluster"
      environment                      = var.environment
      cloud                            = var.cloud
    }
    annotations = var.cluster_annotations
  }

  data = {
    name   = "in-cluster"
    server = "https://kubernetes.default.svc"
    config = jsonencode({ tlsClientConfig = { insecure = false } })
  }

  depends_on = [helm_release.argocd]
}

resource "helm_release" "root" {
  name       = "argocd-root"
  namespace  = local.namespace
  repository = local.repository
  chart      = "argocd-apps"
  version    = var.argocd_apps_chart_version

  values = [yamlencode({
    applications = {
      # Same shape as argocd/root-application.yaml (validated with the other manifests there).
      root = {
        namespace  = local.namespace
        project    = "default"
        finalizers = ["resources-finalizer.argocd.argoproj.io"]
        source = {
          repoURL        = var.repo_url
          targetRevision = var.target_revision
          path           = "argocd/bootstrap"
        }
        destination = {
          server    = "https://kubernetes.default.svc"
          namespace = local.namespace
        }
        syncPolicy = {
          automated = { prune = true, selfHeal = true }
          retry = {
            limit   = 10
            backoff = { duration = "10s", factor = 2, maxDuration = "5m" }
          }
        }
      }
    }
  })]

  depends_on = [kubernetes_secret_v1.in_cluster]
}
