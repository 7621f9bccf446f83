"""The signature policy, proven offline: argocd/image-policy renders, validates against the vendored
ClusterImagePolicy schema, enforces (no warn mode, no static pass), names exactly the release workflow
of this repository, on the refs release.yml's push trigger runs on, as the keyless identity (the subject pattern is run against the identity it
must admit and the ones it must refuse), covers every image the six overlays deploy, and the namespace
the service runs in opts in to enforcement."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from . import schema_check
from .github import repository
from .invariants import DIGEST_IMAGE, WORKLOADS, containers
from .layout import CheckError
from .manifests import documents, kustomize

POLICY_DIR = Path("argocd/image-policy")
ISSUER = "https://token.actions.githubusercontent.com"
OPT_IN = "policy.sigstore.dev/include"


RELEASE_WORKFLOW = Path(".github/workflows/release.yml")


def admits(identity: dict, subject: str) -> bool:
    """A keyless identity admits a certificate subject: its exact `subject`, else its `subjectRegExp`."""
    if identity.get("subject"):
        return subject == identity["subject"]
    pattern = identity.get("subjectRegExp")
    return bool(pattern and re.search(pattern, subject))


def release_refs(root: Path) -> list[str]:
    """A ref of each kind release.yml's push trigger starts on, read from the workflow itself, so the
    policy cannot drift from how releases are really built (branches by name, tags by a version sample)."""
    path = root / RELEASE_WORKFLOW
    if not path.is_file():
        raise CheckError(f"{RELEASE_WORKFLOW} is missing: the signature policy admits what it signs")
    workflow = yaml.safe_load(path.read_text()) or {}
    on = workflow.get("on", workflow.get(True)) or {}
    push = (on.get("push") or {}) if isinstance(on, dict) else {}
    refs = [f"refs/heads/{b}" for b in push.get("branches") or [] if "*" not in str(b)]
    if push.get("tags"):
        refs.append("refs/tags/v1.2.3")
    return refs


def identities(repo: str, refs: list[str]) -> tuple[list[str], list[str]]:
    """The certificate subjects to admit (release.yml on each ref it runs on), and subjects to refuse."""
    base = f"https://github.com/{repo}/.github/workflows"
    admit = [f"{base}/release.yml@{ref}" for ref in refs]
    refuse = [
        f"{base}/pr.yml@refs/tags/v1.2.3",
        f"{base}/pr.yml@refs/heads/main",
        f"{base}/release.yml@refs/heads/main",
        f"{base}/release.yml@refs/heads/feature",
        f"{base}/release.yml@refs/heads/v1.2.3",
        f"{base}/release.yml@refs/tags/v1.2.3-rc.1",
        f"{base}/release.yml@refs/tags/x1.2.3",
        f"{base}/release.yml@refs/pull/7/merge",
        f"https://github.com/fork/{repo.split('/')[1]}/.github/workflows/release.yml@refs/tags/v1.2.3",
    ]
    refuse += [f"{a}-evil" for a in admit] + [f"x{a}" for a in admit]
    return admit, [s for s in refuse if s not in admit]


def glob_regex(glob: str) -> re.Pattern:
    parts = re.split(r"(\*\*|\*)", glob)
    return re.compile("".join(".*" if p == "**" else "[^/]*" if p == "*" else re.escape(p) for p in parts))


def check(root: Path, minor: str, overlays: dict[str, list[dict]]) -> list[str]:
    errors = []
    objs = documents(kustomize(root, POLICY_DIR))
    policies = [o for o in objs if o["kind"] == "ClusterImagePolicy"]
    for obj in objs:
        errors += [f"{POLICY_DIR}: {p}" for p in schema_check.validate(obj, minor)[1]]
    if not policies:
        return errors + [f"{POLICY_DIR}: renders no ClusterImagePolicy"]
    admit, refuse = identities(repository(root), release_refs(root))
    if not admit:
        errors.append(
            f"{RELEASE_WORKFLOW}: no push branch or tag starts the release, so nothing could ever be admitted"
        )
    globs = []
    for policy in policies:
        where = f"ClusterImagePolicy/{policy['metadata']['name']}"
        spec = policy["spec"]
        globs += [glob_regex(i["glob"]) for i in spec.get("images", []) if "glob" in i]
        if spec.get("mode", "enforce") != "enforce":
            errors.append(f"{where}: mode {spec['mode']} only warns; it must enforce")
        authorities = spec.get("authorities") or []
        if not authorities:
            errors.append(f"{where}: no authority")
        for authority in authorities:
            if "keyless" not in authority or "static" in authority or "key" in authority:
                errors.append(f"{where}: authority {authority.get('name')} must be keyless (no static pass, no key)")
                continue
            for identity in authority["keyless"].get("identities") or [{}]:
                if identity.get("issuer") != ISSUER or "issuerRegExp" in identity:
                    errors.append(f"{where}: the issuer must be exactly {ISSUER}")
                errors += [
                    f"{where}: the identity does not admit the release workflow where it runs ({a})"
                    for a in admit
                    if not admits(identity, a)
                ]
                wrongly = [s for s in refuse if admits(identity, s)]
                if wrongly:
                    errors.append(f"{where}: the identity also admits {wrongly[0]}")
    for name, docs in overlays.items():
        for obj in docs:
            if obj["kind"] == "Namespace" and obj["metadata"]["labels"].get(OPT_IN) != "true":
                errors.append(
                    f"{name}: Namespace/{obj['metadata']['name']} must carry {OPT_IN}=true (enforcement is opt-in)"
                )
            if obj["kind"] in WORKLOADS:
                for c in containers(obj):
                    match = DIGEST_IMAGE.fullmatch(c.get("image", ""))
                    if match and not any(g.fullmatch(c["image"]) for g in globs):
                        errors.append(f"{name}: image {match['name']} is not covered by any ClusterImagePolicy glob")
    return list(dict.fromkeys(errors))
