"""`just status`: per environment and cloud, the pinned digest, when and by which commit it was pinned
(the HISTORY.md row when a promotion made it), and the evidence state the cluster reported."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import history
from .evidence import gather
from .github import GitHub
from .layout import CLOUDS, ENVIRONMENTS, CheckError, repo_root
from .pins import git, runs


def status(root: Path) -> tuple[list[str], bool]:
    github = GitHub(root)
    lines, ok = [], True
    for env in ENVIRONMENTS:
        digest, since, _ = runs(root, env)[0]
        subject = git(root, "log", "-1", "--format=%cs %s", since).strip()
        path = root / history.history_file(env)
        recorded = [r for r in history.rows(path.read_text()) if r.digest == digest] if path.exists() else []
        version = (
            f"{recorded[-1].action} from {recorded[-1].source} on {recorded[-1].when}"
            if recorded
            else "not in HISTORY.md"
        )
        try:
            evidence = gather(github, root, env, digest, since)
        except CheckError as exc:
            evidence, ok = None, False
            lines.append(f"{env}: evidence UNAVAILABLE: {exc}")
        for cloud in CLOUDS:
            state = "unknown" if evidence is None else ("verified" if evidence[cloud].verified else "NOT verified")
            detail = "" if evidence is None else f" ({evidence[cloud].reason})"
            lines.append(f"{env}-{cloud}: {digest} pinned {since[:12]} [{subject}]; {version}; {state}{detail}")
    return lines, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=repo_root())
    args = parser.parse_args(argv)
    try:
        lines, ok = status(args.root.resolve())
    except CheckError as exc:
        print(f"FAIL {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
