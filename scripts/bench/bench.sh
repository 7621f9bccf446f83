#!/usr/bin/env bash
# `just bench`: the comparison of docs/benchmarks.md, measured in one run on this machine.
#  1. PostgreSQL alone: pgbench with the service's own INSERT and list SELECT (same schema and indexes:
#     the service migrates the database first), at the generator's concurrency and at the pool size.
#  2. The service: maximum POST and GET rates (GET of contents holding 50 comments) at the same
#     concurrency, then p99 at half of each maximum (open model) and the peak RSS under that load.
#  3. The generator's own ceiling against a trivial endpoint, vs wrk, each on one pinned core.
# Knobs: BENCH_OUT (report directory), BENCH_SECS (per measurement, default 15), BENCH_CONCURRENCY (16).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/bench/lib.sh
. "$here/lib.sh"
root=$(repo_root)
cd "$root"

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

build_release
lt=$(loadtest_bin)
# shellcheck disable=SC2119 # default server options (fsync on, as in production)
start_postgres
use_container_address
start_service "$out/service.log"
pool=${APP_DATABASE__MAX_CONNECTIONS:-$(sed -n 's/^max_connections = //p' app/config/default.toml)}

# lt_run NAME ARGS...: one loadtest run into $out/NAME (no SLO: this measures, it does not gate).
lt_run() {
  local name=$1
  shift
  log "service: $name"
  "$lt" run --target "$LT_API" --no-progress --no-integrity --out "$out/$name" "$@" >"$out/$name.txt"
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
  sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$out/pgbench-$name.txt"
}
pg_insert=$(pg "insert-c$conc" "$conc" pgbench-insert.sql)
pg_insert_pool=$(pg "insert-c$pool" "$pool" pgbench-insert.sql)
pg_select=$(pg "list-c$conc" "$conc" pgbench-list.sql -D first=1000001 -D last=1000200)
pg_select_pool=$(pg "list-c$pool" "$pool" pgbench-list.sql -D first=1000001 -D last=1000200)

# Maximum rates: an arrival rate far above capacity with `conc` requests in flight; the excess is dropped.
profile_start post-max "$((secs + 3))"
lt_run post-max --kind create --seed-contents 0 --rate 20000 --duration "${secs}s" --warmup 3s \
  --max-in-flight "$conc"
profile_end post-max
profile_start get-max "$((secs + 3))"
lt_run get-max --kind list --first-content-id 1000001 --seed-contents 200 --seed-per-content 0 \
  --rate 20000 --duration "${secs}s" --warmup 3s --max-in-flight "$conc"
profile_end get-max
post_max=$(json "$out/post-max/report.json" 'd["summary"]["achieved_rate"]')
get_max=$(json "$out/get-max/report.json" 'd["summary"]["achieved_rate"]')

