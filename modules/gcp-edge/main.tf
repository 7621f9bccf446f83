# The public entry point the GKE Gateway (environments/components/gke/gateway.yaml) attaches to:
# a global static address and a Certificate Manager map, both named comments-api, holding a
# Google-managed certificate for the hostname. The certificate is authorised by a DNS record, so
# it is issued before traffic moves (see the dns_records output: the one manual DNS step).

resource "google_compute_global_address" "gateway" {
  project = var.project_id
  name    = var.name
}

resource "google_certificate_manager_dns_authorization" "hostname" {
  project = var.project_id
  name    = var.name
  domain  = var.hostname
}

resource "google_certificate_manager_certificate" "hostname" {
  project = var.project_id
  name    = var.name

  managed {
    domains            = [var.hostname]
    dns_authorizations = [google_certificate_manager_dns_authorization.hostname.id]
  }
}

resource "google_certificate_manager_certificate_map" "gateway" {
  project = var.project_id
  name    = var.name
}

resource "google_certificate_manager_certificate_map_entry" "hostname" {
  project      = var.project_id
  name         = var.name
  map          = google_certificate_manager_certificate_map.gateway.name
  hostname     = var.hostname
  certificates = [google_certificate_manager_certificate.hostname.id]
}
