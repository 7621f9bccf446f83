"""Who may assume the CI roles: the clouds must trust only this repository's jobs of the environment's
GitHub environment running on main (and, for dev, where release.yml runs, on v* release tags).

AWS sees the ref only inside `sub` (IAM cannot read GitHub's `ref` claim), so modules/aws-ci-identity
trusts `repo:OWNER/NAME:environment:NAME:ref:REF`, which the repository's OIDC subject template produces
(docs/pipelines.md). GCP reads `assertion.ref` directly (modules/gcp-ci-identity). Terraform cannot plan
here (no provider download), so the module's trust expressions are read with python-hcl2 and evaluated
for each environment."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import hcl2
import pytest
from workflows_helpers import REPO

AWS = REPO / "modules/aws-ci-identity"
EXPECTED = {"dev": {"refs/heads/main", "refs/tags/v*"}, "staging": {"refs/heads/main"}, "prod": {"refs/heads/main"}}
LIST = re.compile(r"\[([^\]]*)\]")


def plain(value):
    """python-hcl2 keeps the quotes of block labels (`"trust"`): drop them from keys."""
    if isinstance(value, dict):
        return {str(k).strip('"'): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def load(module: Path) -> dict:
    merged: dict = {"locals": {}, "data": []}
    for tf in sorted(module.glob("*.tf")):
        with tf.open() as handle:
            doc = plain(hcl2.load(handle))
        for block in doc.get("locals", []):
            merged["locals"].update(block)
        merged["data"] += doc.get("data", [])
    return merged


def refs_for(expression: str, environment: str) -> set[str]:
    """Evaluate `coalesce(var.allowed_refs, var.environment == "dev" ? [A] : [B])` with allowed_refs null."""
    conditional = re.search(r'var\.environment\s*==\s*"(\w+)"\s*\?\s*(\[[^\]]*\])\s*:\s*(\[[^\]]*\])', expression)
    if conditional:
        name, when, otherwise = conditional.groups()
        chosen = when if environment == name else otherwise
    else:
        lists = LIST.findall(expression)
        assert lists, f"no default ref list in {expression!r}"
        chosen = f"[{lists[-1]}]"
    return set(re.findall(r'"([^"]+)"', chosen))


def trust_problems(module: Path) -> list[str]:
    doc = load(module)
    problems = []
    subjects = str(doc["locals"].get("trusted_subjects", ""))
    if ":ref:" not in subjects:
        problems.append(f"trusted_subjects does not put the ref into sub: {subjects!r}")
    trust = next(
        (d["aws_iam_policy_document"]["trust"] for d in doc["data"] if "trust" in d.get("aws_iam_policy_document", {})),
        None,
    )
    assert trust, "no aws_iam_policy_document.trust"
    conditions = [c for s in trust["statement"] for c in s.get("condition", [])]
    sub = [c for c in conditions if str(c.get("variable", "")).strip('"').endswith(":sub")]
    if not sub or "local.trusted_subjects" not in str(sub[0].get("values")):
        problems.append(f"the trust policy's sub condition is not local.trusted_subjects: {sub}")
    for environment, expected in EXPECTED.items():
        refs = refs_for(str(doc["locals"].get("allowed_refs", "")), environment)
        if refs != expected:
            problems.append(f"{environment} trusts refs {sorted(refs)}, expected {sorted(expected)}")
    return problems


def test_each_environment_trusts_only_its_refs():
    assert trust_problems(AWS) == []


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "      values   = local.trusted_subjects",
            '      values   = [for s in local.allowed_subjects : "repo:${var.github_repository}:${s}"]',
            "sub condition is not local.trusted_subjects",
        ),
        (
            '["refs/heads/main", "refs/tags/v*"] : ["refs/heads/main"]',
            '["refs/heads/main", "refs/tags/v*"] : ["refs/heads/*"]',
            "staging trusts refs ['refs/heads/*']",
        ),
    ],
)
def test_the_check_fails_on_a_wider_trust(tmp_path: Path, old: str, new: str, message: str):
    copy = tmp_path / "aws-ci-identity"
    shutil.copytree(AWS, copy)
    main = copy / "main.tf"
    text = main.read_text()
    assert old in text
    main.write_text(text.replace(old, new))
    assert any(message in problem for problem in trust_problems(copy)), trust_problems(copy)


def test_gcp_trust_also_names_the_refs():
    text = (REPO / "modules/gcp-ci-identity/main.tf").read_text()
    assert "assertion.environment == '${local.github_environment}'" in text
    assert "local.ref_condition" in text.split("attribute_condition", 1)[1].splitlines()[0]
