"""`just promote <from> <to>`: move the exact image digest one environment forward.

  promote dev staging    copy dev's digest into staging's version pin (the only file it changes) and
                         print the rendered difference of staging's GKE and EKS overlays;
  promote --check        verify the order invariant on the Git history: the digest pinned in staging
                         was pinned in dev in an earlier commit, and prod's was in staging.

Promotion never skips an environment (dev -> staging -> prod) and never goes backwards; a rollback is a
revert of the pin commit (docs/delivery.md). The change is left in the working tree for review and commit.
"""

from __future__ import annotations

import argparse
import difflib
import re
import subprocess
import sys
from pathlib import Path

from .layout import CLOUDS, ENVIRONMENTS, CheckError, overlay_dir, repo_root, version_file
from .manifests import kustomize

# [ \t], not \s: the pattern must never swallow the line break (the file would lose its final newline).
DIGEST_LINE = re.compile(r"^(?P<prefix>[ \t]*digest:[ \t]*)(?P<digest>sha256:[0-9a-f]{64})[ \t]*$", re.M)
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def read_digest(text: str, where: str) -> str:
    found = DIGEST_LINE.findall(text)
    if len(found) != 1:
        raise CheckError(f"{where}: expected exactly one `digest: sha256:<64 hex>` line, found {len(found)}")
    return found[0][1]


def next_step(src: str, dst: str) -> None:
    if src not in ENVIRONMENTS or dst not in ENVIRONMENTS:
        raise CheckError(f"environments are {', '.join(ENVIRONMENTS)}; got {src} -> {dst}")
    if ENVIRONMENTS.index(dst) != ENVIRONMENTS.index(src) + 1:
        raise CheckError(f"promotion goes {' -> '.join(ENVIRONMENTS)}, one step at a time; {src} -> {dst} is not allowed")


def pin(root: Path, env: str, digest: str, title: str) -> str:
    """Rewrite env's version pin to digest (the only file touched); returns the report with the rendered
    difference of both clouds. Also used for a release to dev and for a rollback (.github/scripts)."""
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
        report += difflib.unified_diff(before[cloud].splitlines(), after[cloud].splitlines(),
                                       f"{name} (before)", f"{name} (after)", lineterm="", n=2)
    return "\n".join(report)


def promote(root: Path, src: str, dst: str) -> str:
    """Copy src's digest into dst's pin, one step along the promotion order."""
    next_step(src, dst)
    digest = read_digest((root / version_file(src)).read_text(), str(version_file(src)))
    report = pin(root, dst, digest, f"promote {src} -> {dst}")
    if report.endswith("nothing to change"):
        return report
    return report + f'\nnext: git commit -m "Promote {digest[:19]} from {src} to {dst}" -- {version_file(dst)}'


def git(root: Path, *args: str) -> str:
    run = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    if run.returncode != 0:
        raise CheckError(f"git {' '.join(args)}: {run.stderr.strip()}")
    return run.stdout


def pin_history(root: Path, env: str) -> list[tuple[str, str]]:
    """(commit, digest) for every commit that touched env's pin, newest first."""
    path = version_file(env).as_posix()
    history = []
    for commit in git(root, "log", "--format=%H", "--", path).split():
        history.append((commit, read_digest(git(root, "show", f"{commit}:{path}"), f"{path}@{commit[:12]}")))
    return history


def introduced(root: Path, env: str) -> tuple[str | None, str, bool]:
    """(commit that pinned env's current digest or None if uncommitted, digest, that commit created the file)."""
    current = read_digest((root / version_file(env)).read_text(), str(version_file(env)))
    history = pin_history(root, env)
    if not history or history[0][1] != current:
        return None, current, False
    index = 0
    while index + 1 < len(history) and history[index + 1][1] == current:
        index += 1
    return history[index][0], current, index == len(history) - 1


def check(root: Path) -> list[str]:
    errors = []
    for src, dst in zip(ENVIRONMENTS, ENVIRONMENTS[1:]):
        commit, digest, created = introduced(root, dst)
        if created:
            continue  # the first pin of an environment, made with the repository, has no predecessor
        earlier = [c for c, d in pin_history(root, src) if d == digest]
        if commit is None:
            ok = bool(earlier)  # promoted in the working tree: src must have had it in a commit
        else:
            ok = any(c != commit and git_is_ancestor(root, c, commit) for c in earlier)
        if not ok:
            errors.append(f"{dst} runs {digest} but {src} never pinned it in an earlier commit "
                          f"({src} -> {dst} was skipped or bypassed)")
    return errors


def git_is_ancestor(root: Path, ancestor: str, commit: str) -> bool:
    return subprocess.run(["git", "-C", str(root), "merge-base", "--is-ancestor", ancestor, commit]).returncode == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=repo_root())
    parser.add_argument("--check", action="store_true", help="verify the promotion order on the Git history")
    parser.add_argument("source", nargs="?", choices=ENVIRONMENTS)
    parser.add_argument("target", nargs="?", choices=ENVIRONMENTS)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        if args.check:
            errors = check(root)
            for error in errors:
                print(f"FAIL {error}", file=sys.stderr)
            pins = ", ".join(f"{env}={introduced(root, env)[1][:19]}" for env in ENVIRONMENTS)
            print(f"promotion order: {'FAILED' if errors else 'ok'} ({pins})")
            return 1 if errors else 0
        if not (args.source and args.target):
            parser.error("give <from> <to>, or --check")
        print(promote(root, args.source, args.target))
        return 0
    except CheckError as exc:
        print(f"FAIL {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
