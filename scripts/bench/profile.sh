#!/usr/bin/env bash
# `just bench-profile`: where comments-api's CPU goes per request, by symbol (docs/benchmarks.md).
# Builds the `profiling` profile (release code with line tables, not stripped), starts PostgreSQL 17
# and the service as bench.sh does, seeds 200 contents with 50 comments each, then for each wrk script
# of `just bench` (GET of 50 comments, POST of unique comments, conditional GET answered 304) records
# the service's own threads with `perf record -e cpu-clock --call-graph dwarf` while wrk runs, and
# writes per run:
#   profile-NAME.txt   CPU per request by group (hyper, poem, sqlx, serde_json, allocation, kernel...)
#                      and the top symbols, self and inclusive (scripts/bench/profile_groups.py);
#   perf-NAME.data     the samples, for `perf report -i` (--no-children --sort symbol, --children).
# Knobs: BENCH_OUT (report directory), BENCH_SECS (per run, default 10), BENCH_CONCURRENCY (16),
# BENCH_RUNS (default "get post get-304"), BENCH_PERF_HZ (default 499), BENCH_NO_BUILD=1 (use the
# binary already built), LT_SERVICE_BIN (another binary, e.g. to compare two builds).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/bench/lib.sh
. "$here/lib.sh"
root=$(repo_root)
cd "$root"
# Profiles a build of this checkout (LT_SERVICE_BIN), never an image.
unset LOADTEST_SERVICE_IMAGE

for tool in perf wrk psql pg_isready curl docker python3; do
  command -v "$tool" >/dev/null || die "$tool is missing (perf: Debian's linux-perf; the rest: .ci/setup.d/50-loadtest.sh)"
done
secs=${BENCH_SECS:-10}
conc=${BENCH_CONCURRENCY:-16}
hz=${BENCH_PERF_HZ:-499}
runs=${BENCH_RUNS:-get post get-304}
out=${BENCH_OUT:-$(target_dir)/bench-profile/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
perf_pid=""
stop_all() {
  if [ -n "$perf_pid" ]; then kill -INT "$perf_pid" 2>/dev/null || true; fi
  cleanup
}
trap stop_all EXIT

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  log "building comments-api with the profiling profile (symbols, line tables)"
  cargo build --locked --profile profiling -p comments-api || die "profiling build failed"
fi
LT_SERVICE_BIN=${LT_SERVICE_BIN:-$(target_dir)/profiling/comments-api}
export LT_SERVICE_BIN
[ -x "$LT_SERVICE_BIN" ] || die "$LT_SERVICE_BIN is not built"

# shellcheck disable=SC2119 # default server options (fsync on, as in production)
start_postgres
use_container_address
start_service "$out/service.log"

# Contents 1000001..1000200 get 50 comments each, as bench.sh seeds them (comments of 8 to 600
# characters, log-uniform, with accented words and emoji as the generator writes), straight in SQL so
# no generator build is needed.
log "seeding 200 contents x 50 comments"
PGPASSWORD=$LT_PG_PASSWORD psql -qAt -v ON_ERROR_STOP=1 -h "$LT_PG_HOST" -p "$LT_PG_PORT" -U postgres \
  -d comments >/dev/null <<'SQL'
INSERT INTO comments (content_id, email, comment, fingerprint, created_at)
SELECT c, 'user' || ((c * 50 + i) % 5000) || '.seed@example.com', t, sha256(convert_to(t, 'UTF8')), now()
FROM generate_series(1000001, 1000200) AS c, generate_series(1, 50) AS i,
LATERAL (SELECT left(repeat('great article café thanks for sharing naïve 👍 the second point résumé 🚀 '
                            'database index latency really interesting take on it ', 8),
                     (8 * power(75, random() + 0 * c * i))::int) || ' #seed-' || c || '-' || i AS t) AS s
ORDER BY c, i;
SQL

poll_path=/api/comment/list/1000001
etag=$(curl -fsS -D - -o /dev/null "$LT_API$poll_path" | sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' | tr -d '\r')
[ -n "$etag" ] || die "GET $poll_path answered no ETag"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$LT_API$poll_path")
[ "$code" = 304 ] || die "GET $poll_path with If-None-Match $etag answered $code, not 304"

# Warm the pool and the caches, then profile each run: perf follows the service's process only.
wrk -t1 -c"$conc" -d2s -s "$here/wrk/list.lua" "$LT_API" >/dev/null
for run in $runs; do
  case $run in
    get) args=(-s "$here/wrk/list.lua" "$LT_API") ;;
    post) args=(-s "$here/wrk/post.lua" "$LT_API") ;;
    get-304) args=(-s "$here/wrk/list-304.lua" "$LT_API" -- "$poll_path" "$etag") ;;
    *) die "unknown run $run (get, post, get-304)" ;;
  esac
  log "profile: $run (wrk -t1 -c$conc, ${secs}s, perf at $hz Hz)"
  perf record -e cpu-clock -F "$hz" --call-graph dwarf -p "$LT_SERVICE_PID" -o "$out/perf-$run.data" \
    >"$out/perf-$run.log" 2>&1 &
  perf_pid=$!
  sleep 0.5
  wrk -t1 -c"$conc" -d"${secs}s" --latency "${args[@]}" >"$out/wrk-$run.txt"
  kill -INT "$perf_pid"
  wait "$perf_pid" || true
  perf_pid=""
  requests=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$out/wrk-$run.txt")
  rate=$(sed -n 's/^Requests\/sec:[[:space:]]*//p' "$out/wrk-$run.txt")
  log "$run: $rate req/s under perf; analysing"
  python3 "$here/profile_groups.py" "$out/perf-$run.data" --hz "$hz" --requests "$requests" \
    --title "$run: wrk -t1 -c$conc, $rate req/s under perf" >"$out/profile-$run.txt"
done
log "profiles in $out (profile-*.txt)"
