"""Strict schema validation of rendered objects.

Built-in kinds: kubernetes-validate's strict schemas for the pinned Kubernetes minor.
Custom resources: the vendored schemas in schemas/ (trimmed from the upstream CRDs). As in a structural
CRD schema, an object that lists properties rejects any other field unless it says
x-kubernetes-preserve-unknown-fields. A kind with neither schema fails: nothing passes unchecked.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from pathlib import Path

import jsonschema
import kubernetes_validate.utils as kv

from .layout import CheckError
from .manifests import describe

SCHEMA_DIR = Path(__file__).parent / "schemas"

_NAME = {"type": "string", "maxLength": 253, "pattern": r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"}
_STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
OBJECT_META = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": _NAME,
        "namespace": _NAME,
        "labels": _STRING_MAP,
        "annotations": _STRING_MAP,
        "finalizers": {"type": "array", "items": {"type": "string"}},
    },
}


def _strict(node):
    """Close every object that lists its properties (the API server prunes or, strictly, rejects the rest)."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _strict(value) for key, value in node.items()}
    if node.pop("x-kubernetes-int-or-string", False):
        node["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if (
        "properties" in node
        and "additionalProperties" not in node
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        node["additionalProperties"] = False
    return node


@cache
def vendored() -> dict[tuple[str, str], jsonschema.protocols.Validator]:
    validators = {}
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        schema = json.loads(path.read_text())
        gvk = schema.pop("x-kubernetes-group-version-kind")
        schema.pop("$comment", None)
        schema = copy.deepcopy(schema)
        schema["properties"].update(
            apiVersion={"const": f"{gvk['group']}/{gvk['version']}"},
            kind={"const": gvk["kind"]},
            metadata=OBJECT_META,
        )
        schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata"})
        strict = _strict(schema)
        jsonschema.Draft202012Validator.check_schema(strict)
        validators[(f"{gvk['group']}/{gvk['version']}", gvk["kind"])] = jsonschema.Draft202012Validator(strict)
    return validators


def check_builtin_schemas_shipped(minor: str) -> None:
    """kubernetes-validate silently falls back to an older minor; require the exact one."""
    shipped = resources.files("kubernetes_validate") / "kubernetes-json-schema" / f"v{minor}.0-local-strict"
    if not shipped.is_dir():
        raise CheckError(
            f"kubernetes-validate {kv.__version__} ships no strict schemas for Kubernetes {minor}: pin a release that does"
        )


def _path(error: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "(root)"


def validate(obj: dict, minor: str) -> tuple[str, list[str]]:
    """Returns ("built-in" | "custom", errors) for one object."""
    key = (obj.get("apiVersion"), obj.get("kind"))
    validator = vendored().get(key)
    if validator is not None:
        errors = sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path))
        return "custom", [f"{describe(obj)}: {_path(e)}: {e.message}" for e in errors]
    try:
        kv.validate(obj, minor, strict=True)
    except kv.SchemaNotFoundError:
        return "unknown", [
            f"{describe(obj)}: no schema for {key[0]} {key[1]} (neither built into Kubernetes {minor} "
            f"nor vendored in tools/k8s/schemas): add its CRD schema"
        ]
    except kv.ValidationError as exc:
        return "built-in", [f"{describe(obj)}: {_path(exc)}: {exc.message}"]
    return "built-in", []
