"""The recorded registry module interfaces: in step with PINNED, read correctly from a module's
files, and turned into stand-ins that parse."""

from __future__ import annotations

import json
from pathlib import Path

import hcl2
from infra_tree import REPO

from tools.infra import module_interfaces


def test_the_data_covers_exactly_the_pinned_modules_at_their_tags() -> None:
    data = json.loads((REPO / "tools/infra/module-interfaces.json").read_text())
    assert set(data) == set(module_interfaces.PINNED)
    for source, (repository, tag) in module_interfaces.PINNED.items():
        assert data[source]["version"] == tag.lstrip("v"), source
        assert data[source]["repository"] == repository, source
        assert data[source]["variables"] and data[source]["outputs"], f"{source}: nothing recorded"


def test_record_reads_types_defaults_and_outputs(tmp_path: Path) -> None:
    module = tmp_path / "module"
    module.mkdir()
    (module / "variables.tf").write_text("""
variable "name" {
  type = string
}
variable "use_name_prefix" {
  type    = bool
  default = true
}
variable "subnets" {
  type    = list(object({ name = string, cidr = optional(string) }))
  default = []
}
variable "labels" {
  type     = map(string)
  default  = { team = "x" }
  nullable = false
}
""")
    (module / "outputs.tf").write_text('output "arn" {\n  value = "x"\n}\n')
    interface = module_interfaces.read_interface(module)
    assert interface["outputs"] == ["arn"]
    assert interface["variables"]["name"] == {"type": "string", "required": True}
    assert interface["variables"]["use_name_prefix"] == {"type": "bool", "default": "true"}
    assert interface["variables"]["subnets"]["type"].startswith("list(object(")
    assert interface["variables"]["labels"] == {"type": "map(string)", "default": '{team = "x"}', "nullable": False}


def test_the_stand_ins_parse_and_keep_every_variable(tmp_path: Path) -> None:
    paths = module_interfaces.write_stand_ins(tmp_path)
    data = module_interfaces.load()
    for source, path in paths.items():
        parsed = hcl2.loads((path / "main.tf").read_text())
        names = {name.strip('"') for block in parsed.get("variable", []) for name in block}
        assert names == set(data[source]["variables"]), source
        outputs = {name for block in parsed.get("output", []) for name in block}
        assert {n.strip('"') for n in outputs} == set(data[source]["outputs"]), source
