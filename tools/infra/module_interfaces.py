"""The pinned registry modules' interfaces, as data, and our calls checked against them.

`tools/infra/module-interfaces.json` records, for each registry module this repository calls, the
version it was read at and its variables (type and default as HCL text, or required) and output
names. Nothing else of the module is kept. `python -m tools.infra.module_interfaces record
[--checkout SOURCE=DIR ...]` regenerates it: from a `git clone --branch <tag>` of each upstream
repository, or from checkouts given on the command line (a DIR holding the module's files at the
tag). Bump PINNED and re-record when a constraint moves.

`check(root)` (the `interfaces` check of `just validate-infra`): every call of a registry module
uses a source recorded here, a version constraint that admits the recorded version, only
arguments the module declares, every argument it requires, and only outputs it declares.
`write_stand_ins(dir)` turns the data into modules with the same variables (typed, with the
recorded defaults) and outputs (null), so that `terraform validate` and `terraform test` (with
override_module) can run offline on a module that calls them.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import hcl2
from hcl2.utils import SerializationOptions

from .layout import Finding, TfDir, load_dir, rel, terraform_dirs, unquote

DATA = Path(__file__).with_name("module-interfaces.json")
# Registry source -> (GitHub owner/repository, tag): the newest tags the constraints allowed when
# recorded (issue 12's review ran Terraform against these).
PINNED = {
    "terraform-aws-modules/eks/aws": ("terraform-aws-modules/terraform-aws-eks", "v21.19.0"),
    "terraform-aws-modules/eks-pod-identity/aws": ("terraform-aws-modules/terraform-aws-eks-pod-identity", "v2.8.1"),
    "terraform-aws-modules/vpc/aws": ("terraform-aws-modules/terraform-aws-vpc", "v6.6.0"),
    "terraform-aws-modules/rds/aws": ("terraform-aws-modules/terraform-aws-rds", "v6.13.1"),
    "terraform-google-modules/kubernetes-engine/google//modules/private-cluster": (
        "terraform-google-modules/terraform-google-kubernetes-engine",
        "v37.1.0",
    ),
    "terraform-google-modules/network/google": ("terraform-google-modules/terraform-google-network", "v11.1.1"),
    "terraform-google-modules/sql-db/google//modules/postgresql": (
        "terraform-google-modules/terraform-google-sql-db",
        "v26.2.2",
    ),
}
META_ARGUMENTS = {"source", "version", "providers", "depends_on", "count", "for_each"}
IDENT = r"[A-Za-z_][A-Za-z0-9_-]*"
_OPTIONS = SerializationOptions(with_meta=False, with_comments=False)


def is_registry(source: str) -> bool:
    return not source.startswith((".", "/")) and "::" not in source and source.count("/") >= 2


# ---------------------------------------------------------------------------------------- record


def _hcl(value) -> str:
    """python-hcl2's value back to HCL text (strings arrive quoted, expressions as ${...})."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        if value.startswith("${") and value.endswith("}"):
            return value[2:-1]
        return value if value.startswith('"') else json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(item) for item in value) + "]"
    if isinstance(value, dict):
        items = [(k, v) for k, v in value.items() if not k.startswith("__")]
        return "{" + ", ".join(f"{_key(k)} = {_hcl(v)}" for k, v in items) + "}"
    raise TypeError(f"cannot write {value!r} as HCL")


def _key(key: str) -> str:
    return key if re.fullmatch(IDENT, key) or key.startswith('"') else json.dumps(key)


def read_interface(module_dir: Path) -> dict:
    variables, outputs = {}, []
    for file in sorted(module_dir.glob("*.tf")):
        parsed = hcl2.loads(file.read_text(), serialization_options=_OPTIONS)
        for block in parsed.get("variable", []):
            for name, body in block.items():
                kind = body.get("type", "any")
                # A type is an expression: python-hcl2 gives the bare keyword (string) or ${...}.
                entry = {"type": _hcl(kind) if isinstance(kind, str) and kind.startswith("${") else str(kind)}
                if "default" in body:
                    entry["default"] = _hcl(body["default"])
                else:
                    entry["required"] = True
                if body.get("nullable") is False:
                    entry["nullable"] = False
                variables[unquote(name)] = entry
        for block in parsed.get("output", []):
            outputs.extend(unquote(name) for name in block)
    return {"variables": dict(sorted(variables.items())), "outputs": sorted(outputs)}


def record(checkouts: dict[str, Path]) -> dict:
    data = {}
    with tempfile.TemporaryDirectory() as scratch:
        for source, (repository, tag) in sorted(PINNED.items()):
            subdir = source.split("//", 1)[1] if "//" in source else ""
            base = checkouts.get(source)
            if base is None:
                base = Path(scratch) / repository.replace("/", "+")
                if not base.exists():
                    subprocess.run(
                        [
                            "git",
                            "clone",
                            "--quiet",
                            "--depth",
                            "1",
                            "--branch",
                            tag,
                            f"https://github.com/{repository}.git",
                            str(base),
                        ],
                        check=True,
                    )
            if not (base / subdir).is_dir() or not any((base / subdir).glob("*.tf")):
                raise SystemExit(f"module-interfaces: no .tf files for {source} in {base / subdir}")
            data[source] = {"repository": repository, "version": tag.lstrip("v"), **read_interface(base / subdir)}
            print(
                f"module-interfaces: {source} {tag}: {len(data[source]['variables'])} variables, "
                f"{len(data[source]['outputs'])} outputs"
            )
    return data


