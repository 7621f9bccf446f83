"""copy-image.sh, promotion's registry step, with fake cosign/docker and the real `just image-refs`
data (the overlays): it copies by digest from the source environment's registries to the target's,
verifies signatures on both sides, and refuses to go on when anything is missing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from workflows_helpers import REPO, SCRIPTS, run

DIGEST = "sha256:" + "ef" * 32
REVISION = "0123456789abcdef0123456789abcdef01234567"
GAR = "europe-west1-docker.pkg.dev/comments-{}-123456/comments/comments-api"
ECR = {"dev": "111122223333", "staging": "444455556666", "prod": "777788889999"}


def ecr(env: str) -> str:
    return f"{ECR[env]}.dkr.ecr.eu-west-1.amazonaws.com/comments-api"


FAKE_JUST = f"""#!/usr/bin/env bash
[ "$1" = image-refs ] || exit 2
exec {sys.executable} -m tools.k8s.registries --root {REPO} "$2"
"""
# cosign: log every call; `verify` fails for refs listed in $STATE/unsigned; `copy` makes the
# destination repository serve the digest unless $STATE/copy-loses-it exists.
FAKE_COSIGN = """#!/usr/bin/env bash
echo "cosign $*" >> "$STATE/log"
case "$1" in
  verify) ! grep -qxF "$2" "$STATE/unsigned" 2>/dev/null ;;
  copy)
    [ -e "$STATE/copy-loses-it" ] || echo "${3%:*}@${2#*@}" >> "$STATE/present"
    ;;
  *) exit 2 ;;
esac
"""
# docker buildx imagetools inspect REF [--format F]: REF must be in $STATE/present.
FAKE_DOCKER = """#!/usr/bin/env bash
echo "docker $*" >> "$STATE/log"
ref=$4
grep -qxF "$ref" "$STATE/present" 2>/dev/null || { echo "not found: $ref" >&2; exit 1; }
case "${6:-}" in
  *Manifest*) printf '{"digest":"%s"}\\n' "${ref#*@}" ;;
  *Image*) cat "$STATE/image.json" ;;
esac
"""


@pytest.fixture
def state(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("just", FAKE_JUST), ("cosign", FAKE_COSIGN), ("docker", FAKE_DOCKER)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    (tmp_path / "image.json").write_text(json.dumps(
        {"linux/amd64": {"config": {"Labels": {"org.opencontainers.image.revision": REVISION}}}}))
    (tmp_path / "present").write_text(f"{GAR.format('staging')}@{DIGEST}\n{ecr('staging')}@{DIGEST}\n")
    return tmp_path


def copy(state: Path, source: str = "staging", target: str = "prod", digest: str = DIGEST):
    env = {
        "PATH": f"{state / 'bin'}:/usr/bin:/bin", "STATE": str(state),
        "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "example-org/comments-platform",
    }
    return run(["bash", str(SCRIPTS / "copy-image.sh"), source, target, digest], env=env)


def cosign_calls(state: Path) -> list[str]:
    return [line for line in (state / "log").read_text().splitlines() if line.startswith("cosign")]


def test_the_digest_is_copied_into_the_targets_own_registries(state: Path):
    result = copy(state)
    assert result.returncode == 0, result.stderr
    calls = cosign_calls(state)
    for src, dst in ((GAR.format("staging"), GAR.format("prod")), (ecr("staging"), ecr("prod"))):
        verify_source = next(i for i, c in enumerate(calls) if c.startswith(f"cosign verify {src}@{DIGEST} "))
        copied = calls.index(f"cosign copy {src}@{DIGEST} {dst}:{REVISION}")
        verify_target = next(i for i, c in enumerate(calls) if c.startswith(f"cosign verify {dst}@{DIGEST} "))
        assert verify_source < copied < verify_target
    assert "--certificate-identity-regexp ^https://github.com/example-org/comments-platform/\\.github/workflows/" in calls[0]
    assert not any("comments-dev" in c or ECR["dev"] in c for c in calls), "prod copies from staging only"


def test_a_digest_the_target_already_holds_is_only_verified(state: Path):
    with (state / "present").open("a") as present:
        present.write(f"{GAR.format('prod')}@{DIGEST}\n{ecr('prod')}@{DIGEST}\n")
    result = copy(state)
    assert result.returncode == 0, result.stderr
    assert "already present, not copied" in result.stdout
    assert not any(c.startswith("cosign copy") for c in cosign_calls(state))


def test_an_unsigned_source_digest_is_not_copied(state: Path):
    (state / "unsigned").write_text(f"{GAR.format('staging')}@{DIGEST}\n")
    result = copy(state)
    assert result.returncode != 0
    assert not any(c.startswith("cosign copy") for c in cosign_calls(state))


def test_a_copy_the_target_does_not_serve_fails(state: Path):
    (state / "copy-loses-it").touch()
    result = copy(state)
    assert result.returncode == 1
    assert f"{GAR.format('prod')} serves nothing for {DIGEST}" in result.stderr


@pytest.mark.parametrize(("source", "target", "digest", "message"), [
    ("staging", "prod", "latest", "not an image digest"),
    ("prod", "prod", DIGEST, "nothing to copy between registries"),
])
def test_bad_arguments_fail_before_touching_a_registry(state: Path, source, target, digest, message):
    result = copy(state, source, target, digest)
    assert result.returncode == 1
    assert message in result.stderr
    assert not (state / "log").exists()
