"""The cluster test's pass/fail logic (scripts/cluster/verdict.py): a result meeting every target passes, and each
way of missing a target fails with a message naming it."""

import dataclasses

import pytest

from scripts.cluster import verdict

NO_FAILURES = {"connect": 0, "5xx": 0, "reset": 0, "timeout": 0, "other": 0}


def good(name: str) -> verdict.FaultResult:
    r = verdict.FaultResult(name=name, sent=900, failed=dict(NO_FAILURES), dropped=0, p99_ms=20.0, integrity=True)
    if name == "partition":
        r.partition_marked_down, r.partition_requests_after_down = True, 0
    if name == "cross-replica-duplicates":
        r.duplicate_disagreements = 0
    if name == "sigkill":
        r.killed_sessions = 0
    if name == "postgres-restart":
        r.recovery_s = 0.4
    return r


FAULTS = ["rolling-restart", "sigkill", "postgres-restart", "cross-replica-duplicates", "partition"]


@pytest.mark.parametrize("name", FAULTS)
def test_a_result_meeting_the_targets_passes(name):
    assert verdict.judge(good(name)) == []


def failed(**kinds):
    return {**NO_FAILURES, **kinds}


# (fault, changes to the good result, words the verdict must name)
MUTATIONS = [
    *[(f, {"integrity": False}, "integrity check failed") for f in FAULTS],
    *[(f, {"sent": 0}, "no request was sent") for f in FAULTS],
    *[
        (f, {"failed": failed(**{kind: 1})}, "1 failed requests (target 0)")
        for f in ("rolling-restart", "partition", "cross-replica-duplicates")
        for kind in ("connect", "5xx", "reset", "timeout", "other")
    ],
    *[(f, {"dropped": 2}, "2 failed requests (target 0)") for f in ("rolling-restart", "partition")],
    ("partition", {"partition_marked_down": False}, "did not take the partitioned replica out"),
    ("partition", {"partition_marked_down": None}, "did not take the partitioned replica out"),
    ("partition", {"partition_requests_after_down": 3}, "3 requests reached the partitioned replica"),
    ("cross-replica-duplicates", {"duplicate_disagreements": 1}, "1 rounds without exactly one 201"),
    ("cross-replica-duplicates", {"duplicate_disagreements": None}, "rounds without exactly one 201"),
    ("sigkill", {"failed": failed(**{"5xx": 3}), "killed_sessions": 2}, "more than the 2 connections"),
    ("sigkill", {"failed": failed(connect=1)}, "more than the 0 connections"),
    ("postgres-restart", {"failed": failed(connect=1)}, "1 failures other than 503"),
    ("postgres-restart", {"failed": failed(reset=2)}, "2 failures other than 503"),
    ("postgres-restart", {"non_503_5xx": 1}, "1 5xx answers other than 503"),
    ("postgres-restart", {"bad_503": 4}, "4 503 answers without JSON or Retry-After"),
    ("postgres-restart", {"recovery_s": 5.01}, "recovery 5.01 s"),
    ("postgres-restart", {"recovery_s": None}, "recovery None s"),
]


@pytest.mark.parametrize(
    ("name", "changes", "message"), MUTATIONS, ids=[f"{m[0]}-{'-'.join(m[1])}-{i}" for i, m in enumerate(MUTATIONS)]
)
def test_each_missed_target_fails_naming_it(name, changes, message):
    r = dataclasses.replace(good(name), **changes)
    missed = verdict.judge(r)
    assert any(message in m for m in missed), missed
    assert "FAIL" in verdict.table([r])


def test_the_failures_the_targets_allow():
    # SIGKILL: failures up to the killed replica's connections; PostgreSQL restart: 503s.
    assert verdict.judge(dataclasses.replace(good("sigkill"), failed=failed(**{"5xx": 2}), killed_sessions=2)) == []
    assert verdict.judge(dataclasses.replace(good("postgres-restart"), failed=failed(**{"5xx": 40}))) == []


def test_classify_maps_the_generator_kinds():
    kinds = {
        "create: connect": 1,
        "list: transport": 2,
        "create: status 503": 3,
        "list: status 502": 4,
        "list: timeout": 5,
        "create: bad body": 6,
        "list: status 404": 7,
    }
    assert verdict.classify(kinds) == {"connect": 1, "reset": 2, "5xx": 7, "timeout": 5, "other": 13}
    assert verdict.non_503(kinds) == 4


