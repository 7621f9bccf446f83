#!/usr/bin/env bash
# Usage: input-revision.sh [REPO]. Prints the revision service-image.sh labels, tags and compiles into the image:
# the last commit (12 hex) that changed the image's inputs, i.e. what .dockerignore lets into the build context,
# the Dockerfile and the ignore file itself, plus `-dirty` when they have uncommitted changes.
# A commit that leaves the inputs alone (docs, manifests, Terraform, CI) names the same revision, so its image
# build is the one already built, layer for layer, instead of a release compile that differs only in the
# revision string baked into the binary. A shallow clone names HEAD. (release.yml labels and compiles github.sha.)
set -euo pipefail
repo=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
mapfile -t inputs < <(sed -n 's#^!\(.*[^/]\)/*$#\1#p' "$repo/.dockerignore")
inputs+=(Dockerfile .dockerignore)
revision=$(git -C "$repo" log -1 --format=%H -- "${inputs[@]}" | cut -c1-12)
revision=${revision:-$(git -C "$repo" rev-parse --short=12 HEAD)}
if [ -n "$(git -C "$repo" status --porcelain -- "${inputs[@]}")" ]; then
  revision="${revision}-dirty"
fi
echo "$revision"
