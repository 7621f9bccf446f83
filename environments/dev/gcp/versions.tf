terraform {
  # 1.11: write-only arguments (database password never in state).
  required_version = ">= 1.11"

  # The bucket is per organisation: `terraform init -backend-config=bucket=<state bucket>`.
  backend "gcs" {
    prefix = "comments/dev/gcp"
  }

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.40"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "~> 3.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.38"
    }
  }
}
