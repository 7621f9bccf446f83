#!/usr/bin/env bash
# `just bench`: the comparison of docs/benchmarks.md, measured in one run on this machine.
#  1. PostgreSQL alone: pgbench with the service's own INSERT and list SELECT (same schema and indexes:
#     the service migrates the database first), at the clients' concurrency and at the pool size; and
#     the multi-row INSERT of group commit (16 rows per statement, 4 clients), in rows/s.
#  2. The service's maximum rates with wrk (a light C client; Lua scripts, unique POST bodies) at the
#     same concurrency: POST, GET of contents holding 50 comments, and the conditional GET (304).
#  3. The same maxima with the crate's generator, its POST run with the integrity check on (every
#     acknowledged comment listed exactly once at the maximum rate); then p99 at half of wrk's maxima
#     (open model) and the peak RSS under that load; then start to ready.
#  4. The generator's own ceiling against a trivial endpoint, vs wrk, each on one pinned core.
# results.md (scripts/bench/report.py) has the ratios, the targets and CPU microseconds per request per
# process. Knobs: BENCH_OUT (report directory), BENCH_SECS (per measurement, default 15),
# BENCH_CONCURRENCY (16), BENCH_PROFILE=0 (skip perf).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/bench/lib.sh
. "$here/lib.sh"
root=$(repo_root)
cd "$root"
# The host build always: the start-to-ready probe runs the binary itself.
unset LOADTEST_SERVICE_IMAGE

for tool in pgbench wrk taskset psql pg_isready curl docker python3; do
  command -v "$tool" >/dev/null || die "$tool is missing: run .ci/setup.d/50-loadtest.sh"
