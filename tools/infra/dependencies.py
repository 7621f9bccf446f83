"""Plan-time and first-apply ordering that `terraform validate` cannot see, read from the code:

- static for_each keys: the collection a `for_each` iterates and the keys it builds may use
  variables, literals and locals made of them, never a resource's or data source's attribute
  (unknown on a fresh project, or while a `depends_on` defers the read: "Invalid for_each
  argument"). The values may be anything. A variable counts as static: its caller's job.
- APIs first: in a module that enables Google APIs (google_project_service), every module call
  waits for them through `depends_on` (directly, or on a module call that does). A data flow
  through inputs is not enough: a module reads data sources (zones, versions) that use only the
  project ID while planning.
- names as references: the inputs by which a registry module finds another resource (the GKE
  cluster's network, subnetwork and secondary ranges) must trace, through variables, outputs and
  locals, to that resource or the module creating it; a name rebuilt from strings gives
  Terraform no edge, and the cluster races the subnetwork on the first apply.

Each runs here on every module and root, and needs no provider.
"""

from __future__ import annotations

import re
from pathlib import Path

from .layout import Finding, TfDir, expressions, load_dir, rel, terraform_dirs, unquote

IDENT = r"[A-Za-z_][A-Za-z0-9_-]*"
# Registry module -> the inputs that name another resource of ours.
REFERENCE_INPUTS = {
    "terraform-google-modules/kubernetes-engine/google//modules/private-cluster": (
        "network",
        "subnetwork",
        "ip_range_pods",
        "ip_range_services",
    ),
}
_REF = re.compile(
    rf"(?<![\w.\"])(?:(var|local)\.({IDENT})|module\.({IDENT})(?:\[[^\]]*\])?\.({IDENT})|data\.({IDENT})\.({IDENT})|([a-z][a-z0-9]*_[a-z0-9_]+)\.({IDENT}))"
)
_NOT_RESOURCES = {"each", "count", "self", "path", "terraform", "var", "local", "module", "data"}
_FOR_MAP = re.compile(r"^\{\s*for\s+[^:]+?\s+in\s+(?P<coll>.+?)\s*:\s*(?P<key>.+?)\s*=>", re.S)


def _resources(tf: TfDir):
    """(file, type, name, body) for every resource of a directory."""
    for file, block in tf.of("resource"):
        for type_name, inner in block.items():
            for name, body in inner.items():
                yield file, unquote(type_name), unquote(name), body


def _text(value) -> str:
    return " ".join(expressions(value))


def _dynamic(tf: TfDir, text: str, seen: frozenset = frozenset()) -> str | None:
    """The first resource or data attribute `text` uses (locals expanded), or None."""
    locals_ = tf.locals()
    for match in _REF.finditer(text):
        kind, name, module, _output, data_type, data_name, rtype, rname = match.groups()
        if kind == "local" and name in locals_ and name not in seen:
            found = _dynamic(tf, _text(locals_[name][1]), seen | {name})
            if found:
                return found
        elif module:
            return f"module.{module}.{match.group(4)}"
        elif data_type:
            return f"data.{data_type}.{data_name}"
        elif rtype and rtype.split("_")[0] not in _NOT_RESOURCES and rtype not in _NOT_RESOURCES:
            return f"{rtype}.{rname}"
    return None


def _for_each_findings(root: Path, tf: TfDir) -> list[Finding]:
    findings = []
    for file, type_name, name, body in _resources(tf):
        if "for_each" not in body:
            continue
        text = _text(body["for_each"])
        # Follow a plain local.x to its expression, so that a map built there is judged by its keys.
        plain = re.fullmatch(rf"\s*local\.({IDENT})\s*", text)
        while plain and plain.group(1) in tf.locals():
            text = _text(tf.locals()[plain.group(1)][1])
            plain = re.fullmatch(rf"\s*local\.({IDENT})\s*", text)
        loop = _FOR_MAP.match(text.strip())
        judged = f"{loop.group('coll')} {loop.group('key')}" if loop else text
        culprit = _dynamic(tf, judged)
        if culprit:
            line = tf.line_of(file, rf'resource\s+"{type_name}"\s+"{name}"')
            findings.append(
                Finding(
                    "dependencies",
                    f"{rel(file, root)}:{line}",
                    f"{type_name}.{name}: for_each keys depend on {culprit}, unknown until apply on a fresh "
                    "project (Invalid for_each argument): build the keys from variables, put the unknown part in the values",
                )
            )
    return findings


