"""The Inputs/Outputs tables of every module's and root's README, generated from variables.tf and
outputs.tf (terraform-docs style, between markers) so that they cannot drift: `--fix` rewrites
them, the check fails when a README is missing or out of date."""

from __future__ import annotations

from pathlib import Path

from .layout import Finding, TfDir, load_dir, rel, terraform_dirs, unquote

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"


def _hcl(value) -> str:
    """Render a python-hcl2 value back as short HCL."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value[2:-1] if value.startswith("${") and value.endswith("}") else value
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(v) for v in value) + "]"
    if isinstance(value, dict):
        items = [f"{k} = {_hcl(v)}" for k, v in value.items() if not k.startswith("__")]
        return "{" + ", ".join(items) + "}"
    return str(value)


def _cell(text: str) -> str:
    return f"`{text}`".replace("|", "\\|")


def tables(tf: TfDir) -> str:
    lines = ["## Inputs", ""]
    variables = tf.named("variable")
    if variables:
        lines += ["| Name | Description | Type | Default | Required |", "|---|---|---|---|---|"]
        for name, (_, body) in sorted(variables.items(), key=lambda item: ("default" in item[1][1], item[0])):
            required = "default" not in body
            default = "n/a" if required else _cell(_hcl(body["default"]))
            description = unquote(body.get("description", "")).replace("|", "\\|")
            lines.append(
                f"| `{name}` | {description} | {_cell(_hcl(body.get('type', 'any')))} | {default} | {'yes' if required else 'no'} |"
            )
    else:
        lines.append("No inputs.")
    lines += ["", "## Outputs", ""]
    outputs = tf.named("output")
    if outputs:
        lines += ["| Name | Description | Sensitive |", "|---|---|---|"]
        for name, (_, body) in sorted(outputs.items()):
            description = unquote(body.get("description", "")).replace("|", "\\|")
            lines.append(f"| `{name}` | {description} | {'yes' if body.get('sensitive') is True else 'no'} |")
    else:
        lines.append("No outputs.")
    return "\n".join([BEGIN, *lines, END])


def _render(readme: Path, generated: str) -> str | None:
    text = readme.read_text()
    if BEGIN not in text or END not in text:
        return None
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + generated + tail


def check(root: Path, fix: bool = False) -> tuple[list[Finding], int]:
    """Return the findings and the number of READMEs checked (or rewritten with fix)."""
    findings = []
    count = 0
    for directory in terraform_dirs(root):
        readme = directory / "README.md"
        where = rel(readme, root)
        if not readme.is_file():
            findings.append(Finding("readme", where, "missing: every module and root documents its inputs and outputs"))
            continue
        count += 1
        wanted = _render(readme, tables(load_dir(directory)))
        if wanted is None:
            findings.append(Finding("readme", where, f"no {BEGIN} ... {END} section"))
        elif wanted != readme.read_text():
            if fix:
                readme.write_text(wanted)
            else:
                findings.append(
                    Finding("readme", where, "inputs/outputs tables are out of date: run `just infra-docs`")
                )
    return findings, count
