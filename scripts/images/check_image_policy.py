#!/usr/bin/env python3
"""Checks what hadolint does not: the image contract other parts rely on (GUIDE section 2, issue 4).

Dockerfile: public default base images as build arguments; every build stage on one toolchain stage; the
runtime stage non-root (65532), both ports exposed, the entrypoint and command, JSON logs, OCI labels.
.dockerignore: an allow-list that lets every Cargo workspace member in.
docker-compose.yml: the four services, the service confined as in the cluster, every bind-mounted file present.

Usage: check_image_policy.py [REPO_ROOT]. Prints one line per violation and exits 1 when there is any.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

import yaml

BINARY = "/usr/local/bin/comments-api"
OCI_LABELS = (
    "org.opencontainers.image.source",
    "org.opencontainers.image.revision",
    "org.opencontainers.image.version",
)


def instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    out = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def exec_form(argument: str | None) -> list | None:
    """The JSON array of an exec-form ENTRYPOINT/CMD; None for the shell form or none at all."""
    try:
        value = json.loads(argument) if argument else None
    except ValueError:
        return None
    return value if isinstance(value, list) else None


def check_dockerfile(path: Path) -> list[str]:
    errors: list[str] = []
    steps = instructions(path.read_text())
    args = {}
    stages: list[dict] = []
    for keyword, rest in steps:
        if keyword == "ARG" and not stages:
            name, _, default = rest.partition("=")
            args[name] = default.strip('"')
        elif keyword == "FROM":
            m = re.match(r"(?:--platform=(\S+)\s+)?(\S+)(?:\s+AS\s+(\S+))?", rest, re.IGNORECASE)
            stages.append({"platform": m.group(1) or "", "from": m.group(2), "name": m.group(3) or "", "steps": []})
        elif stages:
            stages[-1]["steps"].append((keyword, rest))

    for arg in ("RUST_IMAGE", "RUNTIME_IMAGE"):
        default = args.get(arg)
        if not default:
            errors.append(f"Dockerfile: base image argument {arg} has no default before the first FROM")
        elif default.startswith("comments-platform/"):
            errors.append(f"Dockerfile: {arg} defaults to a local stand-in ({default}), not the public image")
    if not stages:
        return errors + ["Dockerfile: no FROM"]

    *build, runtime = stages
    toolchain = [s["name"] for s in build if s["from"] == "${RUST_IMAGE}"]
    if len(toolchain) != 1:
        errors.append("Dockerfile: exactly one stage must start FROM ${RUST_IMAGE} (the toolchain stage)")
    # Cross-compilation (release.yml builds arm64 on amd64 runners): the toolchain stage runs on the build
    # machine's platform; without it BuildKit runs the whole build under QEMU emulation.
    for stage in build:
        if stage["from"] == "${RUST_IMAGE}" and stage["platform"] not in ("$BUILDPLATFORM", "${BUILDPLATFORM}"):
            errors.append(
                "Dockerfile: the toolchain stage must be FROM --platform=${BUILDPLATFORM} ${RUST_IMAGE} "
                "(cross-compile; an emulated arm64 build may not finish in the job timeout)"
            )
    for stage in build:
        if stage["from"] != "${RUST_IMAGE}" and stage["from"] not in toolchain:
            errors.append(
                f"Dockerfile: build stage '{stage['name']}' is not built on the toolchain stage (FROM {stage['from']})"
            )
    if runtime["from"] != "${RUNTIME_IMAGE}":
        errors.append(f"Dockerfile: the final stage must start FROM ${{RUNTIME_IMAGE}}, not {runtime['from']}")

    final = {}
    for keyword, rest in runtime["steps"]:
        final.setdefault(keyword, []).append(rest)
    user = (final.get("USER") or [""])[-1]
    if not re.fullmatch(r"65532(:65532)?", user):
        errors.append(f"Dockerfile: the runtime stage must run as USER 65532 (numeric), found '{user or 'none'}'")
    exposed = " ".join(final.get("EXPOSE", [])).split()
    for port in ("8080", "9090"):
        if port not in exposed:
            errors.append(f"Dockerfile: port {port} is not exposed")
    if exec_form((final.get("ENTRYPOINT") or [None])[-1]) != [BINARY]:
        errors.append(f'Dockerfile: ENTRYPOINT must be ["{BINARY}"] (exec form, no shell)')
    if exec_form((final.get("CMD") or [None])[-1]) != ["serve"]:
        errors.append('Dockerfile: CMD must be ["serve"]')
    if not any(re.search(r"\bAPP_LOG__FORMAT=json\b", e) for e in final.get("ENV", [])):
        errors.append("Dockerfile: the runtime stage must set APP_LOG__FORMAT=json")
    labels = " ".join(final.get("LABEL", []))
    for label in OCI_LABELS:
        if f"{label}=" not in labels:
            errors.append(f"Dockerfile: label {label} is missing")
    if any(k == "RUN" for k, _ in runtime["steps"]):
        errors.append("Dockerfile: the runtime stage must not RUN anything (the runtime base has no shell)")
    return errors


def check_dockerignore(root: Path) -> list[str]:
    path = root / ".dockerignore"
    if not path.exists():
        return [".dockerignore: missing"]
    rules = [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    if not rules or rules[0] != "*":
        return [".dockerignore: must start with '*' (an allow-list)"]
    members = tomllib.loads((root / "Cargo.toml").read_text())["workspace"]["members"]
    needed = ["Cargo.toml", "Cargo.lock", *members]
    allowed = {r[1:].rstrip("/") for r in rules if r.startswith("!")}
    return [
        f".dockerignore: '{n}' is not allowed into the build context (add '!{n}')"
        for n in needed
        if n.rstrip("/") not in allowed
    ]


def check_compose(root: Path) -> list[str]:
    path = root / "docker-compose.yml"
    if not path.exists():
        return ["docker-compose.yml: missing"]
    doc = yaml.safe_load(path.read_text())
    services = doc.get("services") or {}
    errors = [
        f"docker-compose.yml: service '{s}' is missing"
        for s in ("db", "migrate", "api", "prometheus", "grafana")
        if s not in services
    ]
    api = services.get("api") or {}
    if api.get("read_only") is not True:
        errors.append("docker-compose.yml: api must have read_only: true")
    if str(api.get("user", "")).split(":")[0] != "65532":
        errors.append("docker-compose.yml: api must run as user 65532")
    if "ALL" not in (api.get("cap_drop") or []):
        errors.append("docker-compose.yml: api must drop ALL capabilities")
    for port in api.get("ports") or []:
        if not str(port).startswith("127.0.0.1:"):
            errors.append(f"docker-compose.yml: api port {port} must be published on 127.0.0.1 only")
    if (services.get("migrate") or {}).get("command") != ["migrate"]:
        errors.append("docker-compose.yml: the migrate service must run `comments-api migrate`")
    for name, service in services.items():
        for volume in service.get("volumes") or []:
            source = str(volume).split(":")[0]
            if source.startswith(".") and not (root / source).exists():
                errors.append(f"docker-compose.yml: {name} mounts {source}, which does not exist")
    prometheus = root / "deploy/compose/prometheus.yml"
    if prometheus.exists():
        targets = [
            t
            for job in yaml.safe_load(prometheus.read_text()).get("scrape_configs", [])
            for sc in job.get("static_configs", [])
            for t in sc.get("targets", [])
        ]
        if "api:9090" not in targets:
            errors.append("deploy/compose/prometheus.yml: does not scrape the admin port api:9090")
    return errors


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    errors = check_dockerfile(root / "Dockerfile") + check_dockerignore(root) + check_compose(root)
    for error in errors:
        print(error)
    if not errors:
        print("image policy: Dockerfile, .dockerignore and docker-compose.yml conform")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
