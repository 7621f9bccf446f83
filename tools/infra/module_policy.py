"""Policy on what the scanner cannot see, and on outputs. Offline, trivy does not download registry modules, so
it never sees the resources inside terraform-aws-modules/* or terraform-google-modules/*; what
this repository controls there is the inputs it passes. Those inputs, the defaults of our own
variables and the example tfvars must not open a database to the internet or allow 0.0.0.0/0.
No output may carry a secret value (passwords, tokens, keys, secret payloads, ephemeral values).
"""

from __future__ import annotations

import re
from pathlib import Path

import hcl2

from .layout import Finding, expressions, load_dir, rel, terraform_dirs

OPEN_CIDRS = ('"0.0.0.0/0"', '"::/0"')
# input name -> the value that makes a database or endpoint public
PUBLIC_SWITCHES = {"publicly_accessible": True, "ipv4_enabled": True, "enable_public_ip": True}
SECRET_VALUE = re.compile(r"password|secret_string|secret_data|access_token|private_key|ephemeral\.|\.token\b", re.IGNORECASE)


def _walk(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            if not key.startswith("__"):
                yield from _walk(item, path + (key,))
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, path)
    else:
        yield path, value


def _violations(value) -> list[str]:
    problems = []
    for path, leaf in _walk(value):
        name = ".".join(path)
        if isinstance(leaf, str) and any(cidr in leaf for cidr in OPEN_CIDRS):
            problems.append(f"{name} allows the whole internet ({leaf})")
        if path and path[-1] in PUBLIC_SWITCHES and leaf is PUBLIC_SWITCHES[path[-1]]:
            problems.append(f"{name} = true makes the database public")
    return problems


def check(root: Path) -> tuple[list[Finding], int]:
    """Return the findings and the number of module calls inspected."""
    findings: list[Finding] = []
    calls = 0
    for directory in terraform_dirs(root):
        tf = load_dir(directory)
        for name, (file, body) in tf.named("module").items():
            calls += 1
            line = tf.line_of(file, rf'^\s*module\s+"{re.escape(name)}"')
            for problem in _violations(body):
                findings.append(Finding("public-exposure", f"{rel(file, root)}:{line}", f'module "{name}": {problem}'))
        for name, (file, body) in tf.named("output").items():
            value = " ".join(expressions(body.get("value")))
            if SECRET_VALUE.search(value):
                line = tf.line_of(file, rf'^\s*output\s+"{re.escape(name)}"')
                findings.append(Finding("secret-output", f"{rel(file, root)}:{line}", f'output "{name}" exposes a secret value ({value})'))
        for name, (file, body) in tf.named("variable").items():
            line = tf.line_of(file, rf'^\s*variable\s+"{re.escape(name)}"')
            for problem in _violations({"default": body.get("default")}):
                findings.append(Finding("public-exposure", f"{rel(file, root)}:{line}", f'variable "{name}": {problem}'))
        for example in sorted(directory.glob("*.tfvars*")):
            for problem in _violations(hcl2.loads(example.read_text())):
                findings.append(Finding("public-exposure", rel(example, root), problem))
    return findings, calls