def _api_findings(root: Path, tf: TfDir) -> list[Finding]:
    apis = {
        f"google_project_service.{name}"
        for _, type_name, name, _ in _resources(tf)
        if type_name == "google_project_service"
    }
    if not apis:
        return []
    calls = tf.named("module")
    waits: dict[str, bool] = {}

    def waits_for_apis(name: str, trail: frozenset = frozenset()) -> bool:
        if name not in waits:
            depends = set(
                re.findall(
                    rf"(?:google_project_service\.{IDENT}|module\.{IDENT})", _text(calls[name][1].get("depends_on", []))
                )
            )
            waits[name] = bool(depends & apis) or any(
                d.split(".", 1)[1] in calls
                and d.split(".", 1)[1] not in trail
                and waits_for_apis(d.split(".", 1)[1], trail | {name})
                for d in depends
                if d.startswith("module.")
            )
        return waits[name]

    findings = []
    for name, (file, _) in calls.items():
        if not waits_for_apis(name):
            line = tf.line_of(file, rf'module\s+"{name}"')
            findings.append(
                Finding(
                    "dependencies",
                    f"{rel(file, root)}:{line}",
                    f"module.{name} does not wait for {', '.join(sorted(apis))}: on a fresh project its plan-time "
                    "reads and its first resources fail until the APIs are on; add them to its depends_on",
                )
            )
    return findings


class _Graph:
    """Module calls between our directories, to follow a value across module boundaries."""

    def __init__(self, root: Path):
        self.callers: dict[Path, list[tuple[Path, dict]]] = {}
        for directory in terraform_dirs(root):
            for _, body in load_dir(directory).named("module").values():
                source = unquote(str(body.get("source", "")))
                if source.startswith("."):
                    self.callers.setdefault((directory / source).resolve(), []).append((directory, body))

    def attached(self, directory: Path, text: str, seen: frozenset = frozenset()) -> bool:
        """Whether `text` in `directory` reads an attribute of a resource, data source or registry module."""
        tf = load_dir(directory)
        for match in _REF.finditer(text):
            kind, name, module, output, data_type, _, rtype, _ = match.groups()
            key = (directory, match.group(0))
            if key in seen:
                continue
            seen = seen | {key}
            if kind == "local" and name in tf.locals():
                if self.attached(directory, _text(tf.locals()[name][1]), seen):
                    return True
            elif kind == "var":
                passed = [(d, body[name]) for d, body in self.callers.get(directory, []) if name in body]
                if passed and all(self.attached(d, _text(v), seen) for d, v in passed):
                    return True
            elif module:
                call = tf.named("module").get(module)
                if call is None:
                    continue
                source = unquote(str(call[1].get("source", "")))
                if not source.startswith("."):
                    return True
                child = (directory / source).resolve()
                out = load_dir(child).named("output").get(output)
                if out and self.attached(child, _text(out[1].get("value")), seen):
                    return True
            elif data_type or (rtype and rtype.split("_")[0] not in _NOT_RESOURCES):
                return True
        return False


def _reference_findings(root: Path, tf: TfDir, graph: _Graph) -> list[Finding]:
    findings = []
    for name, (file, body) in tf.named("module").items():
        inputs = REFERENCE_INPUTS.get(unquote(str(body.get("source", ""))), ())
        for argument in inputs:
            if argument in body and not graph.attached(tf.path, _text(body[argument])):
                line = tf.line_of(file, rf"^\s*{argument}\s*=")
                findings.append(
                    Finding(
                        "dependencies",
                        f"{rel(file, root)}:{line}",
                        f"module.{name}.{argument} is a name built from strings, not a reference to the resource it "
                        "names: Terraform will not wait for that resource (first-apply race); pass the created "
                        "resource's attribute (a module output reading it)",
                    )
                )
    return findings


def check(root: Path) -> tuple[list[Finding], int]:
    graph = _Graph(root)
    findings, count = [], 0
    for directory in terraform_dirs(root):
        tf = load_dir(directory)
        count += 1
        findings += _for_each_findings(root, tf) + _api_findings(root, tf) + _reference_findings(root, tf, graph)
    return findings, count