done
((${BENCH_SECS:-15} >= 5)) || die "BENCH_SECS must be at least 5"
secs=${BENCH_SECS:-15}
conc=${BENCH_CONCURRENCY:-16}
out=${BENCH_OUT:-$(target_dir)/bench/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
hello_pid=""
perf_pid=""
stop_all() {
  if [ -n "$hello_pid" ]; then kill "$hello_pid" 2>/dev/null || true; fi
  if [ -n "$perf_pid" ]; then kill "$perf_pid" 2>/dev/null || true; fi
  cleanup
}
trap stop_all EXIT

build_release loadtest
lt=$(loadtest_bin)
# shellcheck disable=SC2119 # default server options (fsync on, as in production)
start_postgres
use_container_address
start_service "$out/service.log"
# The [database] section's max_connections ([server] has one too).
pool=${APP_DATABASE__MAX_CONNECTIONS:-$(sed -n '/^\[database\]/,/^\[/s/^max_connections = //p' app/config/default.toml)}

# lt_run NAME ARGS...: one loadtest run into $out/NAME (no SLO: this measures, it does not gate).
lt_run() {
  local name=$1
  shift
  log "service: $name"
  "$lt" run --target "$LT_API" --no-progress --no-integrity --out "$out/$name" "$@" >"$out/$name.txt"
}
# lt_checked NAME ARGS...: the same with the integrity check on; a failed check (exit 1) is reported
# in results.md instead of stopping the bench.
lt_checked() {
  local name=$1 status=0
  shift
  log "service: $name (integrity checked)"
  "$lt" run --target "$LT_API" --no-progress --out "$out/$name" "$@" >"$out/$name.txt" || status=$?
  [ "$status" -le 1 ] || die "loadtest $name could not run (exit $status): $(tail -n 5 "$out/$name.txt")"
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# Contents 1000001..1000200 get exactly 50 comments each: the GET benchmarks read them.
lt_run seed-lists --kind list --first-content-id 1000001 --seed-contents 200 --seed-per-content 50 \
  --rate 50 --duration 3s --warmup 1s

# profile_start NAME SECONDS / profile_end NAME: system-wide CPU samples during one measurement
# (software clock, so no hardware counters are needed). Per process group (the service by pid, the
# generator's `loadtest` threads, PostgreSQL's `postgres` backends, pgbench, docker-proxy, everything
# else) the CPU time is turned into microseconds per request in results.md. BENCH_PROFILE=0 skips it.
profile_start() {
  if [ "${BENCH_PROFILE:-1}" = 1 ] && command -v perf >/dev/null; then
    perf record -e cpu-clock -a -F 499 -o "$out/perf-$1.data" -- sleep "$2" >/dev/null 2>&1 &
    perf_pid=$!
  fi
}
profile_end() {
  [ -n "$perf_pid" ] || return 0
  wait "$perf_pid" || true
  perf_pid=""
  perf report -i "$out/perf-$1.data" --sort comm -n --stdio 2>/dev/null | grep -E '^ +[0-9]' \
    >"$out/perf-$1-by-thread.txt" || true
  if [ -n "$LT_SERVICE_PID" ]; then
    perf report -i "$out/perf-$1.data" --pid "$LT_SERVICE_PID" --sort comm -n --stdio 2>/dev/null \
      | grep -E '^ +[0-9]' >"$out/perf-$1-service.txt" || true
  fi
}

pg() {
  local name=$1 clients=$2 script=$3
  shift 3
  log "pgbench: $name (-c $clients)"
  profile_start "pgbench-$name" "$secs"
  PGPASSWORD=$LT_PG_PASSWORD pgbench -h "$LT_PG_HOST" -p "$LT_PG_PORT" -U postgres -n -M prepared \
    -c "$clients" -j 2 -T "$secs" -f "$here/$script" "$@" comments >"$out/pgbench-$name.txt" 2>&1
  profile_end "pgbench-$name"
}
pg "insert-c$conc" "$conc" pgbench-insert.sql
pg "insert-c$pool" "$pool" pgbench-insert.sql
pg "list-c$conc" "$conc" pgbench-list.sql -D first=1000001 -D last=1000200
pg "list-c$pool" "$pool" pgbench-list.sql -D first=1000001 -D last=1000200
# The batch ceiling group commit works towards: the same INSERT with 16 rows per statement, 4 clients.
pg "insert16-c4" 4 pgbench-insert-batch.sql

# wrk_run NAME SCRIPT [PATH] [-- SCRIPT ARGS]: one wrk thread, `conc` connections, profiled.
wrk_run() {
  local name=$1 script=$2
  shift 2
  log "wrk: $name (-t1 -c$conc)"
  profile_start "wrk-$name" "$secs"
  wrk -t1 -c"$conc" -d"${secs}s" --latency -s "$here/wrk/$script" "$LT_API${1:-}" "${@:2}" \
    >"$out/wrk-$name.txt"
  profile_end "wrk-$name"
}
wrk_run post post.lua
wrk_run get list.lua
# The conditional GET: one seeded content's tag, proved to give 304 before wrk repeats it.
poll_path=/api/comment/list/1000001
etag=$(curl -fsS -D - -o /dev/null "$LT_API$poll_path" | sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' | tr -d '\r')
[ -n "$etag" ] || die "GET $poll_path answered no ETag"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$LT_API$poll_path")
[ "$code" = 304 ] || die "GET $poll_path with If-None-Match $etag answered $code, not 304"
wrk_run get-304 list-304.lua "" -- "$poll_path" "$etag"
wrk_post=$(sed -n 's/^Requests\/sec:[[:space:]]*//p' "$out/wrk-post.txt")
wrk_get=$(sed -n 's/^Requests\/sec:[[:space:]]*//p' "$out/wrk-get.txt")

# The crate's generator at the same concurrency: an arrival rate far above capacity with `conc`
# requests in flight (the excess is dropped). The POST run checks integrity at that rate.
profile_start post-max "$((secs + 3))"
lt_checked post-max --kind create --seed-contents 0 --rate 20000 --duration "${secs}s" --warmup 3s \
  --max-in-flight "$conc"
profile_end post-max
profile_start get-max "$((secs + 3))"
lt_run get-max --kind list --first-content-id 1000001 --seed-contents 200 --seed-per-content 0 \
  --rate 20000 --duration "${secs}s" --warmup 3s --max-in-flight "$conc"
profile_end get-max

# p99 at half of wrk's maxima, open model; RSS high-water mark reset first (clear_refs 5), read after.
hwm_bench=$(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$LT_SERVICE_PID/status")
echo 5 >"/proc/$LT_SERVICE_PID/clear_refs"
post_half_rate=$(python3 -c "print(round($wrk_post / 2))")
get_half_rate=$(python3 -c "print(round($wrk_get / 2))")
lt_run post-half --kind create --seed-contents 0 --first-content-id 2000001 --rate "$post_half_rate" \
  --duration "${secs}s" --warmup 3s --max-in-flight 1024
lt_run get-half --kind list --first-content-id 1000001 --seed-contents 200 --seed-per-content 0 \
  --rate "$get_half_rate" --duration "${secs}s" --warmup 3s --max-in-flight 1024
hwm_half=$(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$LT_SERVICE_PID/status")
curl -fsS "$LT_ADMIN/metrics" >"$out/service-metrics.txt" || true
stop_service

# Start to ready against the migrated database: the median of five starts, polled every millisecond.
log "start to ready"
ready_port=$(free_port)
ready_admin=$(free_port)
ready_ms=$(env APP_DATABASE__URL="$LT_DATABASE_URL" APP_SERVER__HOST=127.0.0.1 APP_SERVER__PORT="$ready_port" \
  APP_SERVER__ADMIN_PORT="$ready_admin" APP_LOG__LEVEL=warn APP_LOG__FORMAT=json \
  python3 "$here/ready.py" "$(target_dir)/release/comments-api" "$ready_admin" 5 2>"$out/ready.txt")

# Generator ceiling: the trivial server alone on core 1, the client alone on core 0.
log "ceiling: hello server on core 1"
taskset -c 1 "$lt" hello --threads 1 --run-for 5m >"$out/hello.txt" 2>&1 &
hello_pid=$!
deadline=$((SECONDS + 20))
until grep -qs '^listening on ' "$out/hello.txt"; do
  ((SECONDS < deadline)) || die "hello server did not start"
  sleep 0.1
done
hello=$(sed -n 's/^listening on //p' "$out/hello.txt")
log "ceiling: wrk -t1 -c256 on core 0"
taskset -c 0 wrk -t1 -c256 -d"${secs}s" "$hello/" >"$out/wrk-hello.txt"
log "ceiling: loadtest --threads 1 on core 0"
taskset -c 0 "$lt" run --target "$hello" --kind get --rate 200000 --duration "${secs}s" --warmup 2s \
  --max-in-flight 256 --threads 1 --no-progress --no-integrity --out "$out/ceiling" >"$out/ceiling.txt"
kill "$hello_pid" 2>/dev/null || true
wait "$hello_pid" 2>/dev/null || true
hello_pid=""

cat >"$out/figures.txt" <<FIGURES
conc=$conc
pool=$pool
secs=$secs
hwm_bench_kb=${hwm_bench% kB}
hwm_half_kb=${hwm_half% kB}
ready_ms=$ready_ms
pg_version=$(docker exec "$LT_CONTAINER" postgres --version 2>/dev/null || echo unknown)
FIGURES
python3 "$here/report.py" "$out" "$out/figures.txt" | tee "$out/results.md"
log "bench reports in $out (results.md)"
