# GitHub Actions -> GCP without keys: Workload Identity Federation trusting GitHub's OIDC
# issuer, accepting only tokens of one repository, the allowed refs and this environment's GitHub
# environment, and granting that repository Artifact Registry writer on this environment's
# repository and, for staging and prod, reader on the previous environment's repository (another
# project: promotion copies the digest from there).

locals {
  ref_condition      = join(" || ", [for p in var.allowed_ref_prefixes : "assertion.ref.startsWith('${p}')"])
  github_environment = var.environment == "prod" ? "production" : var.environment
  principal_set      = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.github.name}/attribute.repository/${var.github_repository}"
}

resource "google_iam_workload_identity_pool" "github" {
  project                   = var.project_id
  workload_identity_pool_id = "github-${var.environment}"
  display_name              = "GitHub Actions (${var.environment})"
}

resource "google_iam_workload_identity_pool_provider" "github" {
  project                            = var.project_id
  workload_identity_pool_id          = google_iam_workload_identity_pool.github.workload_identity_pool_id
  workload_identity_pool_provider_id = "github-oidc"
  display_name                       = "GitHub OIDC"

  attribute_mapping = {
    "google.subject"        = "assertion.sub"
    "attribute.repository"  = "assertion.repository"
    "attribute.ref"         = "assertion.ref"
    "attribute.environment" = "assertion.environment"
  }
  # Only jobs of the GitHub environment (prod: `production`, with required reviewers) get a token.
  attribute_condition = "assertion.repository == '${var.github_repository}' && assertion.environment == '${local.github_environment}' && (${local.ref_condition})"

  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

resource "google_artifact_registry_repository_iam_member" "push" {
  project    = var.project_id
  location   = var.repository_location
  repository = var.repository_name
  role       = "roles/artifactregistry.writer"
  member     = local.principal_set
}

# Cross-project grant on the previous environment's repository: whoever applies this root needs
# artifactregistry.repositories.setIamPolicy on that repository (docs/infrastructure.md).
resource "google_artifact_registry_repository_iam_member" "pull_source" {
  count = var.source_repository == null ? 0 : 1

  project    = var.source_repository.project_id
  location   = var.source_repository.location
  repository = var.source_repository.repository_id
  role       = "roles/artifactregistry.reader"
  member     = local.principal_set
}
