"""The version pins in Git: read a pin, its history, and the commit that introduced the current one."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from .layout import CheckError, version_file

# An image digest, and the one line of a version pin that holds it: every check and tool uses these two.
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
# [ \t], not \s: the pattern must never swallow the line break (the file would lose its final newline).
DIGEST_LINE = re.compile(rf"^(?P<prefix>[ \t]*digest:[ \t]*)(?P<digest>{DIGEST.pattern})[ \t]*$", re.M)


def read_digest(text: str, where: str) -> str:
    found = DIGEST_LINE.findall(text)
    if len(found) != 1:
        raise CheckError(f"{where}: expected exactly one `digest: sha256:<64 hex>` line, found {len(found)}")
    return found[0][1]


def git(root: Path, *args: str) -> str:
    run = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    if run.returncode != 0:
        raise CheckError(f"git {' '.join(args)}: {run.stderr.strip()}")
    return run.stdout


def git_is_ancestor(root: Path, ancestor: str, commit: str) -> bool:
    return subprocess.run(["git", "-C", str(root), "merge-base", "--is-ancestor", ancestor, commit]).returncode == 0


def file_at(root: Path, commit: str, path: Path) -> str | None:
    """The text of path at commit, or None when the file does not exist there."""
    run = subprocess.run(
        ["git", "-C", str(root), "show", f"{commit}:{path.as_posix()}"], capture_output=True, text=True
    )
    return run.stdout if run.returncode == 0 else None


def pin_at(root: Path, env: str, commit: str) -> str | None:
    text = file_at(root, commit, version_file(env))
    return None if text is None else read_digest(text, f"{version_file(env)}@{commit[:12]}")


def working_pin(root: Path, env: str) -> str:
    return read_digest((root / version_file(env)).read_text(), str(version_file(env)))


def pin_history(root: Path, env: str) -> list[tuple[str, str]]:
    """(commit, digest) for every commit that touched env's pin, newest first."""
    path = version_file(env).as_posix()
    history = []
    for commit in git(root, "log", "--format=%H", "--", path).split():
        history.append((commit, read_digest(git(root, "show", f"{commit}:{path}"), f"{path}@{commit[:12]}")))
    return history


def runs(root: Path, env: str) -> list[tuple[str, str, str | None]]:
    """The committed pins of env as runs, newest first: (digest, commit that introduced it, commit that
    replaced it or None for the current one)."""
    history = pin_history(root, env)
    result: list[tuple[str, str, str | None]] = []
    replaced_by: str | None = None
    index = 0
    while index < len(history):
        digest = history[index][1]
        while index + 1 < len(history) and history[index + 1][1] == digest:
            index += 1
        result.append((digest, history[index][0], replaced_by))
        replaced_by = history[index][0]
        index += 1
    return result


def introduced(root: Path, env: str) -> tuple[str | None, str, bool]:
    """(commit that pinned env's current digest or None if uncommitted, digest, that commit created the file)."""
    current = working_pin(root, env)
    history = pin_history(root, env)
    if not history or history[0][1] != current:
        return None, current, False
    index = 0
    while index + 1 < len(history) and history[index + 1][1] == current:
        index += 1
    return history[index][0], current, index == len(history) - 1


def deployed_commits(root: Path, since: str, until: str | None, limit: int = 100) -> list[str]:
    """Commits that carried a pin: `since` and its descendants up to `until` (excluded) or HEAD. Argo CD
    reports on the revision it synced, which may be any later commit of main, not the pin commit itself."""
    end = until or "HEAD"
    later = git(root, "rev-list", "--ancestry-path", f"{since}..{end}").split()
    if until:
        later = [commit for commit in later if commit != until]
    return (later + [since])[:limit] if len(later) < limit else later[: limit - 1] + [since]
