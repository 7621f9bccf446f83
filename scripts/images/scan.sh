#!/usr/bin/env bash
# Usage: scan.sh IMAGE
# Vulnerability scan of a built image with trivy: exits 1 on any HIGH or CRITICAL finding that has a
# fix (unfixed ones cannot be acted on and are listed by `trivy image` without --ignore-unfixed).
# trivy needs its vulnerability database, which it downloads from its OCI registry: where that cannot
# be reached the scan prints NOT RUN and exits 2, so nothing mistakes it for a pass.
set -euo pipefail
image=${1:?image reference, e.g. comments-api:dev}
cache=${TRIVY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/trivy}
common=(--quiet --cache-dir "$cache" --skip-version-check --disable-telemetry)

err=$(mktemp)
trap 'rm -f "$err"' EXIT
if ! trivy image "${common[@]}" --download-db-only --timeout 2m > /dev/null 2>"$err"; then
  echo "image-scan: NOT RUN: trivy could not download its vulnerability database:" >&2
  grep -v '^\s*$' "$err" | tail -n 3 >&2 || true
  exit 2
fi
trivy image "${common[@]}" --skip-db-update --scanners vuln --severity HIGH,CRITICAL --ignore-unfixed \
  --exit-code 1 --format table "$image"
echo "image-scan: ${image}: no fixable HIGH or CRITICAL vulnerability"
