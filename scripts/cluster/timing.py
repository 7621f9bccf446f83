"""The cluster timings (timing.toml): load them, check the relations they must keep, render HAProxy's
configuration from them. `python3 scripts/cluster/timing.py check` checks and prints the calculation."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEPLOYMENT = Path("environments/base/deployment.yaml")
COMPOSE = Path("docker-compose.cluster.yml")
COMPOSE_HAPROXY = Path("deploy/compose/haproxy")


def load(path: Path = HERE / "timing.toml") -> dict:
    return tomllib.loads(path.read_text())


def detection_ms(b: dict) -> int:
    """Worst case from a replica's /readyz turning 503 to the balancer taking it out: a check may have
    just passed (one interval), then `fall` failed checks, the last one waiting out its timeout."""
    return b["check_interval_ms"] * (b["fall"] + 1) + b["check_timeout_ms"]


def problems(t: dict, deployment_text: str | None = None) -> list[str]:
    """Every relation the timings break, as a message naming it; empty when consistent."""
    b, s, c, k = t["balancer"], t["service"], t["container"], t["kubernetes"]
    out = []
    if b["check_timeout_ms"] >= b["check_interval_ms"]:
        out.append("balancer.check_timeout_ms must be below check_interval_ms (checks would overlap)")
    if s["shutdown_delay_secs"] * 1000 <= detection_ms(b):
        out.append(
            f"service.shutdown_delay_secs ({s['shutdown_delay_secs']} s) must exceed the balancer's detection "
            f"time interval x (fall + 1) + timeout = {detection_ms(b)} ms: the listener would close while "
            "the balancer still sends to it"
        )
    if s["keep_alive_timeout_secs"] * 1000 <= max(b["server_idle_ms"], b["server_timeout_ms"]):
        out.append(
            "service.keep_alive_timeout_secs must exceed the balancer's server_idle_ms and server_timeout_ms: "
            "the replica would close an idle connection the balancer is about to reuse (a 502)"
        )
    if c["stop_timeout_secs"] <= s["shutdown_delay_secs"] + s["shutdown_grace_secs"]:
        out.append("container.stop_timeout_secs must exceed shutdown_delay_secs + shutdown_grace_secs")
    if b["server_timeout_ms"] >= s["shutdown_grace_secs"] * 1000:
        out.append("balancer.server_timeout_ms must be below service.shutdown_grace_secs (a drain cut short)")
    if k["termination_grace_period_secs"] <= k["prestop_sleep_secs"] + s["shutdown_grace_secs"]:
        out.append("kubernetes.termination_grace_period_secs must exceed prestop_sleep_secs + shutdown_grace_secs")
    if k["readiness_timeout_secs"] >= k["readiness_period_secs"]:
        out.append("kubernetes.readiness_timeout_secs must be below readiness_period_secs")
    if deployment_text is not None:
        out += deployment_mismatches(k, deployment_text)
    return out


def deployment_mismatches(k: dict, text: str) -> list[str]:
    """The Deployment must carry the numbers of timing.toml's [kubernetes]."""
    found = {
        "termination_grace_period_secs": re.search(r"terminationGracePeriodSeconds:\s*(\d+)", text),
        "prestop_sleep_secs": re.search(r"preStop:\s*(?:#.*\n\s*)*sleep:\s*\n\s*seconds:\s*(\d+)", text),
    }
    probe = re.search(r"readinessProbe:(.*?)(?:\n\s{10}\w+:|\Z)", text, re.S)
    body = probe.group(1) if probe else ""
    for key, field in (
        ("readiness_period_secs", "periodSeconds"),
        ("readiness_failure_threshold", "failureThreshold"),
        ("readiness_timeout_secs", "timeoutSeconds"),
    ):
        found[key] = re.search(rf"{field}:\s*(\d+)", body)
    out = []
    for key, match in found.items():
        if match is None:
            out.append(f"{DEPLOYMENT}: no value for {key}")
        elif int(match.group(1)) != k[key]:
            out.append(f"{DEPLOYMENT}: {key} is {match.group(1)}, timing.toml says {k[key]}")
    return out


