#!/usr/bin/env bash
# `just loadtest`: PostgreSQL in a container, a release comments-api against it, the standard scenario
# gated by loadtest/slo/pr.toml, everything stopped on exit. Extra arguments go to `loadtest run`
# (e.g. --slo loadtest/slo/staging.toml). Reports land in $LOADTEST_OUT (default printed at the end).
# Exit status: loadtest's (0 pass, 1 gate failed, 2 could not run).
# LOADTEST_INJECT_DB_DELAY_MS=N slows the real service down: every INSERT waits N ms in PostgreSQL (a
# trigger installed after the service migrated), which is how `just loadtest-slowed` proves the gate fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/bench/lib.sh
. "$here/lib.sh"
root=$(repo_root)
cd "$root"

out=${LOADTEST_OUT:-$(target_dir)/loadtest/$(date -u +%Y%m%dT%H%M%SZ)-standard}
mkdir -p "$out"
trap cleanup EXIT

# inject_db_delay MS: a BEFORE INSERT trigger that sleeps MS milliseconds (0: nothing).
inject_db_delay() {
  local ms=$1
  [ "$ms" -gt 0 ] || return 0
  PGPASSWORD=$LT_PG_PASSWORD psql -qX -v ON_ERROR_STOP=1 -h "$LT_PG_HOST" -p "$LT_PG_PORT" -U postgres -d comments <<SQL
CREATE FUNCTION loadtest_delay() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN PERFORM pg_sleep(${ms} / 1000.0); RETURN NEW; END \$\$;
CREATE TRIGGER loadtest_delay BEFORE INSERT ON comments FOR EACH ROW EXECUTE FUNCTION loadtest_delay();
SQL
  log "injected a ${ms} ms delay into every INSERT"
}

build_release loadtest
# shellcheck disable=SC2119 # default server options (fsync on, as in production)
start_postgres
start_service "$out/service.log"
inject_db_delay "${LOADTEST_INJECT_DB_DELAY_MS:-0}"

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
