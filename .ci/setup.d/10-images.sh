#!/usr/bin/env bash
# Image tooling and the local images this machine cannot pull. Each step skips what is already present, so
# this is quick after the first run. The PostgreSQL image serves the tests (TEST_POSTGRES_IMAGE) and the image
# smoke test; the service image's base stand-ins are built by `just image` when the public ones cannot be pulled.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/setup-lib.sh
. .ci/setup-lib.sh

# `docker compose config` validates docker-compose.yml: the v2 plugin when the engine has it, else Compose v1.
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null; then
  apt_install docker-compose
fi

bash scripts/images/postgres-test.sh