# p99 at half the maximum, open model; RSS high-water mark reset first (clear_refs 5), read after.
hwm_bench=$(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$LT_SERVICE_PID/status")
echo 5 >"/proc/$LT_SERVICE_PID/clear_refs"
post_half_rate=$(python3 -c "print(round($post_max / 2))")
get_half_rate=$(python3 -c "print(round($get_max / 2))")
lt_run post-half --kind create --seed-contents 0 --first-content-id 2000001 --rate "$post_half_rate" \
  --duration "${secs}s" --warmup 3s --max-in-flight 1024
lt_run get-half --kind list --first-content-id 1000001 --seed-contents 200 --seed-per-content 0 \
  --rate "$get_half_rate" --duration "${secs}s" --warmup 3s --max-in-flight 1024
hwm_half=$(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$LT_SERVICE_PID/status")
curl -fsS "$LT_ADMIN/metrics" >"$out/service-metrics.txt" || true
stop_service

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
taskset -c 0 wrk -t1 -c256 -d"${secs}s" "$hello/" >"$out/wrk.txt"
wrk_rate=$(sed -n 's/^Requests\/sec:[[:space:]]*//p' "$out/wrk.txt")
log "ceiling: loadtest --threads 1 on core 0"
taskset -c 0 "$lt" run --target "$hello" --kind get --rate 200000 --duration "${secs}s" --warmup 2s \
  --max-in-flight 256 --threads 1 --no-progress --no-integrity --out "$out/ceiling" >"$out/ceiling.txt"
lt_rate=$(json "$out/ceiling/report.json" 'd["summary"]["achieved_rate"]')
kill "$hello_pid" 2>/dev/null || true
wait "$hello_pid" 2>/dev/null || true
hello_pid=""

pg_version=$(docker exec "$LT_CONTAINER" postgres --version 2>/dev/null || echo unknown)
python3 - "$out" "$conc" "$pool" "$secs" "$pg_insert" "$pg_insert_pool" "$pg_select" "$pg_select_pool" \
  "$hwm_bench" "$hwm_half" "$wrk_rate" "$lt_rate" "$pg_version" <<'PY' | tee "$out/results.md"
import json, os, platform, subprocess, sys
out, conc, pool, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
pg_ins, pg_ins_pool, pg_sel, pg_sel_pool = map(float, sys.argv[5:9])
hwm_bench, hwm_half = sys.argv[9], sys.argv[10]
wrk, lt, pg_version = float(sys.argv[11]), float(sys.argv[12]), sys.argv[13]
rep = {n: json.load(open(f"{out}/{n}/report.json")) for n in ["post-max", "get-max", "post-half", "get-half", "ceiling"]}
def ep(name, endpoint):
    return rep[name]["summary"]["endpoints"][endpoint]
kb = lambda s: float(s.split()[0]) / 1024
post_max, get_max = rep["post-max"]["summary"]["achieved_rate"], rep["get-max"]["summary"]["achieved_rate"]
rows = [
    ("POST /api/comment/new max rate vs pgbench INSERT", f"{post_max:,.0f} req/s", f"{pg_ins:,.0f} tps", post_max / pg_ins, ">= 0.9x"),
    ("GET /api/comment/list (50 comments) max rate vs pgbench SELECT", f"{get_max:,.0f} req/s", f"{pg_sel:,.0f} tps", get_max / pg_sel, ">= 0.6x"),
]
def ok(v, target):
    op, num = target.split()
    num = float(num.rstrip("x"))
    return "met" if (v >= num if op == ">=" else v <= num) else "MISSED"
print(f"## Results (one run, {secs}s per measurement, concurrency {conc}, service pool {pool})\n")
print("| comparison | service | ceiling | ratio | target | |\n|---|---:|---:|---:|---:|---|")
for name, a, b, r, t in rows:
    print(f"| {name} | {a} | {b} | {r:.2f}x | {t} | {ok(r, t)} |")
for name, endpoint, label in [("post-half", "create", "POST"), ("get-half", "list", "GET")]:
    l = ep(name, endpoint)["latency_ms"]
    s = rep[name]["summary"]
    print(f"| {label} p99 at half the max rate ({s['target_rate']:,.0f} req/s; p50 {l['p50']:.2f} ms, p99.9 {l['p999']:.2f} ms, errors {s['errors']}, dropped {s['dropped']}) | {l['p99']:.2f} ms | | | <= 10 ms | {ok(l['p99'], '<= 10')} |")
print(f"| service peak RSS under the half-rate load (VmHWM; whole bench: {kb(hwm_bench):.1f} MiB) | {kb(hwm_half):.1f} MiB | | | <= 50 MB | {ok(kb(hwm_half) * 1.048576, '<= 50')} |")
print(f"| generator ceiling vs wrk -t1 -c256 (one core each, 256 connections, trivial endpoint) | {lt:,.0f} req/s | {wrk:,.0f} req/s | {lt / wrk:.2f}x | >= 0.4x | {ok(lt / wrk, '>= 0.4')} |")
print(f"\npgbench at the pool size ({pool} clients): INSERT {pg_ins_pool:,.0f} tps, SELECT {pg_sel_pool:,.0f} tps.")
for n in ["post-max", "get-max"]:
    s = rep[n]["summary"]; e = list(s["endpoints"].values())[0]
    print(f"{n}: {s['achieved_rate']:,.0f} req/s achieved, p50 {e['latency_ms']['p50']:.2f} ms, p99 {e['latency_ms']['p99']:.2f} ms, errors {s['errors']}.")
def samples(path):
    counts = {}
    if os.path.exists(path):
        for line in open(path):
            parts = line.split(None, 2)
            if len(parts) == 3 and parts[1].isdigit():
                counts[parts[2].strip()] = counts.get(parts[2].strip(), 0) + int(parts[1])
    return counts
profiled = [
    (f"pgbench-insert-c{conc}", "pgbench INSERT", pg_ins * secs),
    (f"pgbench-list-c{conc}", "pgbench SELECT", pg_sel * secs),
    ("post-max", "service POST (max)", sum(p["ok"] for p in rep["post-max"]["timeline"])),
    ("get-max", "service GET (max)", sum(p["ok"] for p in rep["get-max"]["timeline"])),
]
if any(os.path.exists(f"{out}/perf-{n}-by-thread.txt") for n, _, _ in profiled):
    print("\nCPU per request (perf cpu-clock samples at 499 Hz on both cores, whole measurement; microseconds of CPU):\n")
    print("| measurement | comments-api | postgres | loadtest | pgbench | docker-proxy | other processes | idle |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, label, requests in profiled:
        by = samples(f"{out}/perf-{name}-by-thread.txt")
        if not by or not requests:
            continue
        service = sum(samples(f"{out}/perf-{name}-service.txt").values())
        us = lambda n: n / 499 * 1e6 / requests
        known = {k: by.get(k, 0) for k in ["postgres", "loadtest", "pgbench", "docker-proxy", "swapper"]}
        other = sum(by.values()) - service - sum(known.values())
        print(f"| {label} | {us(service):.0f} | {us(known['postgres']):.0f} | {us(known['loadtest']):.0f} "
              f"| {us(known['pgbench']):.0f} | {us(known['docker-proxy']):.0f} | {us(other):.0f} | {100 * known['swapper'] / sum(by.values()):.0f}% |")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
mem = next((l.split(":", 1)[1].strip() for l in open("/proc/meminfo") if l.startswith("MemTotal")), "unknown")
rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
print(f"\nMachine: {os.cpu_count()} cores ({cpu}), {mem} RAM, Linux {platform.release()}; {pg_version} in Docker "
      f"(fsync on); {rustc}; everything co-located on the same cores.")
PY
log "bench reports in $out (results.md)"
