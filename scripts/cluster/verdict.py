"""Pass/fail of each fault of `just cluster-test`, from the load generator's report and the driver's probes.
Pure functions: tests/cluster mutates their inputs to prove every target can fail."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Rolling restart: balancer retries tolerated, one per replaced replica (a connect racing the old replica's exit
# was measured once in three runs); a drain that closes early needs dozens (shutdown delay 0: 44).
RETRY_ALLOWANCE = 3

# Faults whose target is zero failed requests.
ZERO_FAILURE = ("rolling-restart", "partition", "cross-replica-duplicates")


def classify(error_kinds: dict[str, int]) -> dict[str, int]:
    """loadtest's error kinds -> connect / 5xx / reset / timeout / other."""
    out = {"connect": 0, "5xx": 0, "reset": 0, "timeout": 0, "other": 0}
    for kind, n in error_kinds.items():
        # loadtest prefixes each kind with the endpoint ("create: status 503").
        bare = kind.split(": ", 1)[-1]
        if bare == "connect":
            out["connect"] += n
        elif bare == "transport":
            out["reset"] += n
        elif bare == "timeout":
            out["timeout"] += n
        elif bare.startswith("status 5"):
            out["5xx"] += n
        else:
            out["other"] += n
    return out


def non_503(error_kinds: dict[str, int]) -> int:
    """5xx answers other than 503 (a 502 or 504 is a broken connection or a timeout, not the 503 contract)."""
    return sum(
        n
        for kind, n in error_kinds.items()
        if kind.split(": ", 1)[-1].startswith("status 5") and kind.split(": ", 1)[-1] != "status 503"
    )


# HAProxy's httplog: "... backend/server Tq/Tw/Tc/Tr/Ta status bytes - - TERM act/fe/be/srv/retries queues "req"";
# the retries field carries a "+" when the request was redispatched to another server.
# The status is -1 when the server's connection died before a whole answer came back; the termination state's
# first letter says who ended the session (S: the server aborted or refused it).
HTTPLOG = re.compile(
    r" (?P<backend>[\w-]+)/(?P<server>\S+) -?\d+/-?\d+/-?\d+/-?\d+/-?\d+ (?P<status>-1|\d{3}) .*? "
    r'(?P<term>[-\w]{4}) \d+/\d+/\d+/\d+/(?P<retries>\+?\d+) \d+/\d+ "'
)


def lost_by_server(log_text: str, killed_slot: str) -> tuple[int, int]:
    """Requests HAProxy could not answer normally (a 5xx, or a session the server side ended), on the killed
    server and on any other. The first is what the killed replica held when it died; the second must stay 0."""
    killed = others = 0
    for m in HTTPLOG.finditer(log_text):
        if not (m.group("status").startswith("5") or m.group("term").startswith("S")):
            continue
        if m.group("server") == killed_slot:
            killed += 1
        else:
            others += 1
    return killed, others


def retried(log_text: str) -> int:
    """Requests HAProxy logged as retried or redispatched."""
    return sum(1 for m in HTTPLOG.finditer(log_text) if m.group("retries") not in ("0",))


@dataclass
class FaultResult:
    name: str
    sent: int
    failed: dict[str, int]
    dropped: int
    p99_ms: float
    integrity: bool
    notes: list[str] = field(default_factory=list)
    # PostgreSQL restart: every 503 the probe saw carried JSON and Retry-After; recovery after the database is back.
    bad_503: int = 0
    non_503_5xx: int = 0
    recovery_s: float | None = None
    # SIGKILL: requests the killed replica held when it died, and requests lost elsewhere (HAProxy's log).
    killed_sessions: int | None = None
    lost_elsewhere: int = 0
    # Partition: the balancer took the replica out, and sent it nothing after.
    partition_marked_down: bool | None = None
    partition_requests_after_down: int | None = None
    # Rolling restart: requests HAProxy had to retry elsewhere (a drain that works makes that unnecessary).
    retried: int = 0
    # Cross-replica duplicates: rounds where the replicas did not agree on one id.
    duplicate_disagreements: int | None = None

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values()) + self.dropped


def judge(r: FaultResult) -> list[str]:
    """Every target this fault missed; empty when it passed."""
    out = []
    if r.sent <= 0:
        out.append("no request was sent")
    if not r.integrity:
        out.append("integrity check failed")
    if r.name in ZERO_FAILURE and r.failed_total:
        out.append(f"{r.failed_total} failed requests (target 0)")
    if r.name == "rolling-restart" and r.retried > RETRY_ALLOWANCE:
        out.append(
            f"{r.retried} requests HAProxy retried on another replica (the drain should leave at most "
            f"{RETRY_ALLOWANCE}, one per replaced replica)"
        )
    if r.name == "partition":
        if not r.partition_marked_down:
            out.append("the balancer did not take the partitioned replica out")
        if r.partition_requests_after_down:
            out.append(f"{r.partition_requests_after_down} requests reached the partitioned replica after it was out")
    if r.name == "cross-replica-duplicates" and r.duplicate_disagreements != 0:
        out.append(f"{r.duplicate_disagreements} rounds without exactly one 201 and one id across replicas")
    if r.name == "sigkill":
        held = r.killed_sessions if r.killed_sessions is not None else 0
        if r.failed_total > held:
            out.append(f"{r.failed_total} failed requests, more than the {held} connections the killed replica held")
        if r.lost_elsewhere:
            out.append(f"{r.lost_elsewhere} requests lost on replicas that were not killed (target 0)")
    if r.name == "postgres-restart":
        others = r.failed_total - r.failed["5xx"]
        if others:
            out.append(f"{others} failures other than 503 (target: 503 with Retry-After only)")
        if r.non_503_5xx:
            out.append(f"{r.non_503_5xx} 5xx answers other than 503")
        if r.bad_503:
            out.append(f"{r.bad_503} 503 answers without JSON or Retry-After")
        if r.recovery_s is None or r.recovery_s > 5.0:
            out.append(f"recovery {r.recovery_s} s after the database was back (target <= 5 s)")
    return out


def table(results: list[FaultResult]) -> str:
    head = "| fault | sent | connect | 5xx | reset | timeout | other+dropped | p99 ms | integrity | verdict |"
    rows = [head, "|" + "---|" * 10]
    for r in results:
        f = r.failed
        missed = judge(r)
        rows.append(
            f"| {r.name} | {r.sent} | {f['connect']} | {f['5xx']} | {f['reset']} | {f['timeout']} | "
            f"{f['other'] + r.dropped} | {r.p99_ms:.1f} | {'PASS' if r.integrity else 'FAIL'} | "
            f"{'PASS' if not missed else 'FAIL: ' + '; '.join(missed)} |"
        )
    return "\n".join(rows)
