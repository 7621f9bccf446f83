"""Checks `terraform validate` would do if providers could be downloaded here, and a few more:

- every var.x / local.x used is declared in that module or root (*), and every variable and local
  declared is used outside its own validation (tflint's terraform_unused_declarations);
- every variable has a type and a description, every output a description;
- every call of a local module passes each required input, and no input the module lacks (*);
- every module.<name>.<output> used names a declared module call, and, for a local module,
  an output it declares (*);
- every module and root pins required_version and gives every required provider a version
  constraint, and every provider its resources use is declared there;
- every registry module is pinned (exact version or ~>);
- every root pins kubernetes_version to environments/kubernetes-version.txt;
- every root keeps its state remotely: a gcs backend, or an s3 backend with encrypt and
  use_lockfile (S3-native locking), with a key/prefix naming its own environment and cloud;
- every literal CIDR in a root is given by its network address, and no two of a root overlap
  (what the modules' cidr validations would refuse at plan time);
- the roots of one cloud differ only in main.tf (sizing): their other files are the same once
  the environment's name is set aside, so the per-root boilerplate cannot drift.

(*) only where `terraform validate` cannot run here (a provider missing from the mirror): where it
runs (the terraform check), it proves these, and in the PR pipeline it proves them everywhere.
"""

from __future__ import annotations

import ipaddress
import re
from itertools import combinations
from pathlib import Path

from . import terraform_run
from .layout import (
    KUBERNETES_VERSION_FILE,
    Finding,
    TfDir,
    expressions,
    leaves,
    load_dir,
    rel,
    roots,
    terraform_dirs,
    unquote,
)

META_ARGUMENTS = {"source", "version", "providers", "depends_on", "count", "for_each"}
PINNED_VERSION = re.compile(r'^"(\d+\.\d+\.\d+|~> ?\d+\.\d+(\.\d+)?)"$')
IDENT = r"[A-Za-z_][A-Za-z0-9_-]*"
# Built-in providers whose resources need no required_providers entry.
BUILTIN_PROVIDERS = {"terraform"}
TERRAFORM_BLOCK = r"^terraform\s*\{"


def _references(tf: TfDir, prefix: str, skip: tuple[str, ...] = ()):
    """(file, name) for every `prefix.name` in an expression of the directory (blocks of the
    kinds in `skip` left out)."""
    pattern = re.compile(rf"(?<![\w.]){prefix}\.({IDENT})")
    for kind, blocks in tf.blocks.items():
        if kind in skip:
            continue
        for file, block in blocks:
            for expression in expressions(block):
                for match in pattern.finditer(expression):
                    yield file, match.group(1)


def _module_outputs_used(tf: TfDir):
    pattern = re.compile(rf"(?<![\w.])module\.({IDENT})(?:\[[^\]]*\])?\.({IDENT})")
    for _, blocks in tf.blocks.items():
        for file, block in blocks:
            for expression in expressions(block):
                for match in pattern.finditer(expression):
                    yield file, match.group(1), match.group(2)


def _declared_variables(tf: TfDir) -> dict[str, bool]:
    """Variable name -> required (no default)."""
    return {name: "default" not in body for name, (_, body) in tf.named("variable").items()}


def _local_source(tf: TfDir, body: dict) -> Path | None:
    source = unquote(body.get("source", ""))
    return (tf.path / source).resolve() if source.startswith(("./", "../")) else None


def check_references(tf: TfDir, root: Path, validated: bool = False) -> list[Finding]:
    findings = []
    declared = _declared_variables(tf)
    for file, name in sorted(set(_references(tf, "var"))):
        if name not in declared and not validated:
            line = tf.line_of(file, rf"(?<![\w.])var\.{re.escape(name)}\b")
            findings.append(
                Finding(
                    "undeclared-variable",
                    f"{rel(file, root)}:{line}",
                    f'var.{name} is used but no variable "{name}" is declared in {rel(tf.path, root)}',
                )
            )
    local_names = tf.locals()
    for file, name in sorted(set(_references(tf, "local"))):
        if name not in local_names and not validated:
            line = tf.line_of(file, rf"(?<![\w.])local\.{re.escape(name)}\b")
            findings.append(
                Finding(
                    "undeclared-local",
                    f"{rel(file, root)}:{line}",
                    f"local.{name} is used but not declared in {rel(tf.path, root)}",
                )
            )
    for kind, needed in (("variable", ("type", "description")), ("output", ("description",))):
        for name, (file, body) in sorted(tf.named(kind).items()):
            missing = [key for key in needed if not str(body.get(key, "")).strip('"').strip()]
            if missing:
                line = tf.line_of(file, rf'^\s*{kind}\s+"{re.escape(name)}"')
                findings.append(
                    Finding(
                        "undocumented", f"{rel(file, root)}:{line}", f'{kind} "{name}" has no {" or ".join(missing)}'
                    )
                )
    used_variables = {name for _, name in _references(tf, "var", skip=("variable",))}
    for name, (file, _) in sorted(tf.named("variable").items()):
        if name not in used_variables:
            line = tf.line_of(file, rf'^\s*variable\s+"{re.escape(name)}"')
            findings.append(
                Finding("unused-variable", f"{rel(file, root)}:{line}", f'variable "{name}" is declared but never used')
            )
    used_locals = {name for _, name in _references(tf, "local")}
    for name, (file, _) in sorted(local_names.items()):
        if name not in used_locals:
            line = tf.line_of(file, rf"^\s*{re.escape(name)}\s*=")
            findings.append(
                Finding("unused-local", f"{rel(file, root)}:{line}", f"local.{name} is declared but never used")
            )
    return findings


