"""`just promote <from> <to>`: move the exact image digest one environment forward, on evidence.

  promote dev staging    run the gate (tools/k8s/gate.py: order, current pin, both clouds' commit
                         statuses with the smoke check, soak time), then copy dev's digest into staging's
                         version pin, append the row to staging's HISTORY.md, and print the rendered
                         difference of staging's GKE and EKS overlays;
  --force --reason "..." waive the evidence and the soak (recorded in HISTORY.md and the PR body);
  --evidence-out FILE    write the evidence (Markdown) for the pull request body;
  promote --check        verify the Git history offline: each pin of staging/prod was current in the
                         previous environment when it was pinned and has its HISTORY.md row; HISTORY.md
                         files are append-only;
  promote --pin DIGEST ENV  (`just pin-digest ENV DIGEST`) pin that exact digest in ENV with no gate: the
                         fresh release going to dev (release.yml), whose digest no environment pins yet.
                         Same single file and report as a promotion, so `promote --check` keeps holding.

A rollback is `just rollback ENV` (tools/k8s/rollback.py). The change is left in the working tree.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

from . import history
from .gate import Refused, evaluate, evidence_markdown, history_evidence, next_in_line
from .github import GitHub
from .layout import CLOUDS, ENVIRONMENTS, CheckError, overlay_dir, repo_root, version_file
from .manifests import kustomize
from .pins import DIGEST, DIGEST_LINE, file_at, git, git_is_ancestor, introduced, pin_at, pin_history, read_digest

__all__ = ["pin", "promote", "check", "read_digest", "git"]


def next_step(src: str, dst: str) -> None:
    problem = next_in_line(src, dst)
    if problem:
        raise CheckError(problem)


def pin(root: Path, env: str, digest: str, title: str) -> str:
    """Rewrite env's version pin to digest (the only manifest touched); returns the report with the rendered
    difference of both clouds. Also used for a release to dev and for a rollback."""
    if not DIGEST.fullmatch(digest):
        raise CheckError(f"not an image digest (sha256:<64 hex>): {digest}")
    path = root / version_file(env)
    old_text = path.read_text()
    old = read_digest(old_text, str(version_file(env)))
    if old == digest:
        return f"{env} already runs {digest}; nothing to change"
    before = {cloud: kustomize(root, overlay_dir(env, cloud)) for cloud in CLOUDS}
    path.write_text(DIGEST_LINE.sub(lambda m: m["prefix"] + digest, old_text))
    try:
        after = {cloud: kustomize(root, overlay_dir(env, cloud)) for cloud in CLOUDS}
    except CheckError:
        path.write_text(old_text)
        raise
    report = [f"{title}: {old} -> {digest}", f"changed: {version_file(env)}"]
    for cloud in CLOUDS:
        name = f"{env}-{cloud}"
        report += difflib.unified_diff(
            before[cloud].splitlines(),
            after[cloud].splitlines(),
            f"{name} (before)",
            f"{name} (after)",
            lineterm="",
            n=2,
        )
    return "\n".join(report)


def promote(
    root: Path,
    src: str,
    dst: str,
    digest: str | None = None,
    force: bool = False,
    reason: str = "",
    evidence_out: Path | None = None,
    now: datetime | None = None,
) -> str:
    """Gate, then copy src's digest into dst's pin and record it in dst's HISTORY.md."""
    if force and not reason.strip():
        raise CheckError('--force needs --reason "..." (it goes into HISTORY.md and the pull request)')
    github = GitHub(root)
    verdict = evaluate(root, src, dst, digest, github, now)
    if verdict.refusals or (verdict.waivable and not force):
        raise Refused(verdict.refusals + verdict.waivable)
    now = now or datetime.now(UTC)
    report = pin(root, dst, verdict.digest, f"promote {src} -> {dst}")
    if report.endswith("nothing to change"):
        return report
    history.append(
        root,
        dst,
        history.Row(
            history.now_text(now),
            "force" if force else "promote",
            verdict.digest,
            f"{src} @ {verdict.pinned_in[:12]}",
            history_evidence(verdict),
            reason if force else "",
        ),
    )
    if evidence_out:
        evidence_out.write_text(evidence_markdown(verdict, github, force, reason))
    waived = "".join(f"\nWAIVED (--force) {line}" for line in verdict.waivable)
    return (
        report
        + waived
        + (
            f'\nnext: git commit -m "Promote {verdict.digest[:19]} from {src} to {dst}" -- '
            f"{version_file(dst)} {history.history_file(dst)}"
        )
    )


