#!/usr/bin/env bash
# Prints the PostgreSQL image to start for tests, benchmarks and the image smoke test: TEST_POSTGRES_IMAGE when
# set; else the official image (OFFICIAL_POSTGRES_IMAGE, default postgres:17) when present or pullable; else the
# local stand-in, built first when missing (postgres-test.sh). Messages go to stderr, the name to stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/images/lib.sh
. "$here/lib.sh"

if [ -n "${TEST_POSTGRES_IMAGE:-}" ]; then
  echo "$TEST_POSTGRES_IMAGE"
  exit 0
fi
official=${OFFICIAL_POSTGRES_IMAGE:-postgres:17}
if image_available "$official"; then
  echo "$official"
  exit 0
fi
local_image=${POSTGRES_TEST_IMAGE:-comments-platform/postgres-test:17}
echo "images: ${official} cannot be pulled here; using ${local_image}" >&2
bash "$here/postgres-test.sh" >&2
echo "$local_image"
