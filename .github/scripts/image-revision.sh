#!/usr/bin/env bash
# Usage: image-revision.sh IMAGE@sha256:...
# Print the git revision an image digest was built from (its org.opencontainers.image.revision
# label, set by release.yml), failing when the digest carries none.
set -euo pipefail

ref=${1:?image@digest}
rev=$(docker buildx imagetools inspect "$ref" --format '{{ json .Image }}' \
  | jq -r '[.. | objects | .Labels? // empty | .["org.opencontainers.image.revision"] // empty] | first // ""')
if ! [[ "$rev" =~ ^[0-9a-f]{40}$ ]]; then
  echo "::error::${ref} carries no org.opencontainers.image.revision label" >&2
  exit 1
fi
echo "$rev"