def check(root: Path) -> list[str]:
    errors = []
    for env in ENVIRONMENTS:
        errors += history.check_append_only(root, env)
    for src, dst in pairwise(ENVIRONMENTS):
        commit, digest, created = introduced(root, dst)
        if created:
            continue  # the first pin of an environment, made with the repository, has no predecessor
        earlier = [c for c, d in pin_history(root, src) if d == digest]
        if commit is None:
            ok = bool(earlier)  # promoted in the working tree: src must have had it in a commit
        else:
            ok = any(c != commit and git_is_ancestor(root, c, commit) for c in earlier)
        if not ok:
            errors.append(
                f"{dst} runs {digest} but {src} never pinned it in an earlier commit "
                f"({src} -> {dst} was skipped or bypassed)"
            )
            continue
        errors += check_recorded(root, src, dst, commit, digest)
    return errors


def check_recorded(root: Path, src: str, dst: str, commit: str | None, digest: str) -> list[str]:
    """A pin made once HISTORY.md existed carries its row; a promotion took src's then-current pin."""
    parent = git(root, "rev-parse", f"{commit}^").strip() if commit else "HEAD"
    if file_at(root, parent, history.history_file(dst)) is None:
        return []  # pinned before the history began
    after = (
        file_at(root, commit, history.history_file(dst)) if commit else (root / history.history_file(dst)).read_text()
    )
    before = file_at(root, parent, history.history_file(dst)) or ""
    added = history.rows((after or "")[len(before) :])
    where = commit[:12] if commit else "the working tree"
    mine = [row for row in added if row.digest == digest]
    if not mine:
        return [
            f"{dst} pins {digest} in {where} without a row in {history.history_file(dst)} "
            f"(use just promote / just rollback)"
        ]
    if mine[-1].action == "rollback":
        if not any(d == digest for c, d in pin_history(root, dst) if c != commit):
            return [f"{dst} rolls back to {digest} in {where}, which {dst} never ran before"]
        return []
    if pin_at(root, src, parent) != digest:
        return [
            f"stale: {dst} pins {digest} in {where}, but {src} had moved on to {pin_at(root, src, parent)} "
            f"by then (an abandoned digest)"
        ]
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=repo_root())
    parser.add_argument("--check", action="store_true", help="verify the promotion order and history in Git")
    parser.add_argument("--digest", help="the digest meant to move (refused unless it is <from>'s current pin)")
    parser.add_argument("--force", action="store_true", help="waive the evidence and the soak (needs --reason)")
    parser.add_argument("--reason", default="", help="why (recorded in HISTORY.md and the PR body)")
    parser.add_argument("--evidence-out", type=Path, help="write the evidence Markdown for the PR body here")
    parser.add_argument("--pin", metavar="DIGEST", help="pin this exact digest in the one environment named, no gate")
    parser.add_argument("source", nargs="?", choices=ENVIRONMENTS)
    parser.add_argument("target", nargs="?", choices=ENVIRONMENTS)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        if args.pin is not None:
            if not args.source or args.target:
                parser.error("--pin DIGEST takes exactly one environment")
            print(pin(root, args.source, args.pin, f"pin {args.source}"))
            return 0
        if args.check:
            errors = check(root)
            for error in errors:
                print(f"FAIL {error}", file=sys.stderr)
            pins = ", ".join(f"{env}={introduced(root, env)[1][:19]}" for env in ENVIRONMENTS)
            print(f"promotion order: {'FAILED' if errors else 'ok'} ({pins})")
            return 1 if errors else 0
        if not (args.source and args.target):
            parser.error("give <from> <to>, or --check")
        print(promote(root, args.source, args.target, args.digest, args.force, args.reason, args.evidence_out))
        return 0
    except Refused as exc:
        for reason in exc.reasons:
            print(f"REFUSED {reason}", file=sys.stderr)
        print(
            f"promote {args.source} -> {args.target}: refused ({len(exc.reasons)} reason(s)); nothing changed",
            file=sys.stderr,
        )
        return 1
    except CheckError as exc:
        print(f"FAIL {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
