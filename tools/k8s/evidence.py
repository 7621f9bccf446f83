"""What the clusters reported about a digest: the commit statuses `deploy/<env>-<cloud>` that Argo CD
notifications post (argocd/bootstrap/notifications.yaml) on the commit each sync deployed.

A cloud is *verified* for a digest when its latest status, over the commits that pinned the digest, is
`success`, names the digest and says the PostSync smoke check passed. Its healthy run starts at the
oldest success of the unbroken run of such statuses that ends with the latest one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .github import GitHub, Status
from .layout import CLOUDS
from .pins import DIGEST, deployed_commits

# The words the notification templates write (argocd/bootstrap/notifications.yaml); tests hold both to them.
SMOKE_PASSED = "smoke passed"
SMOKE_FAILED = "smoke failed"
DEGRADED = "degraded"


def context(env: str, cloud: str) -> str:
    return f"deploy/{env}-{cloud}"


@dataclass(frozen=True)
class CloudEvidence:
    context: str
    verified: bool
    reason: str  # one line: why not verified, or what verified it
    since: datetime | None = None
    latest: Status | None = None

    def line(self) -> str:
        if self.latest is None:
            return f"{self.context}: no status"
        link = (
            f" ([{self.latest.created_at:%Y-%m-%d %H:%M}Z]({self.latest.target_url}))" if self.latest.target_url else ""
        )
        return f"{self.context}: {self.latest.state}, {self.latest.description}{link}"


def judge(statuses: list[Status], ctx: str, digest: str) -> CloudEvidence:
    """Evidence of one cloud from its statuses (any commits, any order)."""
    mine = sorted((s for s in statuses if s.context == ctx), key=lambda s: s.created_at)
    if not mine:
        return CloudEvidence(ctx, False, f"missing cloud: {ctx} has reported nothing for {digest}")
    latest = mine[-1]
    named = DIGEST.findall(latest.description)
    where = f"{latest.created_at:%Y-%m-%d %H:%M}Z" + (f", {latest.target_url}" if latest.target_url else "")
    text = latest.description.lower()
    if latest.state != "success":
        if SMOKE_FAILED in text:
            what = "the smoke check failed"
        elif DEGRADED in text:
            what = "degraded"
        else:
            what = f"{latest.state} ({latest.description or 'no description'})"
        return CloudEvidence(
            ctx, False, f"{ctx}: {what} for {named[0] if named else 'an unnamed digest'} ({where})", latest=latest
        )
    if named != [digest]:
        return CloudEvidence(
            ctx,
            False,
            f"{ctx}: the latest healthy report names {named[0] if named else 'no digest'}, not {digest} ({where})",
            latest=latest,
        )
    if SMOKE_PASSED not in text:
        return CloudEvidence(
            ctx, False, f"{ctx}: healthy, but no smoke check result for {digest} ({where})", latest=latest
        )
    since = latest.created_at
    for status in reversed(mine[:-1]):
        if (
            status.state == "success"
            and DIGEST.findall(status.description) == [digest]
            and SMOKE_PASSED in status.description.lower()
        ):
            since = status.created_at
        else:
            break
    return CloudEvidence(
        ctx, True, f"{ctx}: healthy, smoke passed, since {since:%Y-%m-%d %H:%M}Z", since=since, latest=latest
    )


def gather(
    github: GitHub, root: Path, env: str, digest: str, since: str, until: str | None = None
) -> dict[str, CloudEvidence]:
    """Evidence of both clouds of env for digest, pinned from commit `since` (until `until`, excluded)."""
    statuses: list[Status] = []
    for commit in deployed_commits(root, since, until):
        statuses += github.statuses(commit)
    return {cloud: judge(statuses, context(env, cloud), digest) for cloud in CLOUDS}
