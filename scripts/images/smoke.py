#!/usr/bin/env python3
"""Smoke test of the comments-api image, the way a cluster runs it.

On a private Docker network: a PostgreSQL container, `comments-api migrate` as a one-off container, then the
service with a read-only root filesystem, uid 65532, every capability dropped, no-new-privileges and a memory
limit. Checks the original curl sequence, the admin endpoints, the Swagger UI and the OpenAPI document, then
sends SIGTERM in the middle of a burst of requests: every request the service accepted must succeed and the
process must exit 0 within its shutdown grace. Everything it starts is removed, also on failure or Ctrl-C.

Only the standard library; traffic goes to 127.0.0.1 ports published by the containers it starts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid

READY_LINE = "database system is ready to accept connections"
GRACE_SECS = 10


class CheckFailed(Exception):
    pass


def docker(*args: str, timeout: float = 120, check: bool = True) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise CheckFailed(f"docker {' '.join(args[:2])}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.strip()


def container_logs(name: str) -> str:
    """Both streams: the service writes JSON lines to stdout, but a panic or a startup error goes to stderr."""
    done = subprocess.run(
        ["docker", "logs", name], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60
    )
    return done.stdout


def postgres_image() -> str:
    """The image the tests use: see scripts/images/postgres-image.sh (TEST_POSTGRES_IMAGE, else the official
    image when it can be had, else the local stand-in)."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "postgres-image.sh")
    done = subprocess.run(["bash", script], stdout=subprocess.PIPE, text=True, timeout=600)
    if done.returncode != 0 or not done.stdout.strip():
        raise CheckFailed("no PostgreSQL image (scripts/images/postgres-image.sh failed)")
    return done.stdout.strip()


