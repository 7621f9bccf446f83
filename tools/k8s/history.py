"""environments/<env>/version/HISTORY.md: the append-only record of every pin that `just promote` and
`just rollback` made (what, from where, the evidence, the reason), in the same commit as the pin."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from pathlib import Path

from .layout import CheckError
from .pins import DIGEST, git

HEADER = """# {env}: promotion history

Append-only: `just promote` and `just rollback` add one row in the same commit as the pin
(`environments/{env}/version/kustomization.yaml`); `just promote --check` refuses any other change.

| when (UTC) | action | digest | from | evidence | reason |
|---|---|---|---|---|---|
"""
ACTIONS = ("promote", "force", "rollback")


def history_file(env: str) -> Path:
    return Path("environments") / env / "version" / "HISTORY.md"


@dataclass(frozen=True)
class Row:
    when: str
    action: str
    digest: str
    source: str
    evidence: str
    reason: str


def cell(text: str) -> str:
    return " ".join(text.replace("|", "/").split())


def append(root: Path, env: str, row: Row) -> None:
    path = root / history_file(env)
    text = path.read_text() if path.exists() else HEADER.format(env=env)
    if not text.endswith("\n"):
        text += "\n"
    fields = [row.when, row.action, f"`{row.digest}`", row.source, row.evidence, row.reason]
    path.write_text(text + "| " + " | ".join(cell(field) or "-" for field in fields) + " |\n")


def rows(text: str) -> list[Row]:
    found = []
    for line in text.splitlines():
        parts = [part.strip() for part in line.strip().strip("|").split("|")]
        if len(parts) == 6 and parts[1] in ACTIONS and DIGEST.fullmatch(parts[2].strip("`")):
            found.append(Row(parts[0], parts[1], parts[2].strip("`"), parts[3], parts[4], parts[5]))
    return found


def now_text(now: datetime) -> str:
    return f"{now:%Y-%m-%dT%H:%MZ}"


def check_append_only(root: Path, env: str) -> list[str]:
    """Every committed version of HISTORY.md, and the working tree's, extends the one before."""
    path = history_file(env)
    if not (root / path).exists():
        return [f"{path} is missing (it records every promotion; restore it from Git)"]
    commits = git(root, "log", "--reverse", "--format=%H", "--", path.as_posix()).split()
    versions = []
    for commit in commits:
        shown = subprocess.run(
            ["git", "-C", str(root), "show", f"{commit}:{path.as_posix()}"], capture_output=True, text=True
        )
        versions.append((f"commit {commit[:12]}", shown.stdout if shown.returncode == 0 else ""))
    versions.append(("the working tree", (root / path).read_text()))
    errors = []
    for (_, before), (where, after) in pairwise(versions):
        if not after.startswith(before):
            errors.append(f"{path} is append-only, but {where} rewrites or removes earlier lines")
    return errors


def require(root: Path, env: str) -> Path:
    path = root / history_file(env)
    if not path.exists():
        raise CheckError(f"{history_file(env)} is missing")
    return path
