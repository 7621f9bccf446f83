#!/usr/bin/env bash
# Usage: changed-areas.sh [--unmapped] < changed-paths
# Classify changed paths (one per line on stdin) into the areas the PR pipeline gates on and print
# `<area>=true|false` lines (for $GITHUB_OUTPUT). A change to the pipeline itself (.github/, .ci/,
# the Justfile, cliff.toml, pyproject.toml) selects every area: changing how checks run must run the checks.
# Every path must be known: documentation selects no check; a path no rule knows selects every area
# (fail safe) with a warning. With --unmapped, print only the paths no rule knows (tests/workflows
# runs it on `git ls-files`, so a new top-level path must be given its area here).
set -euo pipefail

areas=(rust python loadtest image manifests terraform workflows)
declare -A hit=()
for area in "${areas[@]}"; do hit[$area]=false; done
unmapped_only=false
if [ "${1:-}" = --unmapped ]; then unmapped_only=true; fi

all() { for area in "${areas[@]}"; do hit[$area]=true; done; }

while IFS= read -r path; do
  [ -n "$path" ] || continue
  known=false
  case "$path" in
    .github/* | .ci/* | Justfile | cliff.toml | pyproject.toml) all; known=true ;;
  esac
  case "$path" in
    Cargo.toml | Cargo.lock | deny.toml | rust-toolchain* | .cargo/* | app/* | xtask/*)
      hit[rust]=true hit[loadtest]=true hit[image]=true known=true ;;
    # The API fuzzing (`just fuzz-api`) runs in the load-test job, against the release build.
    schemathesis.toml | scripts/fuzz-api.sh | scripts/fuzz_cases.py) hit[loadtest]=true known=true ;;
  esac
  case "$path" in
    # loadtest/ is in the image's build context (Dockerfile: COPY . .), so it selects the image too.
    loadtest/*) hit[rust]=true hit[loadtest]=true hit[image]=true known=true ;;
    just/loadtest.just | scripts/bench/*) hit[loadtest]=true known=true ;;
  esac
  case "$path" in
    Dockerfile* | .dockerignore | docker/* | scripts/images/* | just/image.just | tests/image/* \
      | docker-compose.yml | deploy/*)
      hit[image]=true known=true ;;
    # The cluster test runs in the image job, on the image it built; its timing check reads the Deployment.
    scripts/cluster/* | just/cluster.just | tests/cluster/* | docker-compose.cluster.yml \
      | environments/base/deployment.yaml)
      hit[image]=true known=true ;;
  esac
  case "$path" in
    # The promotion history is read by `just promote --check` (manifests), not by Terraform.
    environments/*/version/*) hit[manifests]=true known=true ;;
    # Terraform roots and modules (their READMEs carry generated input/output tables that are checked).
    # The manifest validation reads them too: the cluster model (tools/k8s/clusters.py: add-ons, network
    # policy enforcement) comes from the modules, the ApplicationSet templates from the roots' outputs.
    environments/*.tf | modules/*) hit[terraform]=true hit[manifests]=true known=true ;;
    environments/*.tfvars* | environments/*.hcl | environments/*.md \
      | .tflint.hcl | tools/infra/* | just/infra.just | tests/infra/*)
      hit[terraform]=true known=true ;;
    environments/* | argocd/* | tools/k8s/* | just/k8s.just | tests/k8s/*) hit[manifests]=true known=true ;;
  esac
  case "$path" in
    # The Kubernetes minor is shared by the Terraform roots and the manifest validation.
    environments/kubernetes-version.txt) hit[terraform]=true hit[manifests]=true known=true ;;
  esac
  case "$path" in
    just/workflows.just | tests/workflows/* | tests/conftest.py) hit[workflows]=true known=true ;;
  esac
  case "$path" in
    # ruff (`just lint`) reads every Python file; the area that owns the file selects its tests below.
    *.py) hit[python]=true ;;
  esac
  case "$path" in
    # The environment list: read by the manifest tools, the Terraform checks and the workflow invariants.
    tools/environments.py) hit[manifests]=true hit[terraform]=true hit[workflows]=true known=true ;;
  esac
  case "$path" in
    # Documentation: no check reads it.
    docs/* | README.md | COMMENTS.md | CHANGELOG.md | LICENSE* | .gitignore) known=true ;;
  esac
  if [ "$known" = false ]; then
    if [ "$unmapped_only" = true ]; then
      echo "$path"
    else
      echo "::warning::changed-areas: no rule for ${path}: every check runs" >&2
      all
    fi
  fi
done

if [ "$unmapped_only" = false ]; then
  for area in "${areas[@]}"; do echo "${area}=${hit[$area]}"; done
fi
