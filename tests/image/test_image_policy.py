"""The image checks can fail: each test breaks a copy of the repository's files and expects the check to say so."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
POLICY = REPO / "scripts/images/check_image_policy.py"
FILES = [
    "Dockerfile",
    ".dockerignore",
    "Cargo.toml",
    "docker-compose.yml",
    "deploy/compose",
    "environments/base/monitoring/grafana-dashboard.json",
]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in FILES:
        source, target = REPO / name, tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}: the test no longer matches the file"
    path.write_text(text.replace(old, new, 1))


def policy(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(POLICY), str(root)], capture_output=True, text=True)


def test_repository_conforms(tree: Path) -> None:
    done = policy(tree)
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("USER 65532:65532", "USER nonroot", "USER 65532"),
        ("EXPOSE 8080 9090", "EXPOSE 8080", "port 9090 is not exposed"),
        (
            "ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian13:nonroot",
            "ARG RUNTIME_IMAGE=comments-platform/runtime-cc:debian13-nonroot",
            "local stand-in",
        ),
        ("FROM chef AS builder", "FROM rust:1.80-slim AS builder", "not built on the toolchain stage"),
        (
            "FROM --platform=${BUILDPLATFORM} ${RUST_IMAGE} AS chef",
            "FROM ${RUST_IMAGE} AS chef",
            "the toolchain stage must be FROM --platform=${BUILDPLATFORM}",
        ),
        ("ENV APP_LOG__FORMAT=json", "ENV APP_LOG__FORMAT=pretty", "APP_LOG__FORMAT=json"),
        ('ENTRYPOINT ["/usr/local/bin/comments-api"]', "ENTRYPOINT /usr/local/bin/comments-api", "ENTRYPOINT"),
        ('CMD ["serve"]', 'CMD ["migrate"]', 'CMD must be ["serve"]'),
        (
            'org.opencontainers.image.revision="${REVISION}"',
            'x.revision="${REVISION}"',
            "org.opencontainers.image.revision is missing",
        ),
        ("ENV APP_LOG__FORMAT=json", "RUN mkdir /data\nENV APP_LOG__FORMAT=json", "must not RUN"),
    ],
)
def test_dockerfile_contract_violations_fail(tree: Path, old: str, new: str, message: str) -> None:
    edit(tree / "Dockerfile", old, new)
    done = policy(tree)
    assert done.returncode == 1
    assert message in done.stdout


def test_workspace_member_missing_from_build_context_fails(tree: Path) -> None:
    edit(tree / "Cargo.toml", 'members = ["app", "loadtest"', 'members = ["app", "loadtest", "xtask"')
    done = policy(tree)
    assert done.returncode == 1
    assert "'xtask' is not allowed into the build context" in done.stdout


def test_dockerignore_that_is_not_an_allow_list_fails(tree: Path) -> None:
    edit(tree / ".dockerignore", "\n*\n", "\ntarget/\n")
    done = policy(tree)
    assert done.returncode == 1
    assert "allow-list" in done.stdout


@pytest.mark.parametrize(
    ("path", "old", "new", "message"),
    [
        ("docker-compose.yml", "read_only: true", "read_only: false", "read_only: true"),
        ("docker-compose.yml", '"127.0.0.1:8080:8080"', '"8080:8080"', "on 127.0.0.1 only"),
        ("docker-compose.yml", "cap_drop: [ALL]", "cap_drop: [NET_RAW]", "drop ALL capabilities"),
        ("docker-compose.yml", 'command: ["migrate"]', 'command: ["serve"]', "comments-api migrate"),
        ("deploy/compose/prometheus.yml", '"api:9090"', '"api:8080"', "does not scrape the admin port"),
    ],
)
def test_compose_violations_fail(tree: Path, path: str, old: str, new: str, message: str) -> None:
    edit(tree / path, old, new)
    done = policy(tree)
    assert done.returncode == 1
    assert message in done.stdout


def test_compose_mounting_a_missing_dashboard_fails(tree: Path) -> None:
    (tree / "environments/base/monitoring/grafana-dashboard.json").unlink()
    done = policy(tree)
    assert done.returncode == 1
    assert "grafana-dashboard.json, which does not exist" in done.stdout


def tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is not on PATH: run `just setup` (.ci/setup.d installs it)"
    return found


def test_hadolint_rejects_a_bad_dockerfile(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        (REPO / "Dockerfile").read_text().replace("WORKDIR /src", "WORKDIR /src\nRUN cd /src && cargo --version")
    )
    done = subprocess.run([tool("hadolint"), str(dockerfile)], capture_output=True, text=True)
    assert done.returncode != 0
    assert "DL3003" in done.stdout


TRIVY = [
    "config",
    "--quiet",
    "--skip-check-update",
    "--skip-version-check",
    "--disable-telemetry",
    "--exit-code",
    "1",
    "--severity",
    "MEDIUM,HIGH,CRITICAL",
]


def test_trivy_passes_the_dockerfile_and_rejects_a_root_one(tmp_path: Path) -> None:
    done = subprocess.run([tool("trivy"), *TRIVY, str(REPO / "Dockerfile")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text((REPO / "Dockerfile").read_text().replace("USER 65532:65532", "USER root"))
    done = subprocess.run([tool("trivy"), *TRIVY, str(dockerfile)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "DS-0002" in done.stdout


def test_repository_dockerfiles_pass_hadolint() -> None:
    for path in ("Dockerfile", "scripts/images/postgres-test/Dockerfile"):
        done = subprocess.run([tool("hadolint"), str(REPO / path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout


def compose_config(directory: Path) -> subprocess.CompletedProcess:
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        command = ["docker", "compose", "config", "-q"]
    else:
        command = [tool("docker-compose"), "config", "-q"]
    return subprocess.run(command, cwd=directory, capture_output=True, text=True)


def test_compose_config_accepts_the_file_and_rejects_a_broken_one(tree: Path) -> None:
    assert compose_config(tree).returncode == 0
    edit(
        tree / "docker-compose.yml", "condition: service_completed_successfully", "condition: service_finished_somehow"
    )
    done = compose_config(tree)
    assert done.returncode != 0
    assert "service_finished_somehow" in done.stderr + done.stdout
