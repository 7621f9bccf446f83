# The service's cloud identity on GCP, secret-read only:
# - a Google service account that comments/comments-api impersonates (Workload Identity), and
# - direct Workload Identity Federation grants on the secrets for the Kubernetes service accounts
#   that read them (External Secrets Operator reads with its own identity).
# Each gets roles/secretmanager.secretAccessor on the named secrets and nothing else.

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  pool = "${var.project_id}.svc.id.goog"
  # for_each keys must be known at plan time, on a fresh project too: they come from the
  # variables only (reader keys are "gsa" and the namespace/name entries). The members may stay
  # unknown until apply (the service account's member, the project number read from the data
  # source that the platform's depends_on defers).
  readers = merge(
    { gsa = google_service_account.service.member },
    { for s in var.secret_reader_service_accounts :
      s => "principal://iam.googleapis.com/projects/${data.google_project.this.number}/locations/global/workloadIdentityPools/${local.pool}/subject/ns/${split("/", s)[0]}/sa/${split("/", s)[1]}"
    },
  )
  grants = {
    for pair in setproduct(var.readable_secret_ids, concat(["gsa"], var.secret_reader_service_accounts)) :
    "${pair[0]} ${pair[1]}" => { secret_id = pair[0], member = local.readers[pair[1]] }
  }
}

resource "google_service_account" "service" {
  project      = var.project_id
  account_id   = "comments-api"
  display_name = "comments-api workload identity"
}

resource "google_service_account_iam_member" "workload_identity" {
  service_account_id = google_service_account.service.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${local.pool}[${var.namespace}/${var.kubernetes_service_account}]"
}

resource "google_secret_manager_secret_iam_member" "read" {
  for_each = local.grants

  project   = var.project_id
  secret_id = each.value.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = each.value.member
}
