#!/usr/bin/env bash
# Usage: image-revision.sh IMAGE@sha256:... [LABEL]
# Print the git revision an image digest was built from (its org.opencontainers.image.revision
# label, set by release.yml), failing when the digest carries none. With LABEL
# org.opencontainers.image.version, print the release version (X.Y.Z) instead.
set -euo pipefail

ref=${1:?image@digest}
label=${2:-org.opencontainers.image.revision}
case "$label" in
  org.opencontainers.image.revision) shape='^[0-9a-f]{40}$' ;;
  org.opencontainers.image.version) shape='^[0-9]+\.[0-9]+\.[0-9]+$' ;;
  *) echo "::error::image-revision.sh reads the revision or the version label, not ${label}" >&2; exit 1 ;;
esac
value=$(docker buildx imagetools inspect "$ref" --format '{{ json .Image }}' \
  | jq -r --arg name "$label" '[.. | objects | .Labels? // empty | .[$name] // empty] | first // ""')
if ! [[ "$value" =~ $shape ]]; then
  echo "::error::${ref} carries no valid ${label} label (got '${value}')" >&2
  exit 1
fi
echo "$value"
