#!/usr/bin/env bash
# Local images this machine cannot pull: each builder skips what is already present, so this is quick
# after the first run. The PostgreSQL image serves the tests (TEST_POSTGRES_IMAGE) and the image smoke test.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash scripts/images/postgres-test.sh
