"""results.md for `just bench`: reads what bench.sh left in its report directory and prints the
comparison table (ratios against pgbench and between the service's own rows, each with its target),
the CPU microseconds per request per process, and the machine.

Usage: python3 scripts/bench/report.py OUT_DIR FIGURES_FILE
FIGURES_FILE holds KEY=VALUE lines bench.sh measured itself (concurrency, RSS, start-to-ready, ...).
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# perf samples at this frequency (bench.sh's profile_start).
PERF_HZ = 499
# Rows per statement of pgbench-insert-batch.sql (bench.sh runs it as insert16-c4).
BATCH_ROWS = 16


@dataclass
class Wrk:
    """What one wrk run printed."""

    rate: float
    requests: int
    errors: int
    latency_ms: dict[str, float]


def read_figures(path: Path) -> dict[str, str]:
    figures = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep:
            figures[key.strip()] = value.strip()
    return figures


def pgbench_tps(path: Path) -> float:
    match = re.search(r"^tps = ([0-9.]+) \(without initial connection time\)", path.read_text(), re.M)
    if not match:
        raise SystemExit(f"{path}: no tps line (did pgbench fail?)")
    return float(match.group(1))


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(path: Path) -> Wrk:
    text = path.read_text()
    rate = re.search(r"^Requests/sec:\s+([0-9.]+)", text, re.M)
    total = re.search(r"^\s+(\d+) requests in", text, re.M)
    if not rate or not total:
        raise SystemExit(f"{path}: not a wrk report")
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if non_2xx:
        errors += int(non_2xx.group(1))
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    latency = {f"p{pct}": _ms(value) for pct, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", text, re.M)}
    return Wrk(float(rate.group(1)), int(total.group(1)), errors, latency)


def perf_samples(path: Path) -> dict[str, int]:
    """Samples per command name from `perf report --sort comm -n --stdio` lines."""
    counts: dict[str, int] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            parts = line.split(None, 2)
            if len(parts) == 3 and parts[1].isdigit():
                counts[parts[2].strip()] = counts.get(parts[2].strip(), 0) + int(parts[1])
    return counts


def verdict(value: float, target: str) -> str:
    op, number = target.split()
    number_value = float(number.rstrip("x").rstrip("ms").rstrip("MB").strip())
    met = value >= number_value if op == ">=" else value <= number_value
    return "met" if met else "MISSED"


def main(out: Path, figures_path: Path) -> None:
    f = read_figures(figures_path)
    conc, pool, secs = int(f["conc"]), int(f["pool"]), int(f["secs"])
    pg_ins = pgbench_tps(out / f"pgbench-insert-c{conc}.txt")
    pg_sel = pgbench_tps(out / f"pgbench-list-c{conc}.txt")
    pg_ins_pool = pgbench_tps(out / f"pgbench-insert-c{pool}.txt")
    pg_sel_pool = pgbench_tps(out / f"pgbench-list-c{pool}.txt")
    pg_batch_rows = pgbench_tps(out / "pgbench-insert16-c4.txt") * BATCH_ROWS
    wrk_post, wrk_get, wrk_304 = (parse_wrk(out / f"wrk-{n}.txt") for n in ["post", "get", "get-304"])
    rep = {
        n: json.loads((out / n / "report.json").read_text())
        for n in ["post-max", "get-max", "post-half", "get-half", "ceiling"]
    }
    hello_wrk = parse_wrk(out / "wrk-hello.txt")
    mib = lambda kb: float(kb) / 1024  # noqa: E731 (VmHWM is in kB)
    hwm_half, hwm_bench = mib(f["hwm_half_kb"]), mib(f["hwm_bench_kb"])
    ready_ms = float(f["ready_ms"])

    print(f"## Results (one run, {secs}s per measurement, concurrency {conc}, service pool {pool})\n")
    print(
        "Maximum rates: wrk (one thread, Lua scripts, unique POST bodies) with "
        f"{conc} connections, pgbench with {conc} clients.\n"
    )
    print("| comparison | service | reference | ratio | target | |\n|---|---:|---:|---:|---:|---|")
    rows = [
        (
            "POST /api/comment/new max rate (wrk) vs pgbench single-row INSERT",
            wrk_post.rate,
            f"{pg_ins:,.0f} tps",
            wrk_post.rate / pg_ins,
            ">= 2.0x",
        ),
        (
            "GET /api/comment/list (50 comments) max rate (wrk) vs pgbench SELECT",
            wrk_get.rate,
            f"{pg_sel:,.0f} tps",
            wrk_get.rate / pg_sel,
            ">= 0.9x",
        ),
        (
            "conditional GET (If-None-Match, 304) vs full GET, both wrk",
            wrk_304.rate,
            f"{wrk_get.rate:,.0f} req/s",
            wrk_304.rate / wrk_get.rate,
            ">= 2.0x",
        ),
    ]
    for name, rate, ref, ratio, target in rows:
        print(f"| {name} | {rate:,.0f} req/s | {ref} | {ratio:.2f}x | {target} | {verdict(ratio, target)} |")
    for name, endpoint, label in [("post-half", "create", "POST"), ("get-half", "list", "GET")]:
        lat = rep[name]["summary"]["endpoints"][endpoint]["latency_ms"]
        s = rep[name]["summary"]
        clean = s["errors"] == 0
        mark = verdict(lat["p99"], "<= 10") if clean else "MISSED (errors)"
        print(
            f"| {label} p99 at half the wrk max rate, open model ({s['target_rate']:,.0f} req/s; "
            f"p50 {lat['p50']:.2f} ms, p99.9 {lat['p999']:.2f} ms, errors {s['errors']}, "
            f"dropped {s['dropped']}) | {lat['p99']:.2f} ms | | | <= 10 ms | {mark} |"
        )
    print(
        f"| service peak RSS under the half-rate load (VmHWM; whole bench: {hwm_bench:.1f} MiB) "
        f"| {hwm_half:.1f} MiB | | | <= 30 MB | {verdict(hwm_half * 1.048576, '<= 30')} |"
    )
    print(
        f"| start to ready (process start to /readyz 200, migrated database) | {ready_ms:.0f} ms "
        f"| | | <= 100 ms | {verdict(ready_ms, '<= 100')} |"
    )
    integrity = rep["post-max"].get("integrity")
    if integrity is not None:
        status = "met" if integrity["passed"] else "MISSED"
        print(
            f"| integrity at the generator's max POST rate (every acknowledged comment listed once): "
            f"{integrity['missing']} missing, {integrity['duplicate_ids']} duplicate ids, "
            f"{integrity['duplicate_rows']} duplicate rows, {integrity['mismatched']} mismatched "
            f"| {'passed' if integrity['passed'] else 'FAILED'} | | | passes | {status} |"
        )
    lt = rep["ceiling"]["summary"]["achieved_rate"]
    print(
        f"| generator ceiling vs wrk -t1 -c256 (one core each, trivial endpoint) | {lt:,.0f} req/s "
        f"| {hello_wrk.rate:,.0f} req/s | {lt / hello_wrk.rate:.2f}x | >= 0.4x "
        f"| {verdict(lt / hello_wrk.rate, '>= 0.4')} |"
    )

    print("\nwrk runs (latency from `--latency`; errors are non-2xx/3xx answers plus socket errors):\n")
    print("| run | req/s | requests | p50 | p99 | errors |\n|---|---:|---:|---:|---:|---:|")
    for name, w in [("POST", wrk_post), ("GET-50", wrk_get), ("GET 304", wrk_304)]:
        print(
            f"| {name} | {w.rate:,.0f} | {w.requests:,} | {w.latency_ms.get('p50', 0):.2f} ms "
            f"| {w.latency_ms.get('p99', 0):.2f} ms | {w.errors} |"
        )
    print("\nThe crate's generator at the same concurrency (its own client costs more CPU, see below):")
    for n in ["post-max", "get-max"]:
        s = rep[n]["summary"]
        e = next(iter(s["endpoints"].values()))
        print(
            f"- {n}: {s['achieved_rate']:,.0f} req/s, p50 {e['latency_ms']['p50']:.2f} ms, "
            f"p99 {e['latency_ms']['p99']:.2f} ms, errors {s['errors']}."
        )
    print(f"\npgbench at the pool size ({pool} clients): INSERT {pg_ins_pool:,.0f} tps, SELECT {pg_sel_pool:,.0f} tps.")
    print(
        f"\npgbench batch ceiling (the service's INSERT with {BATCH_ROWS} rows per statement, 4 clients): "
        f"{pg_batch_rows:,.0f} rows/s; the wrk POST rate is {wrk_post.rate / pg_batch_rows:.2f}x of it, "
        f"the single-row INSERT at {conc} clients {pg_ins / pg_batch_rows:.2f}x."
    )

    profiled = [
        (f"pgbench-insert-c{conc}", "pgbench INSERT", pg_ins * secs),
        (f"pgbench-list-c{conc}", "pgbench SELECT", pg_sel * secs),
        ("pgbench-insert16-c4", f"pgbench INSERT x{BATCH_ROWS} (per row)", pg_batch_rows * secs),
        ("wrk-post", "service POST (wrk)", wrk_post.requests),
        ("wrk-get", "service GET-50 (wrk)", wrk_get.requests),
        ("wrk-get-304", "service GET 304 (wrk)", wrk_304.requests),
        ("post-max", "service POST (generator)", sum(p["ok"] for p in rep["post-max"]["timeline"])),
        ("get-max", "service GET-50 (generator)", sum(p["ok"] for p in rep["get-max"]["timeline"])),
    ]
    if any((out / f"perf-{n}-by-thread.txt").exists() for n, _, _ in profiled):
        names = ["postgres", "wrk", "loadtest", "pgbench", "docker-proxy"]
        print(
            f"\nCPU per request (perf cpu-clock samples at {PERF_HZ} Hz on every core, whole "
            "measurement; microseconds of CPU per request, per process):\n"
        )
        print("| measurement | comments-api | " + " | ".join(names) + " | other processes | idle |")
        print("|---|" + "---:|" * (len(names) + 3))
        for name, label, requests in profiled:
            by = perf_samples(out / f"perf-{name}-by-thread.txt")
            if not by or not requests:
                continue
            service = sum(perf_samples(out / f"perf-{name}-service.txt").values())

            def us(n: float, requests: int = requests) -> float:
                return n / PERF_HZ * 1e6 / requests

            known = {k: by.get(k, 0) for k in names + ["swapper"]}
            # The service's threads have their own names (tokio-runtime-w); counted by pid instead.
            other = sum(by.values()) - service - sum(known.values())
            cells = " | ".join(f"{us(known[k]):.0f}" for k in names)
            idle = 100 * known["swapper"] / sum(by.values())
            print(f"| {label} | {us(service):.0f} | {cells} | {us(other):.0f} | {idle:.0f}% |")

    cpu = next((x.split(":", 1)[1].strip() for x in open("/proc/cpuinfo") if x.startswith("model name")), "unknown")
    mem = next((x.split(":", 1)[1].strip() for x in open("/proc/meminfo") if x.startswith("MemTotal")), "unknown")
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()
    print(
        f"\nMachine: {os.cpu_count()} cores ({cpu}), {mem} RAM, Linux {platform.release()}; "
        f"{f.get('pg_version', 'unknown')} in Docker (fsync on); {rustc}; "
        f"{wrk_version[0] if wrk_version else 'wrk'}; everything co-located on the same cores."
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
