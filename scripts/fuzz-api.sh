#!/usr/bin/env bash
# `just fuzz-api`: schemathesis against the real service (release build) on PostgreSQL, every check,
# positive and negative cases, in every phase (examples, coverage, fuzzing, stateful). Fails on any
# finding, and when fewer than FUZZ_MIN_CASES (default 1000) cases ran, so a run that silently tests
# little cannot pass. Settings and the written reasons for what is excluded: schemathesis.toml.
# FUZZ_MAX_EXAMPLES (default 500 per operation and phase) and FUZZ_SEED tune a run; the report (JSON,
# JUnit, the service log) lands in $FUZZ_OUT.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/bench/lib.sh
. "$here/bench/lib.sh"
root=$(repo_root)
cd "$root"

out=${FUZZ_OUT:-$(target_dir)/fuzz-api/$(date -u +%Y%m%dT%H%M%SZ)}
min_cases=${FUZZ_MIN_CASES:-1000}
mkdir -p "$out"
trap cleanup EXIT
command -v schemathesis >/dev/null || die "schemathesis is not installed (just setup installs .ci/requirements/app.txt)"

build_release
start_postgres -c fsync=off
start_service "$out/service.log"

status=0
schemathesis --config-file "$root/schemathesis.toml" run "$LT_API/openapi.json" \
  --url "$LT_API" \
  --checks all \
  --mode all \
  --max-examples "${FUZZ_MAX_EXAMPLES:-500}" \
  --seed "${FUZZ_SEED:-$RANDOM}" \
  --workers 2 \
  --no-color \
  --report ndjson,junit --report-dir "$out" --report-ndjson-path "$out/events.ndjson" || status=$?

# How many cases ran, from the event stream.
cases=$(python3 "$here/fuzz_cases.py" "$out/events.ndjson") || die "cannot count the cases in $out/events.ndjson"
log "schemathesis: ${cases} cases, exit ${status}; reports in ${out}"
if [ "$status" -ne 0 ]; then
  exit "$status"
fi
if [ "$cases" -lt "$min_cases" ]; then
  log "error: only ${cases} cases ran, fewer than ${min_cases}"
  exit 1
fi
