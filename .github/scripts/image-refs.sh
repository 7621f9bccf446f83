#!/usr/bin/env bash
# Print the registry and image names (`key=value` lines for $GITHUB_OUTPUT) from the repository
# variables, failing with the missing variable's name instead of pushing to a half-empty reference.
set -euo pipefail

missing=()
for var in GCP_REGION GCP_PROJECT_ID GAR_REPOSITORY AWS_REGION AWS_ACCOUNT_ID; do
  [ -n "${!var:-}" ] || missing+=("$var")
done
if ((${#missing[@]})); then
  echo "::error::set these repository variables (Settings > Secrets and variables > Actions > Variables): ${missing[*]}" >&2
  exit 1
fi

image=${IMAGE_NAME:-comments-api}
gar_registry="${GCP_REGION}-docker.pkg.dev"
ecr_registry="${AWS_ACCOUNT_ID}.dkr.ecr.${AWS_REGION}.amazonaws.com"
echo "gar-registry=${gar_registry}"
echo "gar-image=${gar_registry}/${GCP_PROJECT_ID}/${GAR_REPOSITORY}/${image}"
echo "ecr-registry=${ecr_registry}"
echo "ecr-image=${ecr_registry}/${ECR_REPOSITORY:-$image}"
