"""Terraform itself on every module and root: `fmt -check`, then `init -backend=false`,
`validate` and `test` (the `*.tftest.hcl` suites, plan mode with mock providers) where the
providers can be installed.

Offline, providers come from a filesystem mirror named by the CLI config (TF_CLI_CONFIG_FILE, or
the one .ci/setup.d/30-infra.sh writes into .tools/terraform/ when that file is missing). Registry
modules cannot be downloaded: each call of one is pointed, in a scratch copy, at a stand-in
generated from tools/infra/module-interfaces.json (same variables and types, null outputs; the
suites override those modules anyway). A directory needing a provider the mirror lacks is not
run: it prints `CANNOT RUN: <why>` and is counted. When the mirror holds a provider outside our
constraint (AWS 5.100 against our >= 6.0), the scratch copy widens the constraint and says so:
the 6.x schema is proven in the PR pipeline only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import module_interfaces
from .layout import Finding, load_dir, rel, terraform_dirs, unquote

CLI_CONFIG = Path(".tools/terraform/cli.tfrc")


@dataclass
class Tally:
    fmt: int = 0
    ran: dict[str, int] = field(default_factory=lambda: {"validate": 0, "test": 0})
    cannot: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"fmt {self.fmt} ok, validate {self.ran['validate']} ran, test {self.ran['test']} ran, "
            f"{len(self.cannot)} CANNOT RUN"
        )


def cli_config(root: Path) -> Path | None:
    configured = os.environ.get("TF_CLI_CONFIG_FILE")
    if configured and Path(configured).is_file():
        return Path(configured)
    # The tree checked (a copy in the tests) or this repository's .tools.
    for base in (root, Path(__file__).resolve().parents[2]):
        if (base / CLI_CONFIG).is_file():
            return base / CLI_CONFIG
    return None


def mirror_providers(config: Path | None) -> dict[str, list[str]]:
    """'namespace/type' -> versions held by the filesystem mirrors the CLI config names."""
    found: dict[str, list[str]] = {}
    if config is None:
        return found
    for path in re.findall(r'filesystem_mirror\s*\{[^}]*?path\s*=\s*"([^"]+)"', config.read_text(), re.S):
        # <mirror>/<host>/<namespace>/<type>/<version>/
        for version_dir in sorted(Path(path).glob("*/*/*/*")):
            if version_dir.is_dir():
                found.setdefault(f"{version_dir.parent.parent.name}/{version_dir.parent.name}", []).append(
                    version_dir.name
                )
    return found


def validated_here(root: Path) -> set[Path]:
    """The directories the terraform check validates on this machine (every provider they need is
    in the mirror): there our own reference and module-call checks would only repeat it."""
    if shutil.which("terraform") is None:
        return set()
    mirror = mirror_providers(cli_config(root))
    return {d for d in terraform_dirs(root) if all(p in mirror for p in required_providers(d))}


def _local_children(directory: Path) -> list[Path]:
    out = []
    for _, body in load_dir(directory).named("module").values():
        source = unquote(str(body.get("source", "")))
        if source.startswith("."):
            out.append((directory / source).resolve())
    return out


def _closure(directory: Path) -> list[Path]:
    seen, todo = [], [directory.resolve()]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.append(current)
            todo.extend(_local_children(current))
    return seen


def required_providers(directory: Path) -> dict[str, list[str]]:
    """'namespace/type' -> version constraints, over the directory and the local modules it calls."""
    needs: dict[str, list[str]] = {}
    for member in _closure(directory):
        for _, block in load_dir(member).of("terraform"):
            for providers in block.get("required_providers", []):
                for _name, spec in providers.items():
                    if isinstance(spec, dict) and "source" in spec:
                        source = unquote(spec["source"]).lower()
                        if source.count("/") == 2:
                            source = source.split("/", 1)[1]
                        needs.setdefault(source, []).append(unquote(str(spec.get("version", ""))))
    return needs


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def admits(constraint: str, version: str) -> bool:
    """Terraform's constraint syntax (comma-separated =, !=, >, >=, <, <=, ~>)."""
    have = _version(version)
    for part in filter(None, (p.strip() for p in constraint.split(","))):
        op, want_text = re.fullmatch(r"(~>|>=|<=|!=|=|>|<)?\s*(.+)", part).groups()
        want = _version(want_text)
        padded = want + (0,) * (3 - len(want))
        if op == "~>":
            if not (have >= padded and have[: len(want) - 1] == want[:-1]):
                return False
        elif not {
            None: have == padded,
            "=": have == padded,
            "!=": have != padded,
            ">": have > padded,
            ">=": have >= padded,
            "<": have < padded,
            "<=": have <= padded,
        }[op]:
            return False
    return True


