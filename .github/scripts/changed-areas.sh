#!/usr/bin/env bash
# Classify changed paths (one per line on stdin) into the areas the PR pipeline gates on and print
# `<area>=true|false` lines (for $GITHUB_OUTPUT). A change to the pipeline itself (.github/, .ci/,
# the Justfile) selects every area: changing how checks run must run the checks.
set -euo pipefail

areas=(rust loadtest image manifests terraform workflows)
declare -A hit=()
for area in "${areas[@]}"; do hit[$area]=false; done

all() { for area in "${areas[@]}"; do hit[$area]=true; done; }

while IFS= read -r path; do
  [ -n "$path" ] || continue
  case "$path" in
    .github/* | .ci/* | Justfile) all ;;
  esac
  case "$path" in
    Cargo.toml | Cargo.lock | deny.toml | rust-toolchain* | .cargo/* | app/* | xtask/*)
      hit[rust]=true hit[loadtest]=true hit[image]=true ;;
  esac
  case "$path" in
    loadtest/* | just/loadtest.just) hit[rust]=true hit[loadtest]=true ;;
  esac
  case "$path" in
    Dockerfile* | .dockerignore | docker/* | scripts/images/* | just/image.just) hit[image]=true ;;
  esac
  case "$path" in
    # Terraform roots and modules (their READMEs carry generated input/output tables that are checked).
    environments/*.tf | environments/*.tfvars* | environments/*.hcl | environments/*.md | modules/* \
      | .tflint.hcl | tools/infra/* | just/infra.just)
      hit[terraform]=true ;;
    environments/* | argocd/* | tools/k8s/* | just/k8s.just) hit[manifests]=true ;;
  esac
  case "$path" in
    # The Kubernetes minor is shared by the Terraform roots and the manifest validation.
    environments/kubernetes-version.txt) hit[terraform]=true hit[manifests]=true ;;
  esac
  case "$path" in
    just/workflows.just | tests/workflows/*) hit[workflows]=true ;;
  esac
done

for area in "${areas[@]}"; do echo "${area}=${hit[$area]}"; done
