#!/usr/bin/env python3
"""`just pin-digest <env> <sha256:...>`: pin one exact image digest in one environment.

The two cases `just promote <from> <to>` does not cover, because the digest is not in another
environment's pin: a fresh release going to dev (release.yml), and a rollback to a digest that
ran before (promote.yml with `digest`). It reuses the promotion tool's own code (tools/k8s: the pin
file, its digest line, the renderer), changes the same single file and prints the same report, so
both paths produce the same kind of pull request and `just promote --check` keeps holding: a
rollback target was pinned in the previous environment earlier, so the order invariant stays true.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path.cwd())
    parser.add_argument("env")
    parser.add_argument("digest")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    sys.path.insert(0, str(root))
    from tools.k8s.layout import CLOUDS, ENVIRONMENTS, CheckError, overlay_dir, version_file
    from tools.k8s.manifests import kustomize
    from tools.k8s.promote import DIGEST_LINE, read_digest

    if args.env not in ENVIRONMENTS:
        print(f"FAIL environments are {', '.join(ENVIRONMENTS)}; got {args.env}", file=sys.stderr)
        return 1
    if not DIGEST.match(args.digest):
        print(f"FAIL not an image digest (sha256:<64 hex>): {args.digest}", file=sys.stderr)
        return 1
    pin = root / version_file(args.env)
    old_text = pin.read_text()
    try:
        old = read_digest(old_text, str(version_file(args.env)))
        if old == args.digest:
            print(f"{args.env} already runs {args.digest}; nothing to pin")
            return 0
        before = {cloud: kustomize(root, overlay_dir(args.env, cloud)) for cloud in CLOUDS}
        new_text = DIGEST_LINE.sub(lambda m: m["prefix"] + args.digest, old_text)
        # The digest line's trailing `\s*` also matches the file's final newline: keep it.
        pin.write_text(new_text if new_text.endswith("\n") or not old_text.endswith("\n") else new_text + "\n")
        after = {cloud: kustomize(root, overlay_dir(args.env, cloud)) for cloud in CLOUDS}
    except CheckError as exc:
        pin.write_text(old_text)
        print(f"FAIL {exc}", file=sys.stderr)
        return 1
    print(f"pin {args.env}: {old} -> {args.digest}")
    print(f"changed: {version_file(args.env)}")
    for cloud in CLOUDS:
        name = f"{args.env}-{cloud}"
        lines = difflib.unified_diff(before[cloud].splitlines(), after[cloud].splitlines(),
                                     f"{name} (before)", f"{name} (after)", lineterm="", n=2)
        for line in lines:
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