_MODULE_SOURCE = re.compile(
    r'(?P<lead>\n[ \t]*source[ \t]*=[ \t]*)"(?P<source>[^"]+)"(?P<version>[ \t]*\n[ \t]*version[ \t]*=[ \t]*"[^"]*")?'
)


def _scratch(root: Path, scratch: Path, stand_ins: dict[str, Path], widen: dict[str, str]) -> None:
    """A copy of modules/ and the roots with registry modules pointed at stand-ins and the
    constraints in `widen` ('namespace/type' -> version) opened to that version."""
    shutil.copytree(root / "modules", scratch / "modules", ignore=shutil.ignore_patterns(".terraform*"))
    for directory in terraform_dirs(root):
        if directory.is_relative_to(root / "environments"):
            shutil.copytree(
                directory,
                scratch / directory.relative_to(root),
                ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"),
            )
    for file in scratch.rglob("*.tf"):
        text = file.read_text()

        def point(match: re.Match, file: Path = file) -> str:
            source = match.group("source")
            if source not in stand_ins:
                return match.group(0)
            return f'{match.group("lead")}"{os.path.relpath(stand_ins[source], file.parent)}"'

        text = _MODULE_SOURCE.sub(point, text)
        for provider, version in widen.items():
            text = re.sub(
                rf'(source\s*=\s*"(?:[^"/]+/)?{re.escape(provider)}"\s*\n\s*version\s*=\s*)"[^"]*"',
                rf'\1">= {version}"',
                text,
                flags=re.I,
            )
        file.write_text(text)


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False)


