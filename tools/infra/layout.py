"""Where the Terraform code lives and how it is read.

Syntax is judged by tfparse (HashiCorp's own HCL parser); the structure used by the semantic
checks comes from python-hcl2, which keeps every expression as source text ("${var.x}").
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import version
from pathlib import Path

import hcl2
from hcl2.utils import SerializationOptions

KUBERNETES_VERSION_FILE = Path("environments/kubernetes-version.txt")
_OPTIONS = SerializationOptions(with_meta=True, with_comments=False)


@dataclass(frozen=True)
class Finding:
    check: str
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: [{self.check}] {self.message}"


@dataclass
class TfDir:
    """One Terraform module or root: every block of its *.tf files, with the file each came from."""

    path: Path
    blocks: dict[str, list[tuple[Path, dict]]] = field(default_factory=dict)
    texts: dict[Path, str] = field(default_factory=dict)

    def of(self, kind: str) -> list[tuple[Path, dict]]:
        return self.blocks.get(kind, [])

    def named(self, kind: str) -> dict[str, tuple[Path, dict]]:
        """Blocks with one label (variable, output, module) by name."""
        out = {}
        for file, block in self.of(kind):
            for name, body in block.items():
                out[unquote(name)] = (file, body)
        return out

    def locals(self) -> dict[str, tuple[Path, object]]:
        out = {}
        for file, block in self.of("locals"):
            for name, value in block.items():
                if not name.startswith("__"):
                    out[name] = (file, value)
        return out

    def line_of(self, file: Path, pattern: str) -> int:
        """First line of `file` matching `pattern` outside a comment (1 when not found)."""
        regex = re.compile(pattern)
        for number, line in enumerate(self.texts[file].splitlines(), start=1):
            code = line.split("#", 1)[0]
            if regex.search(code):
                return number
        return 1


def unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def terraform_dirs(root: Path) -> list[Path]:
    """Every directory holding *.tf files under modules/ and environments/, sorted."""
    dirs = {p.parent.resolve() for base in ("modules", "environments") for p in (root / base).rglob("*.tf")}
    return sorted(d for d in dirs if ".terraform" not in d.parts)


def roots(root: Path) -> list[Path]:
    return [d for d in terraform_dirs(root) if d.is_relative_to(root / "environments")]


@cache
def _parse_cache() -> Path:
    """Where parsed files are kept between runs: python-hcl2 (lark, pure Python) takes ~1.7 s for the tree,
    nearly all of a check's time, and the tests run the validator ~80 times on copies that differ in one file.
    Keyed by the parser's version and options, so an upgrade starts afresh."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "comments-platform" / f"hcl2-{version('python-hcl2')}-meta-nocomments"


@cache
def parse_file(file: Path) -> dict:
    """python-hcl2's view of one file, cached by content (in this process, and on disk across processes).
    A file that does not parse raises every time: only results are kept."""
    text = file.read_text()
    kept = _parse_cache() / f"{hashlib.sha256(text.encode()).hexdigest()}.json"
    try:
        return json.loads(kept.read_text())
    except (OSError, ValueError):
        pass
    parsed = hcl2.loads(text, serialization_options=_OPTIONS)
    _keep(kept, parsed)
    return parsed


def _keep(path: Path, parsed: dict) -> None:
    """Written whole, then renamed: a concurrent reader finds no file or the whole file, never half of one.
    A cache that cannot be written only costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False) as out:
            try:
                json.dump(parsed, out)
            except (TypeError, ValueError):
                out.close()
                os.unlink(out.name)
                return
        os.replace(out.name, path)
    except OSError:
        pass


@cache
def load_dir(path: Path) -> TfDir:
    path = path.resolve()
    tf = TfDir(path)
    for file in sorted(path.glob("*.tf")):
        tf.texts[file] = file.read_text()
        for kind, blocks in parse_file(file).items():
            for block in blocks if isinstance(blocks, list) else [blocks]:
                tf.blocks.setdefault(kind, []).append((file, block))
    return tf


def expressions(value: object):
    """Yield the expression text inside every value: whole "${...}" expressions and the
    interpolations of quoted templates. Plain string literals yield nothing, so a description
    that mentions var.x is not a reference."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key.startswith("__"):
                continue
            yield from expressions(key) if "${" in key else ()
            yield from expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from expressions(item)
    elif isinstance(value, str):
        if value.startswith("${") and value.endswith("}") and not value.startswith('"'):
            yield value[2:-1]
        else:
            yield from _interpolations(value)


def leaves(value, path=()):
    """(path of keys, value) for every scalar inside a python-hcl2 value, metadata keys skipped."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not key.startswith("__"):
                yield from leaves(item, path + (key,))
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item, path)
    else:
        yield path, value


def _interpolations(text: str):
    start = text.find("${")
    while start != -1:
        depth, i = 0, start + 2
        while i < len(text):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                if depth == 0:
                    break
                depth -= 1
            i += 1
        yield text[start + 2 : i]
        start = text.find("${", i)


def rel(path: Path, root: Path) -> str:
    return str(path.relative_to(root))
