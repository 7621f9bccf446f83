"""Policy where the scanner is blind, and on outputs.

Offline, trivy does not download registry modules, so it never sees the resources inside
terraform-aws-modules/* or terraform-google-modules/*; what this repository controls there is the
inputs it passes. Those inputs, the defaults of our own variables and the example tfvars must not
open a database to the internet or allow 0.0.0.0/0. trivy also flags open ingress only on SSH and
RDP, so every ingress rule written here is checked for 0.0.0.0/0 / ::/0 on any port, and every
resource for a public-database switch. No output may carry a secret value (passwords, tokens,
keys, secret payloads, ephemeral values). Registry grants named `*pull*` (the cross-environment
reads that promotion needs) are read-only: ECR read actions, Artifact Registry reader.
"""

from __future__ import annotations

import re
from pathlib import Path

import hcl2

from .layout import Finding, expressions, leaves, load_dir, rel, terraform_dirs, unquote

OPEN_CIDRS = ('"0.0.0.0/0"', '"::/0"')
# input name -> the value that makes a database or endpoint public
PUBLIC_SWITCHES = {"publicly_accessible": True, "ipv4_enabled": True, "enable_public_ip": True}
SECRET_VALUE = re.compile(
    r"password|secret_string|secret_data|access_token|private_key|ephemeral\.|\.token\b", re.IGNORECASE
)


def _violations(value) -> list[str]:
    problems = []
    for path, leaf in leaves(value):
        name = ".".join(path)
        if isinstance(leaf, str) and any(cidr in leaf for cidr in OPEN_CIDRS):
            problems.append(f"{name} allows the whole internet ({leaf})")
        if path and path[-1] in PUBLIC_SWITCHES and leaf is PUBLIC_SWITCHES[path[-1]]:
            problems.append(f"{name} = true makes the database public")
    return problems


# Resource types whose CIDRs admit traffic in (egress to 0.0.0.0/0 is how nodes reach the internet).
INGRESS_RESOURCES = {
    "aws_security_group",
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
    "google_compute_firewall",
    "aws_network_acl_rule",
}


def _is_egress(type_name: str, body: dict) -> bool:
    values = {str(body.get(key, "")).strip('"').lower() for key in ("type", "direction", "egress")}
    return bool(values & {"egress", "true"}) and type_name != "aws_security_group"


def _resource_violations(type_name: str, body: dict) -> list[str]:
    problems = []
    for path, leaf in leaves(body):
        name = ".".join(path)
        if path and path[-1] in PUBLIC_SWITCHES and leaf is PUBLIC_SWITCHES[path[-1]]:
            problems.append(f"{name} = true makes the database public")
    if type_name in INGRESS_RESOURCES and not _is_egress(type_name, body):
        for path, leaf in leaves(body):
            if "egress" in path:
                continue
            if isinstance(leaf, str) and any(cidr in leaf for cidr in OPEN_CIDRS):
                problems.append(f"{'.'.join(path)} admits the whole internet ({leaf}) on any port")
    return problems


ECR_READ_ACTIONS = {
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:DescribeImages",
    "ecr:GetDownloadUrlForLayer",
}
READ_ROLES = {"roles/artifactregistry.reader"}


def _pull_grant_problems(kind: str, type_name: str, name: str, body: dict) -> list[str]:
    """A grant whose name says pull must not write: the next environment only ever reads this registry."""
    if "pull" not in name:
        return []
    if kind == "data" and type_name == "aws_iam_policy_document":
        actions = {unquote(a) for s in body.get("statement", []) for a in s.get("actions", [])}
        extra = sorted(actions - ECR_READ_ACTIONS)
        return [f"read-only grant allows {', '.join(extra)}"] if extra else []
    if kind == "resource" and type_name.startswith("google_artifact_registry_repository_iam"):
        role = unquote(str(body.get("role", "")))
        return [] if role in READ_ROLES else [f"read-only grant has role {role}"]
    return []


def check(root: Path) -> tuple[list[Finding], int]:
    """Return the findings and the number of module calls and resources inspected."""
    findings: list[Finding] = []
    calls = 0
    for directory in terraform_dirs(root):
        tf = load_dir(directory)
        for name, (file, body) in tf.named("module").items():
            calls += 1
            line = tf.line_of(file, rf'^\s*module\s+"{re.escape(name)}"')
            for problem in _violations(body):
                findings.append(Finding("public-exposure", f"{rel(file, root)}:{line}", f'module "{name}": {problem}'))
        for file, block in tf.of("resource"):
            for type_label, named in block.items():
                for resource_label, body in named.items():
                    calls += 1
                    type_name, name = unquote(type_label), unquote(resource_label)
                    line = tf.line_of(file, rf'^\s*resource\s+"{re.escape(type_name)}"\s+"{re.escape(name)}"')
                    for problem in _resource_violations(type_name, body):
                        findings.append(
                            Finding("public-exposure", f"{rel(file, root)}:{line}", f"{type_name}.{name}: {problem}")
                        )
        for kind in ("data", "resource"):
            for file, block in tf.of(kind):
                for type_label, named in block.items():
                    for label, body in named.items():
                        type_name, name = unquote(type_label), unquote(label)
                        for problem in _pull_grant_problems(kind, type_name, name, body):
                            line = tf.line_of(file, rf'^\s*{kind}\s+"{re.escape(type_name)}"\s+"{re.escape(name)}"')
                            findings.append(
                                Finding(
                                    "read-only-grant", f"{rel(file, root)}:{line}", f"{type_name}.{name}: {problem}"
                                )
                            )
        for name, (file, body) in tf.named("output").items():
            value = " ".join(expressions(body.get("value")))
            if SECRET_VALUE.search(value):
                line = tf.line_of(file, rf'^\s*output\s+"{re.escape(name)}"')
                findings.append(
                    Finding(
                        "secret-output",
                        f"{rel(file, root)}:{line}",
                        f'output "{name}" exposes a secret value ({value})',
                    )
                )
        for name, (file, body) in tf.named("variable").items():
            line = tf.line_of(file, rf'^\s*variable\s+"{re.escape(name)}"')
            for problem in _violations({"default": body.get("default")}):
                findings.append(
                    Finding("public-exposure", f"{rel(file, root)}:{line}", f'variable "{name}": {problem}')
                )
        for example in sorted(directory.glob("*.tfvars*")):
            for problem in _violations(hcl2.loads(example.read_text())):
                findings.append(Finding("public-exposure", rel(example, root), problem))
    return findings, calls
