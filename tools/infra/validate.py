"""`python -m tools.infra.validate [--root DIR] [CHECK...]`: run the offline Terraform checks and
exit non-zero when any finds something. Checks: syntax, semantics, interfaces, dependencies, module-policy, overlays,
trivy, readme, terraform (default: all, in that order; a syntax failure stops before the others, which
need parsed files). The last line sums up what ran and what could not run here (`CANNOT RUN`)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import (
    dependencies,
    module_interfaces,
    module_policy,
    overlay_agreement,
    readme_tables,
    semantics,
    syntax,
    terraform_run,
    trivy_scan,
)

CHECKS = [
    "syntax",
    "semantics",
    "interfaces",
    "dependencies",
    "module-policy",
    "overlays",
    "trivy",
    "readme",
    "terraform",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--root", type=Path, default=Path.cwd(), help="repository root (default: the current directory)"
    )
    parser.add_argument("--fix-readmes", action="store_true", help="rewrite the README tables instead of checking them")
    parser.add_argument(
        "--terraform-dir",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="limit the terraform check to these directories (relative to --root)",
    )
    parser.add_argument("checks", nargs="*", metavar="CHECK", help=f"any of {', '.join(CHECKS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = set(args.checks) - set(CHECKS)
    if unknown:
        parser.error(f"unknown check(s): {', '.join(sorted(unknown))}")
    root = args.root.resolve()
    failed = False
    started = time.monotonic()
    tally = terraform_run.Tally()
    ran = []
    for name in args.checks or CHECKS:
        if name == "syntax":
            findings, count = syntax.check(root)
            summary = f"{count} .tf files parsed"
        elif name == "semantics":
            findings, count = semantics.check(root)
            summary = f"{count} modules and roots checked"
        elif name == "interfaces":
            findings, count = module_interfaces.check(root)
            summary = f"{count} registry module calls checked against tools/infra/module-interfaces.json"
        elif name == "dependencies":
            findings, count = dependencies.check(root)
            summary = f"{count} modules and roots checked (static for_each keys, APIs first, names as references)"
        elif name == "terraform":
            findings, tally = terraform_run.check(root, tally, [root / d for d in args.terraform_dir])
            for note in tally.notes:
                print(f"infra terraform: {note}")
            for reason in tally.cannot:
                print(f"infra terraform: CANNOT RUN: {reason}")
            summary = tally.summary()
        elif name == "module-policy":
            findings, count = module_policy.check(root)
            summary = f"{count} module calls and resources checked (and variable defaults, example tfvars, outputs)"
        elif name == "overlays":
            findings, count = overlay_agreement.check(root)
            summary = f"{count} overlays compared with their Terraform roots"
        elif name == "trivy":
            findings, summary = trivy_scan.check(root)
        else:
            findings, count = readme_tables.check(root, fix=args.fix_readmes)
            summary = f"{count} READMEs {'rewritten' if args.fix_readmes else 'checked'}"
        status = "FAIL" if findings else "ok"
        print(f"infra {name}: {status}: {summary}, {len(findings)} finding(s)")
        for finding in findings:
            print(f"  {finding}")
        failed = failed or bool(findings)
        ran.append(f"{name} {status}")
        if name == "syntax" and findings:
            print("infra: stopping: the other checks need files that parse", file=sys.stderr)
            return 1
    terraform = f"; terraform: {tally.summary()}" if "terraform" in (args.checks or CHECKS) else ""
    print(f"validate-infra: {', '.join(ran)}{terraform}; {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
