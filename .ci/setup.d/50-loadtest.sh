#!/usr/bin/env bash
# Tools of `just bench` (docs/benchmarks.md): wrk for the generator-ceiling comparison, pgbench and
# pg_isready from Debian's PostgreSQL client packages. `just loadtest` itself needs only docker, curl
# and the PostgreSQL image that 10-images.sh builds. Skips what is present.
# As root or as a user with passwordless sudo (GitHub's runners, which have neither wrk nor pgbench).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/setup-lib.sh
. .ci/setup-lib.sh

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v pgbench >/dev/null || need+=(postgresql-contrib)
command -v pg_isready >/dev/null || need+=(postgresql-client)
command -v taskset >/dev/null || need+=(util-linux)
command -v curl >/dev/null || need+=(curl)
if ((${#need[@]})); then
  apt_install "${need[@]}"
fi
echo "loadtest setup: wrk, pgbench, pg_isready, taskset present"
