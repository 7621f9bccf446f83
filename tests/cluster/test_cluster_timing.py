"""The one timing calculation (scripts/cluster/timing.toml): consistent as committed; each broken relation, and each
number of the Deployment that differs, fails naming it; the rendered HAProxy configuration carries the numbers."""

import copy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.cluster import timing

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_timings_are_consistent():
    assert timing.problems(timing.load(), (ROOT / timing.DEPLOYMENT).read_text()) == []


BREAKS = [
    ("service", "shutdown_delay_secs", 1, "must exceed the balancer's detection time"),
    ("balancer", "fall", 6, "must exceed the balancer's detection time"),
    ("balancer", "check_timeout_ms", 500, "check_timeout_ms must be below check_interval_ms"),
    ("service", "keep_alive_timeout_secs", 5, "keep_alive_timeout_secs must exceed"),
    ("container", "stop_timeout_secs", 23, "stop_timeout_secs must exceed"),
    ("balancer", "server_timeout_ms", 20000, "server_timeout_ms must be below"),
    ("kubernetes", "termination_grace_period_secs", 25, "termination_grace_period_secs must exceed"),
    ("kubernetes", "readiness_timeout_secs", 5, "readiness_timeout_secs must be below"),
]


@pytest.mark.parametrize(("section", "key", "value", "message"), BREAKS)
def test_each_broken_relation_is_named(section, key, value, message):
    t = copy.deepcopy(timing.load())
    t[section][key] = value
    assert any(message in p for p in timing.problems(t)), timing.problems(t)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("terminationGracePeriodSeconds: 35", "terminationGracePeriodSeconds: 40", "termination_grace_period_secs"),
        ("seconds: 5", "seconds: 3", "prestop_sleep_secs"),
        ("periodSeconds: 5\n", "periodSeconds: 7\n", "readiness_period_secs"),
        ("failureThreshold: 2", "failureThreshold: 4", "readiness_failure_threshold"),
    ],
)
def test_the_deployment_must_carry_the_numbers(tmp_path, old, new, key):
    """A copy of the tree with one Deployment number changed: `timing.py check` fails naming the key."""
    copy_tree(tmp_path)
    dep = tmp_path / timing.DEPLOYMENT
    text = dep.read_text()
    assert old in text
    dep.write_text(text.replace(old, new, 1))
    done = check(tmp_path)
    assert done.returncode == 1
    assert key in done.stderr


def copy_tree(tmp_path):
    for rel in (
        "scripts/cluster/timing.toml",
        str(timing.DEPLOYMENT),
        str(timing.COMPOSE),
        str(timing.COMPOSE_HAPROXY / "haproxy.cfg"),
        str(timing.COMPOSE_HAPROXY / "503.http"),
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, tmp_path / rel)


def check(root):
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts/cluster/timing.py"), "check", str(root)],
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_the_committed_tree_passes_the_check(tmp_path):
    copy_tree(tmp_path)
    assert check(tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("rel", "old", "new", "message"),
    [
        (
            timing.COMPOSE,
            'APP_SERVER__SHUTDOWN_DELAY_SECS: "3"',
            'APP_SERVER__SHUTDOWN_DELAY_SECS: "1"',
            "APP_SERVER__SHUTDOWN_DELAY_SECS is 1",
        ),
        (timing.COMPOSE, "stop_grace_period: 30s", "stop_grace_period: 10s", "stop_grace_period differs"),
        (timing.COMPOSE_HAPROXY / "haproxy.cfg", "fall 2", "fall 5", "haproxy.cfg differs from the rendering"),
        (timing.COMPOSE_HAPROXY / "503.http", "Retry-After: 1", "X-Nothing: 1", "503.http differs from the rendering"),
    ],
)
def test_the_compose_cluster_must_carry_the_numbers(tmp_path, rel, old, new, message):
    copy_tree(tmp_path)
    path = tmp_path / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    done = check(tmp_path)
    assert done.returncode == 1
    assert message in done.stderr


def test_haproxy_configuration_carries_the_timings():
    t = timing.load()
    b = t["balancer"]
    cfg = timing.haproxy_cfg(t)
    assert f"inter {b['check_interval_ms']} fall {b['fall']} rise {b['rise']}" in cfg
    assert f"timeout check {b['check_timeout_ms']}ms" in cfg
    assert "option httpchk GET /readyz" in cfg and "check port 9090" in cfg
    assert f"pool-purge-delay {b['server_idle_ms']}ms" in cfg
    # The balancer's own 503 keeps the service's contract.
    assert "Retry-After: 1\r\n" in timing.ERROR_503 and "Content-Type: application/json\r\n" in timing.ERROR_503
