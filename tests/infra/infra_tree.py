"""Helpers of the infra tests: a copy of the Terraform tree to break, and the real entry point
(`python -m tools.infra.validate --root COPY CHECK`) to run on it. (A module name of its own, so
that pytest sessions spanning several areas' tests never import another area's helpers.)"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    code: int
    output: str


class Tree:
    def __init__(self, root: Path):
        self.root = root

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text()
        assert old in text, f"{old!r} not in {relative}: the test no longer matches the code"
        path.write_text(text.replace(old, new, 1))

    def append(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.write_text(path.read_text() + "\n" + text)

    def check(self, *checks: str) -> Result:
        # No check named: every check but terraform (minutes; test_infra_defects runs it on the
        # directories its mutations touch, and `just ci-infra` on the whole tree).
        from tools.infra.validate import CHECKS

        named = checks or tuple(c for c in CHECKS if c != "terraform")
        done = subprocess.run(
            [sys.executable, "-m", "tools.infra.validate", "--root", str(self.root), *named],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        return Result(done.returncode, done.stdout + done.stderr)


def copy_tree(tmp_path: Path) -> Tree:
    shutil.copytree(REPO / "modules", tmp_path / "modules")
    for directory in sorted((REPO / "environments").glob("*/*")):
        # Terraform roots, and the overlays whose values the overlays check compares with them.
        if any(directory.glob("*.tf")) or (directory / "cluster-values.yaml").is_file():
            shutil.copytree(directory, tmp_path / directory.relative_to(REPO))
    shutil.copy2(REPO / "environments" / "kubernetes-version.txt", tmp_path / "environments" / "kubernetes-version.txt")
    return Tree(tmp_path)