def compose_mismatches(t: dict, root: Path) -> list[str]:
    """docker-compose.cluster.yml and its HAProxy configuration must carry these timings."""
    out = []
    compose = (root / COMPOSE).read_text()
    s = t["service"]
    for key in ("keep_alive_timeout_secs", "shutdown_delay_secs", "shutdown_grace_secs"):
        env = f"APP_SERVER__{key.upper()}"
        m = re.search(rf'{env}:\s*"?(\d+)"?', compose)
        if m is None or int(m.group(1)) != s[key]:
            out.append(f"{COMPOSE}: {env} is {m.group(1) if m else 'missing'}, timing.toml says {s[key]}")
    m = re.search(r"stop_grace_period:\s*(\d+)s", compose)
    if m is None or int(m.group(1)) != t["container"]["stop_timeout_secs"]:
        out.append(f"{COMPOSE}: stop_grace_period differs from container.stop_timeout_secs")
    for name, text in (("haproxy.cfg", haproxy_cfg(t)), ("503.http", ERROR_503)):
        path = root / COMPOSE_HAPROXY / name
        if not path.exists() or path.read_bytes() != text.encode():
            out.append(f"{COMPOSE_HAPROXY / name} differs from the rendering of timing.toml (timing.py render)")
    return out


def haproxy_cfg(t: dict, slots: int = 6) -> str:
    """HAProxy in front of the replicas: every container with the network alias `api` (Docker's DNS) fills
    a server slot, as endpoints fill a Kubernetes Service; /readyz on the admin port decides who gets traffic."""
    b = t["balancer"]
    server_defaults = (
        f"check port 9090 inter {b['check_interval_ms']} fall {b['fall']} rise {b['rise']} resolvers docker "
        f"resolve-prefer ipv4 init-addr none pool-purge-delay {b['server_idle_ms']}ms"
    )
    return f"""\
global
    # info: one line per request (httplog), which the test reads (retries, 5xx per server).
    log stdout format raw local0 info
    maxconn 4096

resolvers docker
    nameserver dns 127.0.0.11:53
    resolve_retries 3
    timeout resolve 200ms
    timeout retry 200ms
    hold valid 1s
    hold obsolete 1s
    hold nx 1s

defaults
    mode http
    log global
    option httplog
    timeout connect {b["connect_timeout_ms"]}ms
    timeout client 30s
    timeout server {b["server_timeout_ms"]}ms
    timeout http-keep-alive {b["client_keep_alive_ms"]}ms
    timeout check {b["check_timeout_ms"]}ms
    # A request that never reached a replica (connect failed), whose replica died before answering anything
    # (empty-response: SIGKILL, or an idle connection that closed as it was reused) or that got a 503 (overload,
    # database known down or dropped) goes to another one. Both endpoints are safe to repeat: a retried create
    # that had committed is answered 200 with the same id (the duplicate rule), never a second row.
    retries 2
    option redispatch 1
    retry-on conn-failure empty-response 503

frontend api
    bind :8080
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    # No replica ready (the database is down): the same 503 contract as the service, JSON with Retry-After.
    errorfile 503 /usr/local/etc/haproxy/503.http
    default-server {server_defaults}
    server-template api {slots} api:8080

frontend stats
    bind :8404
    stats enable
    stats uri /stats
    # Server addresses in the CSV (the test maps a replica to its slot by address).
    stats show-legends
"""


ERROR_503 = (
    "HTTP/1.0 503 Service Unavailable\r\n"
    "Cache-Control: no-cache\r\n"
    "Connection: close\r\n"
    "Content-Type: application/json\r\n"
    "Retry-After: 1\r\n"
    "\r\n"
    '{"status":"ERROR","message":"no replica is ready, retry later"}\n'
)


def main(argv: list[str]) -> int:
    """check [ROOT]: the timings of ROOT (default this checkout) against ROOT's Deployment and compose cluster.
    render: writes the compose cluster's HAProxy configuration from the timings."""
    if len(argv) not in (2, 3) or argv[1] not in ("check", "render"):
        print("usage: timing.py check [ROOT] | render", file=sys.stderr)
        return 2
    root = Path(argv[2]) if len(argv) == 3 else ROOT
    t = load(root / "scripts/cluster/timing.toml")
    if argv[1] == "render":
        (root / COMPOSE_HAPROXY).mkdir(parents=True, exist_ok=True)
        (root / COMPOSE_HAPROXY / "haproxy.cfg").write_text(haproxy_cfg(t))
        (root / COMPOSE_HAPROXY / "503.http").write_text(ERROR_503)
        return 0
    found = problems(t, (root / DEPLOYMENT).read_text()) + compose_mismatches(t, root)
    b, s = t["balancer"], t["service"]
    print(
        f"timing: balancer detection {detection_ms(b)} ms < drain delay {s['shutdown_delay_secs'] * 1000} ms; "
        f"keep-alive {s['keep_alive_timeout_secs']} s > balancer idle {b['server_idle_ms']} ms"
    )
    for p in found:
        print(f"timing: FAIL {p}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
