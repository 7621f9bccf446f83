"""`just rollback ENV --reason "..."`: pin ENV's last verified digest, through the same PR flow.

`--digest D` rolls back to an explicit digest instead (promote.yml's `digest` input): one ENV ran
before; its evidence is recorded as it stands. The last verified digest is the most recent earlier pin of ENV (a digest other than the current one)
whose own run in ENV ended verified on both clouds: the latest `deploy/<ENV>-<cloud>` status over the
commits that pinned it was `success`, named it and reported the smoke check passed. The soak is waived
(the digest already ran there); the row in HISTORY.md says so and carries the reason.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from . import history
from .evidence import gather
from .github import GitHub
from .layout import ENVIRONMENTS, CheckError, repo_root, version_file
from .pins import runs, working_pin
from .promote import pin


def last_verified(root: Path, env: str, github: GitHub) -> tuple[str, str, list[str]]:
    """(digest, commit that pinned it, evidence lines); refuses when no earlier digest was verified."""
    history_runs = runs(root, env)
    if not history_runs:
        raise CheckError(f"{version_file(env)} has no committed pin")
    current = history_runs[0][0]
    if working_pin(root, env) != current:
        raise CheckError(f"{version_file(env)} has an uncommitted change; commit or discard it first")
    tried = []
    for digest, since, until in history_runs[1:]:
        if digest == current or digest in tried:
            continue
        tried.append(digest)
        evidence = gather(github, root, env, digest, since, until)
        if all(e.verified for e in evidence.values()):
            return digest, since, [e.reason for e in evidence.values()]
    raise CheckError(
        f"no earlier digest of {env} was verified on both clouds (tried {len(tried)}: "
        f"{', '.join(d[:19] for d in tried) or 'none'}); pin one explicitly with just pin-digest"
    )


def chosen(root: Path, env: str, github: GitHub, digest: str) -> tuple[str, str, list[str]]:
    """An explicit rollback target (promote.yml `digest`): a digest env ran before; its evidence is recorded
    as it is (a person chose it, with a reason)."""
    earlier = [(d, since, until) for d, since, until in runs(root, env)[1:] if d == digest]
    if not earlier:
        raise CheckError(
            f"{env} never ran {digest}: a rollback goes back to a digest {env} ran before "
            f"(a new digest comes through a release and promotions)"
        )
    _, since, until = earlier[0]
    evidence = gather(github, root, env, digest, since, until)
    return digest, since, [e.reason if e.verified else f"NOT verified: {e.reason}" for e in evidence.values()]


def rollback(
    root: Path,
    env: str,
    reason: str,
    now: datetime | None = None,
    evidence_out: Path | None = None,
    digest: str | None = None,
) -> str:
    if not reason.strip():
        raise CheckError('a rollback needs --reason "..." (it goes into HISTORY.md and the pull request)')
    github = GitHub(root)
    digest, since, lines = chosen(root, env, github, digest) if digest else last_verified(root, env, github)
    report = pin(root, env, digest, f"rollback {env}")
    history.append(
        root,
        env,
        history.Row(
            history.now_text(now or datetime.now(UTC)),
            "rollback",
            digest,
            f"{env} @ {since[:12]}",
            "; ".join(lines),
            f"soak waived: {reason}",
        ),
    )
    if evidence_out:
        evidence_out.write_text(
            "\n".join(
                [
                    f"### Rollback of {env} to its last verified digest",
                    "",
                    f"- digest `{digest}`, first pinned in {env} by [{since[:12]}]({github.commit_url(since)})",
                    *[f"- {line}" for line in lines],
                    f"- soak waived; reason: {reason}",
                    "",
                ]
            )
        )
    return (
        report
        + f'\nnext: git commit -m "Roll {env} back to {digest[:19]}" -- {version_file(env)} {history.history_file(env)}'
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=repo_root())
    parser.add_argument("--reason", default="")
    parser.add_argument("--evidence-out", type=Path)
    parser.add_argument(
        "--digest", help="roll back to this digest (one env ran before) instead of the last verified one"
    )
    parser.add_argument("env", choices=ENVIRONMENTS)
    args = parser.parse_args(argv)
    try:
        print(rollback(args.root.resolve(), args.env, args.reason, evidence_out=args.evidence_out, digest=args.digest))
        return 0
    except CheckError as exc:
        print(f"FAIL {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
