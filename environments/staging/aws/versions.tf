terraform {
  # 1.11: write-only arguments (database password never in state).
  required_version = ">= 1.11"

  # Bucket and region are per organisation:
  # `terraform init -backend-config=bucket=<state bucket> -backend-config=region=<region>`.
  # use_lockfile: S3-native state locking (no DynamoDB table).
  backend "s3" {
    key          = "comments/staging/aws/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
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
