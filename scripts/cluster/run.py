#!/usr/bin/env python3
"""`just cluster-test`: PostgreSQL, three replicas of the service image and HAProxy (checking /readyz on the admin
port) on two networks this test creates; the load generator (loadtest) through the balancer at a steady rate with
its integrity check on, one run per fault; the faults of docs/cluster.md; a table per fault; every container and
network removed on exit, failure and signal included. Every wait is bounded.

Exit 0 when every fault met its target, 1 when one missed it, 2 when the test could not run."""

from __future__ import annotations

import argparse
import collections
import csv
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from scripts.cluster import timing, verdict
from scripts.images.smoke import READY_LINE, CheckFailed, container_logs, docker, hardened_args, postgres_image

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

PASSWORD = "cluster"
REPLICAS = 3


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {msg}", file=sys.stderr, flush=True)


def http(method: str, url: str, body: object | None = None, timeout: float = 3) -> tuple[int, dict, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"} if data else {}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def wait_until(what: str, predicate, limit: float, step: float = 0.1) -> float:
    """Polls predicate until true; returns the seconds it took; raises after `limit` seconds."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        try:
            if predicate():
                return time.monotonic() - start
        except OSError:
            pass
        time.sleep(step)
    raise CheckFailed(f"{what}: not within {limit:.0f} s")


class Cluster:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.t = timing.load()
        self.run_id = uuid.uuid4().hex[:8]
        self.prefix = f"cluster-{self.run_id}"
        self.label = f"comments-platform.cluster={self.run_id}"
        self.front = f"{self.prefix}-front"
        self.dbnet = f"{self.prefix}-db"
        self.db = f"{self.prefix}-db"
        self.lb = f"{self.prefix}-lb"
        self.generation = 0
        self.replicas: list[str] = []
        self.confdir = tempfile.mkdtemp(prefix="cluster-haproxy-")
        self.out = Path(args.out)

    # --- lifecycle -------------------------------------------------------------------------------
    def cleanup(self) -> None:
        if getattr(self, "lb_ip", None):
            self.out.mkdir(parents=True, exist_ok=True)
            (self.out / "haproxy.log").write_text(self.lb_log(0))
        ids = docker("ps", "-aq", "--filter", f"label={self.label}", check=False).split()
        if ids:
            docker("rm", "-f", "-v", *ids, check=False, timeout=120)
        for net in (self.front, self.dbnet):
            docker("network", "rm", net, check=False)
        for name in ("haproxy.cfg", "503.http"):
            Path(self.confdir, name).unlink(missing_ok=True)
        os.rmdir(self.confdir)

    def ip(self, name: str, network: str | None = None) -> str:
        net = network or self.front
        return docker("inspect", "-f", f'{{{{(index .NetworkSettings.Networks "{net}").IPAddress}}}}', name)

    def start(self) -> None:
        for net in (self.front, self.dbnet):
            docker("network", "create", "--label", self.label, net)
        image = postgres_image()
        docker(
            "run",
            "-d",
            "--name",
            self.db,
            "--label",
            self.label,
            "--network",
            self.dbnet,
            "--network-alias",
            "db",
            "-e",
            f"POSTGRES_PASSWORD={PASSWORD}",
            "-e",
            "POSTGRES_DB=comments",
            image,
        )
        self.wait_postgres(since_count=0, limit=90)
        log(f"PostgreSQL ({image}) ready")
        done = subprocess.run(
            ["docker", "run", "--rm", *self.hardened(), self.args.image, "migrate"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise CheckFailed(f"migrate exited {done.returncode}: {done.stderr[-800:]}")
        for _ in range(REPLICAS):
            self.start_replica()
        self.start_balancer()
        for name in self.replicas:
            self.wait_in_rotation(name)
        log(f"{REPLICAS} replicas of {self.args.image} behind HAProxy ({self.lb_image}) at {self.lb_ip}")

    def wait_postgres(self, since_count: int, limit: float) -> float:
        """Until the server has announced readiness more than since_count times (a restart adds one)."""

        def ready() -> bool:
            logs = subprocess.run(["docker", "logs", self.db], capture_output=True, text=True, timeout=30).stderr
            return logs.count(READY_LINE) > since_count

        return wait_until("PostgreSQL ready", ready, limit)

    def ready_count(self) -> int:
        return subprocess.run(["docker", "logs", self.db], capture_output=True, text=True, timeout=30).stderr.count(
            READY_LINE
        )

    def hardened(self) -> list[str]:
        return hardened_args(self.dbnet, self.label, f"postgres://postgres:{PASSWORD}@db:5432/comments")

    def start_replica(self) -> str:
        """A new replica: created on the database network, joined to the front network under the alias `api`
        (which the balancer resolves, as a Service's endpoints), then started."""
        self.generation += 1
        name = f"{self.prefix}-api{self.generation}"
        s = self.t["service"]
        docker(
            "create",
            "--name",
            name,
            *self.hardened(),
            "--stop-timeout",
            str(self.t["container"]["stop_timeout_secs"]),
            "-e",
            "APP_DATABASE__MIGRATE_ON_START=false",
            "-e",
            "APP_LOG__FORMAT=json",
            "-e",
            "APP_LOG__LEVEL=warn",
            "-e",
            f"APP_SERVER__KEEP_ALIVE_TIMEOUT_SECS={s['keep_alive_timeout_secs']}",
            "-e",
            f"APP_SERVER__SHUTDOWN_DELAY_SECS={s['shutdown_delay_secs']}",
            "-e",
            f"APP_SERVER__SHUTDOWN_GRACE_SECS={s['shutdown_grace_secs']}",
            self.args.image,
            "serve",
        )
        docker("network", "connect", "--alias", "api", self.front, name)
        docker("start", name)
        self.replicas.append(name)
        wait_until(f"{name} /readyz", lambda: http("GET", f"http://{self.ip(name)}:9090/readyz")[0] == 200, 30)
        return name

    def start_balancer(self) -> None:
        self.lb_image = subprocess.run(
            ["bash", str(ROOT / "scripts/images/haproxy.sh")], stdout=subprocess.PIPE, text=True, timeout=900
        ).stdout.strip()
        if not self.lb_image:
            raise CheckFailed("no HAProxy image (scripts/images/haproxy.sh failed)")
        Path(self.confdir, "haproxy.cfg").write_text(timing.haproxy_cfg(self.t))
        Path(self.confdir, "503.http").write_text(timing.ERROR_503)
        os.chmod(self.confdir, 0o755)
        docker(
            "run",
            "-d",
            "--name",
            self.lb,
            "--label",
            self.label,
            "--network",
            self.front,
            "-v",
            f"{self.confdir}:/usr/local/etc/haproxy:ro",
            self.lb_image,
        )
        self.lb_ip = self.ip(self.lb)
        wait_until("HAProxy stats", lambda: http("GET", f"http://{self.lb_ip}:8404/stats;csv")[0] == 200, 20)

    # --- what the balancer sees ------------------------------------------------------------------
    def servers(self) -> list[dict]:
        """HAProxy's backend servers: name, address, status (UP, DOWN, MAINT...), current and total sessions."""
        _, _, body = http("GET", f"http://{self.lb_ip}:8404/stats;csv")
        rows = csv.DictReader(io.StringIO(body.decode().lstrip("# ")))
        return [r for r in rows if r["pxname"] == "replicas" and r["svname"] not in ("BACKEND", "FRONTEND")]

    def slot(self, name: str) -> dict | None:
        addr = f"{self.ip(name)}:8080"
        return next((s for s in self.servers() if s.get("addr") == addr), None)

    def wait_in_rotation(self, name: str) -> None:
        def up() -> bool:
            s = self.slot(name)
            return s is not None and s["status"].startswith("UP")

        try:
            wait_until(f"HAProxy sends to {name}", up, 30)
        except CheckFailed as err:
            seen = [(s["svname"], s.get("addr"), s["status"], s.get("check_status")) for s in self.servers()]
            raise CheckFailed(f"{err}; HAProxy's servers: {seen}; log: {container_logs(self.lb)[-600:]}") from None

    # --- load ------------------------------------------------------------------------------------
    def load(self, fault: str, index: int, seconds: float) -> subprocess.Popen:
        out = self.out / fault
        out.mkdir(parents=True, exist_ok=True)
        cmd = [
            self.args.loadtest,
            "run",
            "--target",
            f"http://{self.lb_ip}:8080",
            "--scenario",
            str(HERE / "scenario.toml"),
            "--rate",
            str(self.args.rate),
            "--duration",
            f"{int(seconds)}s",
            "--first-content-id",
            str(1 + index * 100_000),
            "--out",
            str(out),
            "--no-progress",
        ]
        return subprocess.Popen(cmd, stdout=open(out / "loadtest.log", "w"), stderr=subprocess.STDOUT)

    def result(self, fault: str, proc: subprocess.Popen, limit: float) -> verdict.FaultResult:
        try:
            proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise CheckFailed(f"{fault}: the load generator did not finish within {limit:.0f} s") from None
        path = self.out / fault / "report.json"
        if not path.exists():
            raise CheckFailed(f"{fault}: no report ({(self.out / fault / 'loadtest.log').read_text()[-800:]})")
        report = json.loads(path.read_text())
        s = report["summary"]
        p99 = max((e["latency_ms"]["p99"] for e in s["endpoints"].values()), default=0.0)
        integrity = bool(report.get("integrity") and report["integrity"].get("passed"))
        return verdict.FaultResult(
            name=fault,
            sent=s["sent"],
            failed=verdict.classify(s["error_kinds"]),
            dropped=s["dropped"],
            p99_ms=p99,
            integrity=integrity,
            non_503_5xx=verdict.non_503(s["error_kinds"]),
        )

    def with_load(self, fault: str, index: int, seconds: float, action) -> verdict.FaultResult:
        """Load for `seconds` through the balancer; `action` (the fault, bounded) starts after the seeding and
        the warm-up and returns extra fields for the result."""
        log(f"{fault}: load at {self.args.rate}/s for {seconds:.0f} s")
        proc = self.load(fault, index, seconds)
        try:
            time.sleep(self.args.lead_in)
            extra = action()
        except BaseException:
            proc.kill()
            raise
        r = self.result(fault, proc, seconds + 120)
        for key, value in (extra or {}).items():
            setattr(r, key, value)
        log(f"{fault}: {verdict.judge(r) or 'PASS'}")
        return r

    # --- faults ----------------------------------------------------------------------------------
    def stop_replica(self, name: str, sig: str) -> None:
        docker("kill", "-s", sig, name)
        limit = self.t["container"]["stop_timeout_secs"] + 5
        wait_until(f"{name} exits", lambda: docker("inspect", "-f", "{{.State.Running}}", name) == "false", limit)
        self.replicas.remove(name)
        docker("rm", "-f", name, check=False)

    def rolling_restart(self) -> dict:
        started = time.time()
        for old in list(self.replicas):
            new = self.start_replica()
            self.wait_in_rotation(new)
            self.stop_replica(old, "TERM")
            log(f"rolling-restart: {old} drained and gone, {new} in rotation")
        retried = verdict.retried(self.lb_log(started))
        return {"retried": retried, "notes": [f"{retried} requests HAProxy retried on another replica"]}

    def lb_log(self, since: float) -> str:
        done = subprocess.run(
            ["docker", "logs", "--since", str(max(0, int(since) - 1)), self.lb],
            capture_output=True,
            text=True,
            timeout=30,
        )
        return done.stdout + done.stderr

    def sigkill(self) -> dict:
        victim = self.replicas[0]
        slot = self.slot(victim)
        name = slot["svname"] if slot else "?"
        started = time.time()
        docker("kill", "-s", "KILL", victim)
        self.replicas.remove(victim)
        docker("rm", "-f", victim, check=False)
        time.sleep(2)
        self.wait_in_rotation(self.start_replica())
        killed, others = verdict.lost_by_server(self.lb_log(started), killed_slot=name)
        return {"killed_sessions": killed, "lost_elsewhere": others}

    def postgres_restart(self) -> dict:
        probes = [Probe(f"http://{self.lb_ip}:8080/api/comment/list/{1 + 2 * 100_000}") for _ in range(4)]
        for probe in probes:
            probe.start()
        count = self.ready_count()
        docker("kill", "-s", "INT", self.db)
        wait_until("PostgreSQL stops", lambda: docker("inspect", "-f", "{{.State.Running}}", self.db) == "false", 30)
        docker("start", self.db)
        self.wait_postgres(since_count=count, limit=60)
        back = time.monotonic()
        # Recovered: every probe has had a good answer after the database was back.
        wait_until(
            "service answers 200 after PostgreSQL is back",
            lambda: all(p.first_ok_after(back) is not None for p in probes),
            15,
            step=0.05,
        )
        for probe in probes:
            probe.stop()
        recovery = max(0.0, max(p.first_ok_after(back) for p in probes) - back)
        summary = Probe.summarize(probes)
        log(f"postgres-restart: {summary}, recovery {recovery:.2f} s after the database was back")
        return {"bad_503": sum(p.bad_503 for p in probes), "recovery_s": round(recovery, 2), "notes": [summary]}

    def duplicates(self) -> dict:
        """The same comment posted at once to every replica directly: exactly one 201, the others 200 with its id,
        and the content lists it once."""
        content = 1 + 3 * 100_000
        disagreements = 0
        ips = [self.ip(n) for n in self.replicas]
        for round_ in range(self.args.duplicate_rounds):
            body = {"content_id": content, "email": "dup@example.org", "comment": f"cross {self.run_id} {round_}"}
            answers: list[tuple[int, dict]] = []
            barrier = threading.Barrier(len(ips))

            def post(ip: str, body: dict, barrier: threading.Barrier, answers: list) -> None:
                barrier.wait(timeout=5)
                status, _, raw = http("POST", f"http://{ip}:8080/api/comment/new", body, timeout=10)
                answers.append((status, json.loads(raw or b"{}")))

            threads = [threading.Thread(target=post, args=(ip, body, barrier, answers)) for ip in ips]
            for th in threads:
                th.start()
            for th in threads:
                th.join(timeout=15)
            statuses = sorted(s for s, _ in answers)
            ids = {a.get("id") for _, a in answers}
            if statuses != [200] * (len(ips) - 1) + [201] or len(ids) != 1:
                disagreements += 1
                log(f"duplicates: round {round_}: statuses {statuses}, ids {ids}")
        _, _, raw = http("GET", f"http://{self.lb_ip}:8080/api/comment/list/{content}?limit=500")
        listed = [c for c in json.loads(raw) if c["comment"].startswith(f"cross {self.run_id} ")]
        if len(listed) != self.args.duplicate_rounds or len({c["comment"] for c in listed}) != len(listed):
            disagreements += 1
            log(f"duplicates: listed {len(listed)} rows for {self.args.duplicate_rounds} comments")
        return {"duplicate_disagreements": disagreements}

    def partition(self) -> dict:
        victim = self.replicas[-1]
        docker("network", "disconnect", self.dbnet, victim)
        readyz_false = wait_until(
            f"{victim} /readyz not 200", lambda: http("GET", f"http://{self.ip(victim)}:9090/readyz")[0] != 200, 10
        )
        try:
            wait_until(
                "HAProxy takes the partitioned replica out",
                lambda: not self.slot(victim)["status"].startswith("UP"),
                10,
                step=0.05,
            )
            down = True
        except CheckFailed:
            down = False
        before = int(self.slot(victim)["stot"])
        time.sleep(self.args.partition_hold)
        after = int(self.slot(victim)["stot"])
        docker("network", "connect", self.dbnet, victim)
        self.wait_in_rotation(victim)
        note = f"readyz false {readyz_false:.1f} s after the disconnect"
        return {"partition_marked_down": down, "partition_requests_after_down": after - before, "notes": [note]}

    def run(self) -> list[verdict.FaultResult]:
        self.start()
        d = self.args.fault_seconds
        return [
            self.with_load("rolling-restart", 0, d["rolling-restart"], self.rolling_restart),
            self.with_load("sigkill", 1, d["sigkill"], self.sigkill),
            self.with_load("postgres-restart", 2, d["postgres-restart"], self.postgres_restart),
            self.with_load("cross-replica-duplicates", 3, d["cross-replica-duplicates"], self.duplicates),
            self.with_load("partition", 4, d["partition"], self.partition),
        ]


class Probe(threading.Thread):
    """GETs a URL through the balancer every 50 ms (2 s timeout) during the database restart: each 503 must be JSON with
    Retry-After; records when the first 200 came after a given moment."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url = url
        self.halt = threading.Event()
        self.seen: list[tuple[float, int]] = []
        self.bad_503 = 0
        self.count_503 = 0
        self.other: collections.Counter[str] = collections.Counter()

    def run(self) -> None:
        deadline = time.monotonic() + 120
        while not self.halt.is_set() and time.monotonic() < deadline:
            try:
                status, headers, _ = http("GET", self.url, timeout=2)
            except OSError as err:
                status, headers = 0, {}
                self.other[type(err).__name__] += 1
            self.seen.append((time.monotonic(), status))
            if status == 503:
                self.count_503 += 1
                h = {k.lower(): v for k, v in headers.items()}
                if "retry-after" not in h or not h.get("content-type", "").startswith("application/json"):
                    self.bad_503 += 1
            elif status not in (0, 200, 404):
                self.other[f"status {status}"] += 1
            time.sleep(0.05)

    def first_ok_after(self, moment: float) -> float | None:
        return next((t for t, s in list(self.seen) if t >= moment and s in (200, 404)), None)

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=10)

    @staticmethod
    def summarize(probes: list[Probe]) -> str:
        return (
            f"probes: {sum(len(p.seen) for p in probes)} GETs, {sum(p.count_503 for p in probes)} x 503 "
            f"({sum(p.bad_503 for p in probes)} without JSON/Retry-After), "
            f"other failures: {dict(sum((p.other for p in probes), collections.Counter())) or 'none'}"
        )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--image", default=os.environ.get("CLUSTER_IMAGE", "comments-api:dev"))
    # Cargo's target directory: CARGO_TARGET_DIR when set (CI keeps one outside the clone), else ./target.
    target = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
    p.add_argument("--loadtest", default=os.environ.get("LOADTEST_BIN", str(target / "release/loadtest")))
    p.add_argument("--rate", type=int, default=60)
    p.add_argument("--out", default=str(target / "cluster" / time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())))
    args = p.parse_args()
    args.lead_in = 4.0
    args.duplicate_rounds = 20
    args.partition_hold = 3.0
    args.fault_seconds = {
        "rolling-restart": 28,
        "sigkill": 14,
        "postgres-restart": 16,
        "cross-replica-duplicates": 10,
        "partition": 14,
    }
    found = timing.problems(timing.load(), (ROOT / timing.DEPLOYMENT).read_text())
    if found:
        print("cluster-test: the timings are inconsistent:\n  " + "\n  ".join(found), file=sys.stderr)
        return 2
    if not Path(args.loadtest).exists():
        print(f"cluster-test: no load generator at {args.loadtest}", file=sys.stderr)
        return 2
    cluster = Cluster(args)

    def terminate(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    started = time.monotonic()
    try:
        results = cluster.run()
    except CheckFailed as err:
        log(f"cluster-test could not run: {err}")
        for name in cluster.replicas:
            log(f"{name} log tail: {container_logs(name)[-600:]}")
        return 2
    finally:
        cluster.cleanup()
    table = verdict.table(results)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    Path(args.out, "table.md").write_text(table + "\n")
    print(table)
    for r in results:
        for note in r.notes:
            print(f"- {r.name}: {note}")
    if r := [x for x in results if x.killed_sessions is not None]:
        print(
            f"- sigkill: HAProxy logged {r[0].killed_sessions} requests lost on the killed replica, "
            f"{r[0].lost_elsewhere} elsewhere"
        )
    failed = [r.name for r in results if verdict.judge(r)]
    print(
        f"cluster-test: {len(results) - len(failed)}/{len(results)} faults met their target in "
        f"{time.monotonic() - started:.0f} s" + (f"; missed: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
