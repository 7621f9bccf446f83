"""`just k8s-render`: write every rendered overlay (and argocd/bootstrap) to out/rendered/<name>.yaml."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .layout import CheckError, repo_root
from .manifests import check_kubectl_pin, documents, render_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=repo_root())
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    out = (args.out or root / "out" / "rendered").resolve()
    try:
        check_kubectl_pin(root)
        rendered = render_all(root, out)
    except CheckError as exc:
        print(f"FAIL {exc}", file=sys.stderr)
        return 1
    for name, text in rendered.items():
        print(f"{out / (name + '.yaml')}: {len(documents(text))} objects")
    return 0


if __name__ == "__main__":
    sys.exit(main())