def check_module_calls(tf: TfDir, root: Path, validated: bool = False) -> list[Finding]:
    findings = []
    calls = tf.named("module")
    for name, (file, body) in calls.items():
        line = tf.line_of(file, rf'^\s*module\s+"{re.escape(name)}"')
        where = f"{rel(file, root)}:{line}"
        source = _local_source(tf, body)
        if source is None:
            if not PINNED_VERSION.match(str(body.get("version", ""))):
                findings.append(
                    Finding(
                        "module-version",
                        where,
                        f'registry module "{name}" ({unquote(body["source"])}) must pin version exactly or with ~>, '
                        f"got {body.get('version', 'nothing')}",
                    )
                )
            continue
        if validated:
            continue
        if not source.is_dir() or not any(source.glob("*.tf")):
            findings.append(
                Finding(
                    "module-source",
                    where,
                    f'module "{name}": source {unquote(body["source"])} is not a Terraform module',
                )
            )
            continue
        callee = load_dir(source)
        inputs = _declared_variables(callee)
        given = {key for key in body if not key.startswith("__")} - META_ARGUMENTS
        for missing in sorted(k for k, required in inputs.items() if required and k not in given):
            findings.append(
                Finding(
                    "missing-module-input",
                    where,
                    f'module "{name}" does not pass required input "{missing}" of {rel(source, root)}',
                )
            )
        for unknown in sorted(given - inputs.keys()):
            findings.append(
                Finding(
                    "unknown-module-input",
                    where,
                    f'module "{name}" passes "{unknown}", which {rel(source, root)} does not declare',
                )
            )
    for file, module, output in sorted(set(_module_outputs_used(tf)) if not validated else ()):
        line = tf.line_of(file, rf"module\.{re.escape(module)}(\[[^\]]*\])?\.{re.escape(output)}\b")
        where = f"{rel(file, root)}:{line}"
        if module not in calls:
            findings.append(
                Finding("undeclared-module", where, f'module.{module} is used but no module "{module}" is called here')
            )
            continue
        source = _local_source(tf, calls[module][1])
        if source is not None and source.is_dir():
            callee = load_dir(source)
            if output not in callee.named("output"):
                findings.append(
                    Finding(
                        "unknown-module-output",
                        where,
                        f'module.{module}.{output}: {rel(source, root)} has no output "{output}"',
                    )
                )
    return findings


def check_versions(tf: TfDir, root: Path) -> list[Finding]:
    findings = []
    blocks = tf.of("terraform")
    where = rel(tf.path, root)
    if not blocks:
        return [Finding("required-version", where, "no terraform block: pin required_version and required_providers")]
    file, block = blocks[0]
    where = f"{rel(file, root)}:{tf.line_of(file, TERRAFORM_BLOCK)}"
    if not str(block.get("required_version", "")).strip('"'):
        findings.append(Finding("required-version", where, "required_version is not pinned"))
    providers: dict[str, dict] = {}
    for entry in block.get("required_providers", []):
        providers.update({k: v for k, v in entry.items() if not k.startswith("__")})
    for name, spec in sorted(providers.items()):
        version = spec.get("version", "") if isinstance(spec, dict) else ""
        if not str(version).strip('"').strip():
            findings.append(Finding("provider-version", where, f'provider "{name}" has no version constraint'))
    for kind in ("resource", "data", "ephemeral"):
        for file2, block2 in tf.of(kind):
            for type_name in block2:
                provider = unquote(type_name).split("_", 1)[0]
                if provider not in providers and provider not in BUILTIN_PROVIDERS:
                    line = tf.line_of(file2, rf"^\s*{kind}\s+{re.escape(type_name)}")
                    findings.append(
                        Finding(
                            "provider-version",
                            f"{rel(file2, root)}:{line}",
                            f'{kind} {unquote(type_name)} uses provider "{provider}", '
                            "which required_providers does not declare (and so does not pin)",
                        )
                    )
    return findings