# ----------------------------------------------------------------------------------------- check


def load() -> dict:
    return json.loads(DATA.read_text())


def _admits(constraint: str, version: str) -> bool:
    """Whether a `~> X.Y`, `~> X.Y.Z` or exact constraint admits version (what our pins use)."""
    have = tuple(int(p) for p in version.split("."))
    match = re.fullmatch(r"\s*(~>|=)?\s*(\d+(?:\.\d+){0,2})\s*", constraint)
    if not match:
        return False
    want = tuple(int(p) for p in match.group(2).split("."))
    if match.group(1) != "~>":
        return have == want + (0,) * (3 - len(want))
    upper = want[:-1]
    return have[: len(upper)] == upper and have[: len(want)] >= want


def calls(tf: TfDir):
    """(file, call name, body, source) for every registry module call of a directory."""
    for name, (file, body) in tf.named("module").items():
        source = unquote(str(body.get("source", "")))
        if is_registry(source):
            yield file, name, body, source


def check(root: Path) -> tuple[list[Finding], int]:
    data = load()
    findings, count = [], 0
    for directory in terraform_dirs(root):
        tf = load_dir(directory)
        for file, name, body, source in calls(tf):
            count += 1
            line = tf.line_of(file, rf'module\s+"{name}"')
            where = f"{rel(file, root)}:{line}"

            def finding(message: str, where: str = where, name: str = name, source: str = source) -> None:
                findings.append(Finding("interfaces", where, f"module.{name} ({source}): {message}"))

            interface = data.get(source)
            if interface is None:
                finding(
                    "no recorded interface: add it to PINNED and run `python -m tools.infra.module_interfaces record`"
                )
                continue
            constraint = unquote(str(body.get("version", "")))
            if not _admits(constraint, interface["version"]):
                finding(
                    f"version {constraint or '(none)'} does not admit the recorded {interface['version']}: re-record"
                )
            arguments = {k for k in body if not k.startswith("__")} - META_ARGUMENTS
            for unknown in sorted(arguments - set(interface["variables"])):
                finding(f"argument {unknown} is not a variable of the module at {interface['version']}")
            required = {k for k, v in interface["variables"].items() if v.get("required")}
            for missing in sorted(required - arguments):
                finding(f"required argument {missing} is not given")
        pattern = re.compile(rf"(?<![\w.])module\.({IDENT})(?:\[[^\]]*\])?\.({IDENT})")
        registry = {name: source for _, name, _, source in calls(tf)}
        for file, text in tf.texts.items():
            for number, line in enumerate(text.splitlines(), start=1):
                for match in pattern.finditer(line.split("#", 1)[0]):
                    source = registry.get(match.group(1))
                    if source in data and match.group(2) not in data[source]["outputs"]:
                        findings.append(
                            Finding(
                                "interfaces",
                                f"{rel(file, root)}:{number}",
                                f"module.{match.group(1)}.{match.group(2)}: {source} has no output {match.group(2)}",
                            )
                        )
    return findings, count


# ------------------------------------------------------------------------------------ stand-ins


def stand_in_text(interface: dict) -> str:
    lines = [
        "# Stand-in generated from tools/infra/module-interfaces.json: the pinned module's",
        "# variables and outputs only (no resources). Never committed.",
        "",
    ]
    for name, spec in interface["variables"].items():
        lines.append(f'variable "{name}" {{')
        lines.append(f"  type = {spec['type']}")
        if "default" in spec:
            lines.append(f"  default = {spec['default']}")
        if spec.get("nullable") is False:
            lines.append("  nullable = false")
        lines.append("}")
    for name in interface["outputs"]:
        lines.append(f'output "{name}" {{\n  value = null\n}}')
    return "\n".join(lines) + "\n"


def write_stand_ins(directory: Path) -> dict[str, Path]:
    """One stand-in module per recorded source under directory; source -> its path."""
    out = {}
    for source, interface in load().items():
        path = directory / re.sub(r"[^A-Za-z0-9]+", "-", source).strip("-")
        path.mkdir(parents=True, exist_ok=True)
        (path / "main.tf").write_text(stand_in_text(interface))
        out[source] = path
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help=f"re-read the pinned modules and rewrite {DATA.name}")
    rec.add_argument(
        "--checkout",
        action="append",
        default=[],
        metavar="SOURCE=DIR",
        help="read SOURCE from a checkout of its repository at the pinned tag instead of cloning",
    )
    args = parser.parse_args(argv)
    checkouts = {}
    for item in args.checkout:
        source, _, directory = item.partition("=")
        if source not in PINNED:
            parser.error(f"{source} is not in PINNED")
        checkouts[source] = Path(directory)
    DATA.write_text(json.dumps(record(checkouts), indent=1, sort_keys=True) + "\n")
    print(f"module-interfaces: wrote {DATA}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
