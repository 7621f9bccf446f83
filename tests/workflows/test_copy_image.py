"""copy-image.sh, promotion's registry step, with fake cosign/oras/docker and the real `just image-refs`
data (the overlays): it copies by digest, with the referrers that hold cosign 3's signatures, from the
source environment's registries to the target's, verifies signatures on both sides, and refuses to go on
when anything is missing."""

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
# cosign 3 (bundle format): a signature is an OCI referrer of the digest. `verify REF` passes when REF's
# referrers hold one ($STATE/signed) and REF is not listed in $STATE/unsigned. `cosign copy` copies only
# the legacy .sig tag, never a referrer, as the real one does.
FAKE_COSIGN = """#!/usr/bin/env bash
echo "cosign $*" >> "$STATE/log"
case "$1" in
  verify) grep -qxF "$2" "$STATE/signed" 2>/dev/null && ! grep -qxF "$2" "$STATE/unsigned" 2>/dev/null ;;
  copy) [ -e "$STATE/copy-loses-it" ] || echo "${3%:*}@${2#*@}" >> "$STATE/present" ;;
  *) exit 2 ;;
esac
"""
# oras cp [-r] SRC@DIGEST DST:TAG: the destination serves the digest (unless $STATE/copy-loses-it); with
# -r (referrers) the signature comes along.
FAKE_ORAS = """#!/usr/bin/env bash
echo "oras $*" >> "$STATE/log"
[ "$1" = cp ] || exit 2
shift
referrers=false
if [ "$1" = -r ]; then referrers=true; shift; fi
dst="${2%:*}@${1#*@}"
[ -e "$STATE/copy-loses-it" ] || echo "$dst" >> "$STATE/present"
if [ "$referrers" = true ] && grep -qxF "$1" "$STATE/signed"; then echo "$dst" >> "$STATE/signed"; fi
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
    for name, text in (("just", FAKE_JUST), ("cosign", FAKE_COSIGN), ("oras", FAKE_ORAS), ("docker", FAKE_DOCKER)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    (tmp_path / "image.json").write_text(
        json.dumps(
            {
                "linux/amd64": {
                    "config": {
                        "Labels": {
                            "org.opencontainers.image.revision": REVISION,
                            "org.opencontainers.image.version": "1.4.2",
                        }
                    }
                }
            }
        )
    )
    (tmp_path / "present").write_text(f"{GAR.format('staging')}@{DIGEST}\n{ecr('staging')}@{DIGEST}\n")
    (tmp_path / "signed").write_text(f"{GAR.format('staging')}@{DIGEST}\n{ecr('staging')}@{DIGEST}\n")
    return tmp_path


def copy(state: Path, source: str = "staging", target: str = "prod", digest: str = DIGEST):
    env = {
        "PATH": f"{state / 'bin'}:/usr/bin:/bin",
        "STATE": str(state),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "example-org/comments-platform",
    }
    return run(["bash", str(SCRIPTS / "copy-image.sh"), source, target, digest], env=env)


def cosign_calls(state: Path) -> list[str]:
    """The registry calls in order (cosign and oras), docker's reads left out."""
    return [line for line in (state / "log").read_text().splitlines() if line.startswith(("cosign", "oras"))]


def test_the_digest_is_copied_into_the_targets_own_registries(state: Path):
    result = copy(state)
    assert result.returncode == 0, result.stderr
    calls = cosign_calls(state)
    for src, dst in ((GAR.format("staging"), GAR.format("prod")), (ecr("staging"), ecr("prod"))):
        verify_source = next(i for i, c in enumerate(calls) if c.startswith(f"cosign verify {src}@{DIGEST} "))
        copied = calls.index(f"oras cp -r {src}@{DIGEST} {dst}:{REVISION}")
        verify_target = next(i for i, c in enumerate(calls) if c.startswith(f"cosign verify {dst}@{DIGEST} "))
        assert verify_source < copied < verify_target
    assert (
        "--certificate-identity-regexp ^https://github.com/example-org/comments-platform/\\.github/workflows/"
        in calls[0]
    )
    assert not any("comments-dev" in c or ECR["dev"] in c for c in calls), "prod copies from staging only"


def test_a_digest_the_target_already_holds_is_only_verified(state: Path):
    with (state / "present").open("a") as present:
        present.write(f"{GAR.format('prod')}@{DIGEST}\n{ecr('prod')}@{DIGEST}\n")
    with (state / "signed").open("a") as signed:
        signed.write(f"{GAR.format('prod')}@{DIGEST}\n{ecr('prod')}@{DIGEST}\n")
    result = copy(state)
    assert result.returncode == 0, result.stderr
    assert "already present, not copied" in result.stdout
    assert not any(c.startswith(("cosign copy", "oras cp")) for c in cosign_calls(state))


def test_a_copy_without_the_referrers_fails_verification_in_the_target(state: Path):
    """The defect this guards: `cosign copy` (or `oras cp` without -r) leaves cosign 3's signature behind."""
    broken = state / "copy-image.sh"
    broken.write_text((SCRIPTS / "copy-image.sh").read_text().replace('oras cp -r "${src}', 'cosign copy "${src}'))
    (state / "image-revision.sh").write_text((SCRIPTS / "image-revision.sh").read_text())
    env = {
        "PATH": f"{state / 'bin'}:/usr/bin:/bin",
        "STATE": str(state),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "example-org/comments-platform",
    }
    result = run(["bash", str(broken), "staging", "prod", DIGEST], env=env)
    assert result.returncode != 0
    assert f"cosign verify {GAR.format('prod')}@{DIGEST}" in (state / "log").read_text()


def test_an_unsigned_source_digest_is_not_copied(state: Path):
    (state / "unsigned").write_text(f"{GAR.format('staging')}@{DIGEST}\n")
    result = copy(state)
    assert result.returncode != 0
    assert not any(c.startswith(("cosign copy", "oras cp")) for c in cosign_calls(state))


def test_a_copy_the_target_does_not_serve_fails(state: Path):
    (state / "copy-loses-it").touch()
    result = copy(state)
    assert result.returncode == 1
    assert f"{GAR.format('prod')} serves nothing for {DIGEST}" in result.stderr


@pytest.mark.parametrize(
    ("source", "target", "digest", "message"),
    [
        ("staging", "prod", "latest", "not an image digest"),
        ("prod", "prod", DIGEST, "nothing to copy between registries"),
    ],
)
def test_bad_arguments_fail_before_touching_a_registry(state: Path, source, target, digest, message):
    result = copy(state, source, target, digest)
    assert result.returncode == 1
    assert message in result.stderr
    assert not (state / "log").exists()


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ([], REVISION),
        (["org.opencontainers.image.version"], "1.4.2"),
    ],
)
def test_the_digest_names_its_revision_and_version(state: Path, label, expected):
    env = {"PATH": f"{state / 'bin'}:/usr/bin:/bin", "STATE": str(state)}
    result = run(["bash", str(SCRIPTS / "image-revision.sh"), f"{GAR.format('staging')}@{DIGEST}", *label], env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_a_digest_without_a_version_label_fails(state: Path):
    (state / "image.json").write_text(json.dumps({"linux/amd64": {"config": {"Labels": {}}}}))
    env = {"PATH": f"{state / 'bin'}:/usr/bin:/bin", "STATE": str(state)}
    result = run(
        [
            "bash",
            str(SCRIPTS / "image-revision.sh"),
            f"{GAR.format('staging')}@{DIGEST}",
            "org.opencontainers.image.version",
        ],
        env=env,
    )
    assert result.returncode == 1
    assert "carries no valid org.opencontainers.image.version label" in result.stderr