def check_kubernetes_version(root: Path) -> list[Finding]:
    version_file = root / KUBERNETES_VERSION_FILE
    if not version_file.is_file():
        return [Finding("kubernetes-version", str(KUBERNETES_VERSION_FILE), "missing")]
    wanted = version_file.read_text().strip()
    findings = []
    for directory in roots(root):
        tf = load_dir(directory)
        pinned = tf.locals().get("kubernetes_version") or tf.named("variable").get("kubernetes_version")
        if pinned is None:
            findings.append(
                Finding(
                    "kubernetes-version",
                    rel(directory, root),
                    "the root does not pin kubernetes_version (local or variable)",
                )
            )
            continue
        file, value = pinned
        value = value.get("default", "") if isinstance(value, dict) else value
        if unquote(str(value)) != wanted:
            line = tf.line_of(file, r"kubernetes_version\s*=")
            findings.append(
                Finding(
                    "kubernetes-version",
                    f"{rel(file, root)}:{line}",
                    f"kubernetes_version is {value}, {KUBERNETES_VERSION_FILE} says {wanted}",
                )
            )
    return findings


def check_backends(root: Path) -> list[Finding]:
    findings = []
    for directory in roots(root):
        tf = load_dir(directory)
        blocks = tf.of("terraform")
        file = blocks[0][0] if blocks else directory / "versions.tf"
        backends = [b for _, block in blocks for entry in block.get("backend", []) for b in entry.items()]
        where = f"{rel(file, root)}:{tf.line_of(file, r'backend')}" if file in tf.texts else rel(directory, root)
        if len(backends) != 1:
            findings.append(
                Finding("backend", where, f"a root needs exactly one remote backend, found {len(backends)}")
            )
            continue
        kind, body = unquote(backends[0][0]), backends[0][1]
        own = f"{directory.parent.name}/{directory.name}"
        location = unquote(str(body.get("key" if kind == "s3" else "prefix", "")))
        if kind == "s3" and not (body.get("use_lockfile") is True and body.get("encrypt") is True):
            findings.append(Finding("backend", where, "the s3 backend must set use_lockfile = true and encrypt = true"))
        elif kind not in ("s3", "gcs"):
            findings.append(Finding("backend", where, f'backend "{kind}": the roots keep state in gcs or s3'))
        if own not in location:
            findings.append(
                Finding(
                    "backend",
                    where,
                    f'state location "{location}" does not name this root ({own}): two roots could share one state',
                )
            )
    return findings


CIDR_LITERAL = re.compile(r'^"(\d{1,3}(?:\.\d{1,3}){3}/\d{1,2})"$')


def check_address_plan(root: Path) -> list[Finding]:
    findings = []
    for directory in roots(root):
        tf = load_dir(directory)
        networks = []
        for _, (file, body) in sorted(tf.named("module").items()):
            for _, literal in leaves(body):
                match = CIDR_LITERAL.match(literal) if isinstance(literal, str) else None
                if not match:
                    continue
                where = f"{rel(file, root)}:{tf.line_of(file, re.escape(match.group(1)))}"
                try:
                    networks.append((where, ipaddress.ip_network(match.group(1), strict=True)))
                except ValueError as error:
                    findings.append(Finding("address-plan", where, f"{match.group(1)}: {error}"))
        for (where_a, a), (where_b, b) in combinations(networks, 2):
            if a.overlaps(b):
                findings.append(Finding("address-plan", where_b, f"{b} overlaps {a} ({where_a})"))
    return findings


SHARED_ROOT_FILES = ("versions.tf", "providers.tf", "variables.tf", "outputs.tf")


def _normalised(file: Path) -> str | None:
    """A root's file with its environment's name (the directory above the cloud's) replaced by <env>."""
    if not file.is_file():
        return None
    return re.sub(rf"\b{re.escape(file.parent.parent.name)}\b", "<env>", file.read_text())


def check_roots_in_step(root: Path) -> list[Finding]:
    """environments/<env>/<cloud>: every file but main.tf equal across environments, modulo <env>."""
    findings = []
    by_cloud: dict[str, list[Path]] = {}
    for directory in roots(root):
        by_cloud.setdefault(directory.name, []).append(directory)
    for cloud, directories in sorted(by_cloud.items()):
        reference = directories[0]
        for name in SHARED_ROOT_FILES:
            wanted = _normalised(reference / name)
            for other in directories[1:]:
                if _normalised(other / name) != wanted:
                    findings.append(
                        Finding(
                            "root-drift",
                            rel(other / name, root),
                            f"differs from {rel(reference / name, root)} beyond the environment name: "
                            f"change every {cloud} root together (sizing belongs in main.tf)",
                        )
                    )
    return findings


def check(root: Path) -> tuple[list[Finding], int]:
    """Return the findings and the number of directories checked."""
    findings: list[Finding] = []
    directories = terraform_dirs(root)
    validated = terraform_run.validated_here(root)
    for directory in directories:
        tf = load_dir(directory)
        findings += check_references(tf, root, directory in validated)
        findings += check_module_calls(tf, root, directory in validated)
        findings += check_versions(tf, root)
    findings += check_kubernetes_version(root)
    findings += check_backends(root)
    findings += check_address_plan(root)
    findings += check_roots_in_step(root)
    return findings, len(directories)
