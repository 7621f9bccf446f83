# Cloud SQL for PostgreSQL 17: private IP only, TLS required, daily backups with
# point-in-time recovery, HA and deletion protection as the environment asks.
# The service's credentials live only in Secret Manager: the password is an ephemeral value
# written through write-only arguments, so neither state nor plan ever holds it.

locals {
  secret_id = "comments-api-${var.environment}-database-url"
}

module "postgres" {
  source  = "terraform-google-modules/sql-db/google//modules/postgresql"
  version = "~> 26.0"

  project_id          = var.project_id
  region              = var.region
  name                = var.name
  database_version    = "POSTGRES_17"
  edition             = "ENTERPRISE"
  tier                = var.tier
  availability_type   = var.high_availability ? "REGIONAL" : "ZONAL"
  disk_size           = var.disk_size_gb
  disk_type           = "PD_SSD"
  disk_autoresize     = true
  deletion_protection = var.deletion_protection
  # The Cloud SQL API-side guard, on top of Terraform's own.
  deletion_protection_enabled = var.deletion_protection
  user_labels                 = var.labels

  ip_configuration = {
    ipv4_enabled        = false
    private_network     = var.network_self_link
    ssl_mode            = "ENCRYPTED_ONLY"
    authorized_networks = []
    allocated_ip_range  = null
  }

  backup_configuration = {
    enabled                        = true
    start_time                     = "02:00"
    location                       = null
    point_in_time_recovery_enabled = true
    transaction_log_retention_days = tostring(var.log_retention_days)
    retained_backups               = var.backup_retained_count
    retention_unit                 = "COUNT"
  }

  database_flags = [
    { name = "log_min_duration_statement", value = "500" },
    { name = "cloudsql.enable_pgaudit", value = "off" },
  ]

  db_name             = var.database_name
  enable_default_db   = true
  enable_default_user = false

  module_depends_on = [var.private_services_connection]
}

ephemeral "random_password" "app" {
  length  = 40
  special = false
}

resource "google_sql_user" "app" {
  project             = var.project_id
  instance            = module.postgres.instance_name
  name                = var.app_user
  password_wo         = ephemeral.random_password.app.result
  password_wo_version = var.password_version
}

resource "google_secret_manager_secret" "database_url" {
  project   = var.project_id
  secret_id = local.secret_id
  labels    = var.labels

  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "database_url" {
  secret                 = google_secret_manager_secret.database_url.id
  secret_data_wo_version = var.password_version
  secret_data_wo = format(
    "postgres://%s:%s@%s:5432/%s?sslmode=require",
    var.app_user,
    ephemeral.random_password.app.result,
    module.postgres.private_ip_address,
    var.database_name,
  )

  depends_on = [google_sql_user.app]
}
