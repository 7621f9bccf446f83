#!/usr/bin/env bash
# `just loadtest`: PostgreSQL in a container, a release comments-api against it, the standard scenario
# gated by loadtest/slo/pr.toml, everything stopped on exit. Extra arguments go to `loadtest run`
# (e.g. --slo loadtest/slo/staging.toml). Reports land in $LOADTEST_OUT (default printed at the end).
# Exit status: loadtest's (0 pass, 1 gate failed, 2 could not run).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/bench/lib.sh
. "$here/lib.sh"
root=$(repo_root)
cd "$root"

out=${LOADTEST_OUT:-$(target_dir)/loadtest/$(date -u +%Y%m%dT%H%M%SZ)-standard}
mkdir -p "$out"
trap cleanup EXIT

build_release
# shellcheck disable=SC2119 # default server options (fsync on, as in production)
start_postgres
start_service "$out/service.log"

status=0
"$(loadtest_bin)" run --target "$LT_API" \
  --scenario loadtest/scenarios/standard.toml --slo loadtest/slo/pr.toml --out "$out" "$@" || status=$?

# What the service counted, next to what the generator saw.
curl -fsS "$LT_ADMIN/metrics" >"$out/service-metrics.txt" 2>/dev/null || true
if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$out/report.md" ]; then
  cat "$out/report.md" >>"$GITHUB_STEP_SUMMARY"
fi
log "reports in ${out}"
exit "$status"