def test_table_has_a_row_per_fault_with_the_figures():
    rows = verdict.table([good(f) for f in FAULTS]).splitlines()
    assert len(rows) == 2 + len(FAULTS)
    assert rows[2].startswith("| rolling-restart | 900 | 0 | 0 | 0 | 0 | 0 | 20.0 | PASS | PASS |")


# Lines as HAProxy 3.0 logs them (httplog), from a run of the cluster test.
LOG = """\
Server replicas/api1 ('api') is UP/READY (resolves again).
192.168.32.1:34390 [03/Dec/2026:07:45:23.557] api replicas/api2 0/1001/0/1/1002 200 2587 - - ---- 20/20/19/0/+1 0/0 "GET /api/comment/list/7 HTTP/1.1"
192.168.32.1:34392 [03/Dec/2026:07:45:24.093] api replicas/api4 0/0/485/19/504 200 2587 - - ---- 20/20/14/7/1 0/0 "GET /api/comment/list/4 HTTP/1.1"
192.168.32.1:34394 [03/Dec/2026:07:45:24.101] api replicas/api3 0/0/0/3/3 201 120 - - ---- 20/20/14/7/0 0/0 "POST /api/comment/new HTTP/1.1"
192.168.32.1:34396 [03/Dec/2026:07:45:24.201] api replicas/api1 0/0/0/-1/2 502 200 - - SH-- 20/20/14/7/0 0/0 "POST /api/comment/new HTTP/1.1"
"""


def test_retried_counts_the_retried_and_redispatched_requests():
    assert verdict.retried(LOG) == 2
    assert verdict.retried(LOG.replace("/+1 0/0", "/0 0/0").replace("/7/1 0/0", "/7/0 0/0")) == 0


def test_httplog_names_server_and_status():
    found = [(m.group("server"), m.group("status")) for m in verdict.HTTPLOG.finditer(LOG)]
    assert found == [("api2", "200"), ("api4", "200"), ("api3", "201"), ("api1", "502")]


def test_a_rolling_restart_that_needed_retries_fails():
    # The retries hide a drain that closes too early (measured: shutdown delay 0 -> 44 retries, 0 failures).
    missed = verdict.judge(dataclasses.replace(good("rolling-restart"), retried=44))
    assert any("44 requests HAProxy retried" in m for m in missed)
    missed = verdict.judge(dataclasses.replace(good("rolling-restart"), retried=verdict.RETRY_ALLOWANCE + 1))
    assert any("requests HAProxy retried" in m for m in missed)
    assert verdict.judge(dataclasses.replace(good("rolling-restart"), retried=verdict.RETRY_ALLOWANCE)) == []


# A request whose replica died after part of the answer: status -1, server-side abort (SD).
ABORTED = (
    "192.168.32.1:34398 [03/Dec/2026:07:45:24.301] api replicas/api1 0/0/0/2/-1 -1 0 - - SD-- "
    '20/20/14/7/0 0/0 "GET /api/comment/list/9 HTTP/1.1"\n'
)


def test_lost_by_server_counts_5xx_aborted_answers_and_server_aborts():
    # api1: the 502 (SH) and the aborted answer; api2..4 answered normally.
    assert verdict.lost_by_server(LOG + ABORTED, "api1") == (2, 0)
    assert verdict.lost_by_server(LOG + ABORTED, "api3") == (0, 2)
    # An aborted answer is not missed by the log parser (it once was: status -1 did not match).
    assert verdict.lost_by_server(ABORTED, "api1") == (1, 0)


def test_a_sigkill_that_loses_requests_on_other_replicas_fails():
    missed = verdict.judge(dataclasses.replace(good("sigkill"), lost_elsewhere=2))
    assert any("2 requests lost on replicas that were not killed" in m for m in missed)


def test_lost_by_server_leaves_client_aborts_out():
    # The client gave up (CD): not a loss the killed replica caused, so it must not widen the allowance.
    client_abort = ABORTED.replace(" SD-- ", " CD-- ")
    assert verdict.lost_by_server(client_abort, "api1") == (0, 0)
