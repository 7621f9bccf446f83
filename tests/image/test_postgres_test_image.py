"""The local PostgreSQL image behaves like the official one where the tests rely on it (scripts/images/).

Runs the image that `.ci/setup.d/10-images.sh` builds (POSTGRES_TEST_IMAGE overrides the name)."""

from __future__ import annotations

import os
import secrets
import subprocess
import time

import pytest

IMAGE = os.environ.get("POSTGRES_TEST_IMAGE", "comments-platform/postgres-test:17")
READY = "database system is ready to accept connections"


def docker(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=120, check=check)


@pytest.fixture
def container(tmp_path):
    assert docker("image", "inspect", IMAGE, check=False).returncode == 0, (
        f"{IMAGE} is missing: run `bash scripts/images/postgres-test.sh`"
    )
    name = f"cmt-pgtest-{secrets.token_hex(4)}"
    init = tmp_path / "init_0.sql"
    init.write_text("CREATE TABLE seeded (id int); INSERT INTO seeded VALUES (42);\n")
    # What the stock testcontainers module does: env, `-c fsync=off` as the command, init SQL copied in.
    docker(
        "create",
        "--name",
        name,
        "--label",
        "comments-platform.test=postgres-image",
        "-e",
        "POSTGRES_PASSWORD=secret",
        "-e",
        "POSTGRES_USER=tester",
        "-e",
        "POSTGRES_DB=shop",
        IMAGE,
        "-c",
        "fsync=off",
    )
    try:
        docker("cp", str(init), f"{name}:/docker-entrypoint-initdb.d/init_0.sql")
        docker("start", name)
        yield name
    finally:
        docker("rm", "-f", "-v", name, check=False)


def wait_ready(name: str) -> subprocess.CompletedProcess:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        logs = docker("logs", name)
        if READY in logs.stderr:
            return logs
        time.sleep(0.2)
    raise AssertionError(f"not ready in 60 s: {logs.stdout[-500:]}{logs.stderr[-500:]}")


def psql(name: str, *args: str, password: str = "secret") -> subprocess.CompletedProcess:
    return docker(
        "exec",
        "-e",
        f"PGPASSWORD={password}",
        name,
        "psql",
        "-h",
        "127.0.0.1",
        "-U",
        "tester",
        "-d",
        "shop",
        "-Atc",
        *args,
        check=False,
    )


def test_ready_on_both_streams_with_settings_user_database_and_init_sql(container: str) -> None:
    logs = wait_ready(container)
    assert READY in logs.stdout, "the init phase's temporary server must announce readiness on stdout"
    assert docker("exec", container, "id", "-un").stdout.strip() == "postgres"
    done = psql(container, "SHOW fsync")
    assert done.stdout.strip() == "off", done.stderr
    assert psql(container, "SELECT id FROM seeded").stdout.strip() == "42"
    listen = psql(container, "SHOW listen_addresses").stdout.strip()
    assert listen == "*"


def test_wrong_password_is_rejected_over_tcp(container: str) -> None:
    wait_ready(container)
    done = psql(container, "SELECT 1", password="wrong")
    assert done.returncode != 0
    assert "password authentication failed" in done.stderr
