#!/usr/bin/env bash
# Image tooling and the local images this machine cannot pull. Each step skips what is already present, so
# this is quick after the first run. The PostgreSQL image serves the tests (TEST_POSTGRES_IMAGE) and the image
# smoke test, the runner image the setup test, HAProxy the cluster test; the service image's base stand-ins
# (which `just image` would otherwise build first) its build. Public images are used where they can be pulled.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/setup-lib.sh
. .ci/setup-lib.sh

# `docker compose config` validates docker-compose.yml: the v2 plugin when the engine has it, else Compose v1.
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null; then
  apt_install docker-compose
fi

# Every local image this machine may lack, built side by side: each is a debootstrap that mostly waits on the
# package mirror. A new machine here took 9.5 min for them one after another, 6 of those inside `just ci`'s image
# build (its base stand-ins), where they delayed the longest compile. Each skips what is present; the area steps
# (40-workflows, 60-cluster) find theirs built and only check.
# shellcheck source=scripts/images/lib.sh
. scripts/images/lib.sh
# (haproxy.sh and pick_base print the chosen image's name on stdout, their messages on stderr.)
builds=(
  "bash scripts/images/postgres-test.sh"
  "bash scripts/images/runner-test.sh"
  "bash scripts/images/haproxy.sh >/dev/null"
  "pick_base rust >/dev/null"
  "pick_base runtime >/dev/null"
)
pids=()
for build in "${builds[@]}"; do
  eval "$build" &
  pids+=($!)
done
failed=0
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || { echo "setup(images): '${builds[$i]}' failed" >&2; failed=1; }
done
exit "$failed"
