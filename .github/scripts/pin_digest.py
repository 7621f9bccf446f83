#!/usr/bin/env python3
"""`just pin-digest <env> <sha256:...>`: pin one exact image digest in one environment.

The two cases `just promote <from> <to>` does not cover, because the digest is not in another
environment's pin: a fresh release going to dev (release.yml), and a rollback to a digest that
ran before (promote.yml with `digest`). It calls the promotion tool's own `pin()` (tools/k8s/promote.py),
which changes the same single file and prints the same report, so both paths produce the same kind
of pull request and `just promote --check` keeps holding: a rollback target was pinned in the
previous environment earlier, so the order invariant stays true.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path.cwd())
    parser.add_argument("env")
    parser.add_argument("digest")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    sys.path.insert(0, str(root))
    from tools.k8s.layout import ENVIRONMENTS, CheckError
    from tools.k8s.promote import pin

    if args.env not in ENVIRONMENTS:
        print(f"FAIL environments are {', '.join(ENVIRONMENTS)}; got {args.env}", file=sys.stderr)
        return 1
    try:
        print(pin(root, args.env, args.digest, f"pin {args.env}"))
    except CheckError as exc:
        print(f"FAIL {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
