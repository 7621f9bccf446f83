"""Helpers of the workflow tests: copy the repository's .github/ into a temporary root, break it, run the
checks. (A module name of its own: a pytest session spanning several areas imports every area's
conftest.py under the one name `conftest`, so `from conftest import ...` could get another area's.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / ".github" / "scripts"


def tool_env() -> dict[str, str]:
    """The tools live next to the interpreter running the tests (.tools/venv/bin)."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(
    args: list[str], cwd: Path | None = None, stdin: str | None = None, env: dict | None = None, timeout: int = 120
):
    merged = tool_env()
    merged.update(env or {})
    return subprocess.run(
        args, cwd=cwd, input=stdin, env=merged, capture_output=True, text=True, timeout=timeout, check=False
    )


class Checkout:
    """A copy of .github/ under a temporary root, editable before validating."""

    def __init__(self, root: Path):
        self.root = root
        shutil.copytree(REPO / ".github", root / ".github")
        # The Justfile and its imports: the invariants compare the PR gate with `just ci`.
        shutil.copy(REPO / "Justfile", root / "Justfile")
        shutil.copytree(REPO / "just", root / "just")
        # actionlint finds the project (and checks local action inputs) through its git root.
        subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=30)

    def path(self, relative: str) -> Path:
        return self.root / relative

    def replace(self, relative: str, old: str, new: str, count: int = 1) -> None:
        path = self.path(relative)
        text = path.read_text()
        assert old in text, f"{old!r} not in {relative}: the test no longer matches the workflow"
        path.write_text(text.replace(old, new, count))

    def validate(self) -> subprocess.CompletedProcess:
        result = run(["bash", str(SCRIPTS / "validate-workflows.sh"), str(self.root)])
        result.output = result.stdout + result.stderr
        return result