def check(root: Path, tally: Tally | None = None, only: list[Path] | None = None) -> tuple[list[Finding], Tally]:
    tally = tally or Tally()
    findings: list[Finding] = []
    terraform = shutil.which("terraform")
    dirs = terraform_dirs(root)
    if only:
        dirs = [d for d in dirs if d in {o.resolve() for o in only}]
    if terraform is None:
        for directory in dirs:
            tally.cannot.append(f"{rel(directory, root)}: fmt, validate, test: no terraform binary on PATH")
        return findings, tally
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
    env.pop("TF_PLUGIN_CACHE_DIR", None)
    config = cli_config(root)
    if config is not None:
        env["TF_CLI_CONFIG_FILE"] = str(config)

    started = time.monotonic()
    fmt = _run(
        [terraform, "fmt", "-check", "-recursive", "-list=true", "-no-color", *(str(d) for d in dirs)], root, env
    )
    listed = [(root / line.strip()).resolve() for line in fmt.stdout.splitlines() if line.strip()]
    # A file of a directory or of its tests/ (the suites are formatted too).
    unformatted = {d for d in dirs for file in listed if file.is_relative_to(d)}
    if fmt.returncode not in (0, 3) or (fmt.returncode == 3 and not unformatted):
        findings.append(Finding("terraform", "modules, environments", f"terraform fmt failed: {fmt.stderr.strip()}"))
    for directory in dirs:
        if directory in unformatted:
            findings.append(
                Finding(
                    "terraform",
                    rel(directory, root),
                    "not formatted: run `terraform fmt -recursive modules environments`",
                )
            )
        else:
            tally.fmt += 1

    mirror = mirror_providers(config)
    tally.notes.append(
        f"provider mirror: {', '.join(f'{p} {v}' for p, vs in sorted(mirror.items()) for v in vs) or 'none'}"
        f" (CLI config {'TF_CLI_CONFIG_FILE' if config and str(config) == os.environ.get('TF_CLI_CONFIG_FILE') else config or 'missing'})"
    )
    widen: dict[str, str] = {}
    runnable = []
    for directory in dirs:
        needs = required_providers(directory)
        missing = sorted(p for p in needs if p not in mirror)
        tests = sorted(directory.glob("*.tftest.hcl")) + sorted((directory / "tests").glob("*.tftest.hcl"))
        if not tests:
            findings.append(
                Finding("terraform", rel(directory, root), "no *.tftest.hcl suite (every module and root has one)")
            )
        if missing:
            where = (
                "the provider mirror"
                if mirror
                else "any provider mirror (no CLI config: .ci/setup.d/30-infra.sh writes one when it finds a mirror)"
            )
            tally.cannot.append(
                f"{rel(directory, root)}: validate, test: {', '.join(missing)} not in {where} (runs in the PR pipeline)"
            )
            continue
        for provider in needs:
            newest = max(mirror[provider], key=_version)
            if not all(admits(c, newest) for c in needs[provider] if c):
                widen[provider] = newest
        runnable.append((directory, tests))
    for provider, version in sorted(widen.items()):
        tally.notes.append(
            f"NOTE: {provider} {version} from the mirror stands in for our constraint (widened in a scratch copy); "
            "the pinned major's schema is proven in the PR pipeline only"
        )

    if runnable:
        with tempfile.TemporaryDirectory(prefix="infra-terraform-") as scratch_text:
            scratch = Path(scratch_text)
            stand_ins = module_interfaces.write_stand_ins(scratch / "stand-ins")
            # One provider copy for all directories instead of one each.
            (scratch / "plugin-cache").mkdir()
            env["TF_PLUGIN_CACHE_DIR"] = str(scratch / "plugin-cache")
            _scratch(root, scratch / "tree", stand_ins, widen)
            # init one after the other (they share the plugin cache), then validate and test two at
            # a time: each is mostly the provider loading its schema.
            initialised = []
            for directory, tests in runnable:
                init = _run(
                    [terraform, "init", "-backend=false", "-input=false", "-no-color"],
                    scratch / "tree" / directory.relative_to(root),
                    env,
                )
                if init.returncode != 0:
                    findings.append(
                        Finding("terraform", rel(directory, root), f"terraform init failed:\n{_tail(init)}")
                    )
                else:
                    initialised.append((directory, tests))
            with ThreadPoolExecutor(max_workers=2) as pool:
                results = list(
                    pool.map(lambda item: _prove(terraform, root, scratch / "tree", env, *item), initialised)
                )
            for dir_findings, validated, tested in results:
                findings.extend(dir_findings)
                tally.ran["validate"] += validated
                tally.ran["test"] += tested
    tally.notes.append(f"terraform took {time.monotonic() - started:.0f} s")
    return findings, tally


def _prove(terraform: str, root: Path, tree: Path, env: dict[str, str], directory: Path, tests: list[Path]):
    """validate and test one initialised directory of the scratch tree: (findings, validated, tested)."""
    copy = tree / directory.relative_to(root)
    name = rel(directory, root)
    validate = _run([terraform, "validate", "-no-color"], copy, env)
    if validate.returncode != 0:
        return [Finding("terraform", name, f"terraform validate failed:\n{_tail(validate)}")], 1, 0
    if not tests:
        return [], 1, 0
    test = _run([terraform, "test", "-no-color"], copy, env)
    if test.returncode != 0:
        return [Finding("terraform", name, f"terraform test failed:\n{_tail(test)}")], 1, 1
    return [], 1, 1


def _tail(done: subprocess.CompletedProcess, lines: int = 40) -> str:
    text = (done.stdout + done.stderr).strip().splitlines()
    return "\n".join("    " + line for line in text[-lines:])
