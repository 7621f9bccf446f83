"""The smoke test's SIGTERM verdict can fail: an accepted request that failed, or one refused before the signal."""

from __future__ import annotations

from scripts.images import smoke

LOGS = '{"request_id":"r1"}\n{"request_id":"r2"}\n{"request_id":"r3"}\n'
SIGNAL = 100.0


def test_clean_drain_passes() -> None:
    results = [
        ("r1", 99.0, "ok"),
        ("r2", 99.9, "ok"),
        ("r3", 100.01, "ok"),
        ("r4", 100.02, "connection: ConnectionResetError"),
    ]
    verdict = smoke.judge_burst(results, LOGS, SIGNAL)
    assert verdict["problems"] == []
    assert (verdict["sent"], verdict["accepted"], verdict["refused"]) == (4, 3, 1)


def test_accepted_request_that_failed_is_reported() -> None:
    results = [("r1", 99.0, "ok"), ("r2", 100.01, "connection: RemoteDisconnected"), ("r3", 99.5, "http 503")]
    verdict = smoke.judge_burst(results, LOGS, SIGNAL)
    assert len(verdict["problems"]) == 1
    assert "2 accepted requests failed" in verdict["problems"][0]


def test_refusal_well_before_the_signal_is_reported() -> None:
    results = [("r1", 99.0, "ok"), ("r9", 98.0, "connection: ConnectionRefusedError")]
    verdict = smoke.judge_burst(results, LOGS, SIGNAL)
    assert verdict["problems"] == [
        "1 requests failed before the signal: [('r9', 98.0, 'connection: ConnectionRefusedError')]"
    ]


def test_burst_that_never_reached_the_service_is_reported() -> None:
    verdict = smoke.judge_burst([("r8", 100.5, "connection: ConnectionRefusedError")], LOGS, SIGNAL)
    assert verdict["problems"] == ["no request of the burst reached the service"]


def test_docker_timestamps_with_nanoseconds_parse() -> None:
    parsed = smoke.parse_docker_time("2026-11-23T11:02:03.123456789Z")
    assert (parsed.second, parsed.microsecond, parsed.utcoffset().total_seconds()) == (3, 123456, 0)