class Http:
    """One request per connection to a published port on 127.0.0.1."""

    def __init__(self, port: int, timeout: float = 5):
        self.port, self.timeout = port, timeout

    def request(self, method: str, path: str, body: object | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            payload = json.dumps(body).encode() if body is not None else None
            hdrs = {"Content-Type": "application/json"} if payload is not None else {}
            hdrs.update(headers or {})
            conn.request(method, path, body=payload, headers=hdrs)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def json(self, method: str, path: str, body: object | None = None):
        status, headers, raw = self.request(method, path, body)
        try:
            return status, headers, json.loads(raw)
        except ValueError as exc:
            raise CheckFailed(f"{method} {path}: answer is not JSON ({status}): {raw[:200]!r}") from exc


def hardened_args(network: str, label: str, db_url: str) -> list[str]:
    """`docker run` flags that start the service as production runs it: read-only root, no capabilities, the
    distroless nonroot user, bounded memory and processes, on `network` with the database at `db_url`."""
    return [
        "--network",
        network,
        "--label",
        label,
        "--read-only",
        "--cap-drop",
        "ALL",
        "--user",
        "65532:65532",
        "--security-opt",
        "no-new-privileges",
        "--memory",
        "128m",
        "--pids-limit",
        "256",
        "-e",
        f"APP_DATABASE__URL={db_url}",
    ]


def expect(cond: bool, what: str) -> None:
    if not cond:
        raise CheckFailed(what)


class Smoke:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.run_id = f"cmt-smoke-{os.getpid()}-{secrets.token_hex(3)}"
        self.label = f"comments-platform.smoke={self.run_id}"
        self.network = self.run_id
        self.db_name = f"{self.run_id}-db"
        self.api_name = f"{self.run_id}-api"
        self.password = secrets.token_hex(12)
        self.db_url = f"postgres://postgres:{self.password}@db:5432/comments"
        self.passed: list[str] = []

    # --- lifecycle -------------------------------------------------------------------------------------
    def cleanup(self) -> None:
        ids = docker("ps", "-aq", "--filter", f"label={self.label}", check=False).split()
        if ids:
            docker("rm", "-f", "-v", *ids, check=False)
        docker("network", "rm", self.network, check=False)

    def hardened(self) -> list[str]:
        return hardened_args(self.network, self.label, self.db_url)

    def ok(self, what: str) -> None:
        self.passed.append(what)
        print(f"  ok  {what}")

    def start_database(self, image: str) -> None:
        docker("network", "create", "--label", self.label, self.network)
        docker(
            "run",
            "-d",
            "--name",
            self.db_name,
            "--label",
            self.label,
            "--network",
            self.network,
            "--network-alias",
            "db",
            "-e",
            f"POSTGRES_PASSWORD={self.password}",
            "-e",
            "POSTGRES_DB=comments",
            image,
        )
        # Like testcontainers: the real server (after the init phase) announces readiness on stderr.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            logs = subprocess.run(["docker", "logs", self.db_name], capture_output=True, text=True, timeout=30)
            if READY_LINE in logs.stderr:
                self.ok(f"PostgreSQL ready ({image})")
                return
            if docker("inspect", "-f", "{{.State.Running}}", self.db_name) != "true":
                raise CheckFailed(f"PostgreSQL exited: {logs.stderr[-800:]}")
            time.sleep(0.25)
        raise CheckFailed("PostgreSQL not ready within 90 s")

    def migrate(self) -> None:
        done = subprocess.run(
            ["docker", "run", "--rm", *self.hardened(), self.args.image, "migrate"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        expect(done.returncode == 0, f"migrate exited {done.returncode}: {done.stderr[-800:]}{done.stdout[-800:]}")
        self.ok("`comments-api migrate` as a one-off container, exit 0")

    def start_service(self) -> tuple[Http, Http]:
        cid = docker(
            "run",
            "-d",
            "--name",
            self.api_name,
            *self.hardened(),
            "-e",
            "APP_DATABASE__MIGRATE_ON_START=false",
            "-e",
            f"APP_SERVER__SHUTDOWN_GRACE_SECS={GRACE_SECS}",
            "-p",
            "127.0.0.1::8080",
            "-p",
            "127.0.0.1::9090",
            self.args.image,
        )
        api = Http(self.published_port(8080))
        admin = Http(self.published_port(9090))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if admin.request("GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            if docker("inspect", "-f", "{{.State.Running}}", cid) != "true":
                raise CheckFailed(f"service exited: {container_logs(cid)[-1500:]}")
            time.sleep(0.02)
        else:
            raise CheckFailed("/readyz not 200 within 30 s")
        ready_at = dt.datetime.now(dt.UTC)
        started_at = parse_docker_time(docker("inspect", "-f", "{{.State.StartedAt}}", cid))
        self.start_to_ready = (ready_at - started_at).total_seconds()
        self.ok(f"/readyz 200, {self.start_to_ready * 1000:.0f} ms after the container started")
        return api, admin

    def published_port(self, port: int) -> int:
        mapping = docker("port", self.api_name, f"{port}/tcp").splitlines()[0]
        return int(mapping.rsplit(":", 1)[1])

    # --- checks ----------------------------------------------------------------------------------------
    def image_metadata(self) -> None:
        config = json.loads(docker("image", "inspect", "-f", "{{json .Config}}", self.args.image))
        expect(config.get("User") in ("65532", "65532:65532"), f"image user {config.get('User')!r}, not 65532")
        expect(
            config.get("Entrypoint") == ["/usr/local/bin/comments-api"] and config.get("Cmd") == ["serve"],
            f"entrypoint/cmd {config.get('Entrypoint')} {config.get('Cmd')}",
        )
        expect({"8080/tcp", "9090/tcp"} <= set(config.get("ExposedPorts") or {}), "ports 8080/9090 not exposed")
        labels = config.get("Labels") or {}
        for key in ("version", "revision"):
            expect(bool(labels.get(f"org.opencontainers.image.{key}")), f"label org.opencontainers.image.{key} empty")
        version = docker("run", "--rm", "--network", "none", self.args.image, "--version")
        expect(self.args.revision in version, f"--version {version!r} lacks the revision {self.args.revision}")
        for shell in ("/bin/sh", "/bin/bash", "/busybox/sh"):
            done = subprocess.run(
                ["docker", "run", "--rm", "--network", "none", "--entrypoint", shell, self.args.image, "-c", "true"],
                capture_output=True,
                timeout=60,
            )
            expect(done.returncode != 0, f"the image has a shell: {shell}")
        self.ok("image: user 65532, entrypoint, ports, OCI labels, revision compiled in, no shell")

    def original_sequence(self, api: Http) -> None:
        body = {"email": "alice@example.com", "comment": "first post!", "content_id": 1}
        status, headers, first = api.json("POST", "/api/comment/new", body)
        expect(
            status == 201
            and first.get("status") == "SUCCESS"
            and first.get("message") == "comment created and associated with content_id 1"
            and isinstance(first.get("id"), int),
            f"first POST: {status} {first}",
        )
        expect(bool(headers.get("x-request-id")), "no X-Request-Id on the answer")
        self.ok("POST /api/comment/new -> 201 SUCCESS with id and X-Request-Id")
        status, _, again = api.json("POST", "/api/comment/new", body)
        expect(
            status == 200
            and again.get("status") == "SUCCESS"
            and again.get("id") == first["id"]
            and again.get("message") == "comment already exists for content_id 1",
            f"duplicate POST: {status} {again}",
        )
        self.ok("identical POST -> 200, same id (no duplicate row)")
        api.json("POST", "/api/comment/new", {"email": "bob@example.com", "comment": "second", "content_id": 1})
        status, _, listed = api.json("GET", "/api/comment/list/1")
        expect(
            status == 200
            and isinstance(listed, list)
            and len(listed) == 2
            and [c.get("email") for c in listed] == ["alice@example.com", "bob@example.com"]
            and listed[0].get("comment") == "first post!",
            f"list: {status} {listed}",
        )
        self.ok("GET /api/comment/list/1 -> 200, two comments oldest first")
        status, _, missing = api.json("GET", "/api/comment/list/3")
        expect(
            status == 404 and missing == {"status": "NOT-FOUND", "message": "content_id 3 not found"},
            f"unknown content: {status} {missing}",
        )
        self.ok("GET /api/comment/list/3 -> 404 NOT-FOUND")
        status, _, invalid = api.json("POST", "/api/comment/new", {"email": "alice@example.com", "content_id": 1})
        expect(status == 400 and invalid.get("status") == "INVALID", f"missing field: {status} {invalid}")
        self.ok("POST without comment -> 400 INVALID as JSON")

    def admin_and_docs(self, api: Http, admin: Http) -> None:
        expect(admin.request("GET", "/healthz")[0] == 200, "/healthz not 200")
        status, headers, raw = admin.request("GET", "/metrics")
        text = raw.decode()
        expect(status == 200, f"/metrics {status}")
        wanted = [
            "http_requests_total{",
            'route="/api/comment/new"',
            'route="/api/comment/list/{content_id}"',
            "http_request_duration_seconds_bucket",
            "comments_created_total",
            "comments_duplicates_total",
            "db_pool_connections",
            f'revision="{self.args.revision}"' if self.args.revision else "comments_api_build_info",
        ]
        absent = [w for w in wanted if w not in text]
        expect(not absent, f"/metrics lacks {absent}")
        expect(text.rstrip().endswith("# EOF"), "/metrics is not OpenMetrics (no # EOF)")
        self.ok(f"/metrics OpenMetrics with RED, pool, comment and build metrics ({headers.get('content-type')})")
        status, headers, raw = api.request("GET", "/docs")
        expect(
            status == 200 and "text/html" in headers.get("content-type", "") and b"swagger" in raw.lower(),
            f"/docs: {status} {headers.get('content-type')}",
        )
        status, _, spec = api.json("GET", "/openapi.json")
        expect(
            status == 200
            and str(spec.get("openapi", "")).startswith("3")
            and "/api/comment/new" in spec.get("paths", {}),
            "/openapi.json is not the service's spec",
        )
        self.ok("Swagger UI /docs is HTML, /openapi.json parses with the API's paths")
        first_log = docker("logs", "--tail", "1", self.api_name).splitlines()
        expect(bool(first_log) and first_log[0].startswith("{") and json.loads(first_log[0]), "logs are not JSON")
        self.ok("logs are JSON lines")

    def sigterm_during_burst(self, api: Http) -> None:
        """Workers post distinct comments; SIGTERM arrives mid-burst. A request counts as accepted when the
        service logged its request id; each accepted one must have succeeded. Connection errors are allowed
        only for requests started after the signal (the listener closed, the request never reached it)."""
        results: list[tuple[str, float, str]] = []  # (request id, start time, outcome)
        lock = threading.Lock()
        stop = threading.Event()
        budget = iter(range(self.args.burst_requests))
        signalled_at: list[float] = []
        burst_api = Http(api.port, timeout=GRACE_SECS + 5)

        def worker() -> None:
            while not stop.is_set():
                with lock:
                    n = next(budget, None)
                if n is None:
                    return
                rid = f"{self.run_id}-{n}-{uuid.uuid4().hex[:8]}"
                began = time.monotonic()
                body = {"email": f"burst{n}@example.com", "comment": f"burst {n}", "content_id": 100 + n % 7}
                try:
                    status = burst_api.request("POST", "/api/comment/new", body, {"X-Request-Id": rid})[0]
                    outcome = "ok" if status in (200, 201) else f"http {status}"
                except (OSError, http.client.HTTPException) as exc:
                    outcome = f"connection: {type(exc).__name__}"
                with lock:
                    results.append((rid, began, outcome))
                # Once the draining service refuses, this worker has shown what it can: stop.
                if outcome != "ok" and signalled_at:
                    return

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(self.args.burst_workers)]
        for t in threads:
            t.start()
        time.sleep(self.args.signal_after)
        signalled = time.monotonic()
        signalled_at.append(signalled)
        docker("kill", "-s", "TERM", self.api_name)
        exit_code = docker("wait", self.api_name, timeout=GRACE_SECS + 20)
        exited = time.monotonic()
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(timeout=GRACE_SECS + 10)
        logs = container_logs(self.api_name)

        verdict = judge_burst(results, logs, signalled)
        print(
            f"      burst: {verdict['sent']} sent, {verdict['accepted']} accepted "
            f"({verdict['accepted_late']} around/after SIGTERM), {verdict['refused']} refused after the signal; "
            f"exit {exit_code} {(exited - signalled) * 1000:.0f} ms after SIGTERM"
        )
        expect(not verdict["problems"], "; ".join(verdict["problems"]))
        expect(exit_code == "0", f"exit code {exit_code} after SIGTERM")
        expect(exited - signalled <= GRACE_SECS, f"exit took {exited - signalled:.1f} s > grace {GRACE_SECS} s")
        self.ok("SIGTERM mid-burst: zero failed accepted requests, exit 0 within the grace")

    def run(self) -> int:
        began = time.monotonic()
        try:
            if not self.args.revision:
                self.args.revision = docker(
                    "image",
                    "inspect",
                    "-f",
                    '{{index .Config.Labels "org.opencontainers.image.revision"}}',
                    self.args.image,
                )
            print(f"smoke: {self.args.image} revision {self.args.revision} (run {self.run_id})")
            self.start_database(postgres_image())
            self.image_metadata()
            self.migrate()
            api, admin = self.start_service()
            self.original_sequence(api)
            self.admin_and_docs(api, admin)
            mem = docker("stats", "--no-stream", "--format", "{{.MemUsage}}", self.api_name, check=False)
            print(f"      memory after the checks: {mem}")
            self.sigterm_during_burst(api)
        except CheckFailed as exc:
            print(f"FAIL {exc}", file=sys.stderr)
            for name in (self.api_name, self.db_name):
                print(f"--- last log lines of {name}:\n{container_logs(name)[-2000:]}", file=sys.stderr)
            print(f"image-smoke: {len(self.passed)} passed, 1 failed")
            return 1
        finally:
            self.cleanup()
        print(f"start-to-ready: {self.start_to_ready * 1000:.0f} ms; smoke took {time.monotonic() - began:.1f} s")
        print(f"image-smoke: {len(self.passed)} passed, 0 failed")
        return 0


def judge_burst(results: list[tuple[str, float, str]], logs: str, signalled: float) -> dict:
    """results: (request id, monotonic start, outcome "ok" | "http NNN" | "connection: ..."). A request was
    accepted when the service logged its id; every accepted one must have succeeded. A request that was not
    accepted may fail only if it began after the signal: the listener had closed and it never reached the
    service. One begun well before the signal had connected before it, so refusing it is a failure (the
    margin covers the signal's delivery and a worker thread waiting for the interpreter lock)."""
    accepted = [r for r in results if r[0] in logs]
    failed_accepted = [r for r in accepted if r[2] != "ok"]
    refused = [r for r in results if r[2] != "ok" and r[0] not in logs]
    refused_early = [r for r in refused if r[1] < signalled - 0.25]
    problems = []
    if not accepted:
        problems.append("no request of the burst reached the service")
    if failed_accepted:
        problems.append(f"{len(failed_accepted)} accepted requests failed: {failed_accepted[:3]}")
    if refused_early:
        problems.append(f"{len(refused_early)} requests failed before the signal: {refused_early[:3]}")
    return {
        "sent": len(results),
        "accepted": len(accepted),
        "refused": len(refused),
        "accepted_late": sum(1 for r in accepted if r[1] >= signalled - 0.05),
        "problems": problems,
    }


def parse_docker_time(text: str) -> dt.datetime:
    # 2026-11-23T11:02:03.123456789Z: Python parses at most microseconds.
    head, _, frac = text.rstrip("Z").partition(".")
    return dt.datetime.fromisoformat(f"{head}.{(frac + '000000')[:6]}+00:00")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", default="comments-api:dev")
    parser.add_argument(
        "--revision", default="", help="expected comments_api_build_info revision (default: the image's revision label)"
    )
    parser.add_argument("--burst-requests", type=int, default=3000, help="upper bound of the burst")
    parser.add_argument("--burst-workers", type=int, default=8)
    parser.add_argument("--signal-after", type=float, default=1.0, help="seconds into the burst")
    smoke = Smoke(parser.parse_args())

    def terminate(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    return smoke.run()


if __name__ == "__main__":
    sys.exit(main())
