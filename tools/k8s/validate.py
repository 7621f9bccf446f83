"""`just k8s-validate`: the offline proof that every deployable manifest is sound.

Steps (all run; every failure is listed, then the exit status is 1):
  1. render the six overlays and argocd/bootstrap with the pinned kubectl (written to --out);
  2. strict schema validation: built-in kinds against Kubernetes <environments/kubernetes-version.txt>,
     custom resources against tools/k8s/schemas; a kind with no schema fails;
  3. repository invariants per overlay (digest pins, probes, limits, security context, prod size, ...);
  4. the alerting rules: promtool syntax check and unit tests (alert-tests/<env>.yaml);
  5. the ApplicationSet maps every cluster label combination to its overlay and nothing else; the Argo CD
     notifications post the deploy statuses the promotion gate reads; the ClusterImagePolicy admits only
     the release workflow's keyless signatures and covers every deployed image;
  6. behaviour (tools/k8s/behaviour.py): add-on pins, templates and order; the sync simulation of every
     Application on an empty cluster and on an upgrade; wiring; NetworkPolicies against each cloud's real
     peers; kube-prometheus-stack's selectors, alert routing, storage and control-plane targets;
  7. trivy policy scan: no HIGH/CRITICAL, lower findings only if accepted in trivy-accepted.yaml.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from . import alert_rules, appset, behaviour, image_policy, invariants, notifications, policy, schema_check
from .layout import CLOUDS, ENVIRONMENTS, ROOT_APPLICATION, CheckError, kubernetes_minor, repo_root, version_file
from .manifests import check_kubectl_pin, documents, render_all
from .pins import DIGEST_LINE


def pinned_digest(root: Path, env: str) -> str | None:
    """env's pinned digest, or None when the pin file has no single digest line (the invariants report that)."""
    found = DIGEST_LINE.findall((root / version_file(env)).read_text())
    return found[0][1] if len(found) == 1 else None


def run(root: Path, out_dir: Path) -> list[str]:
    minor = kubernetes_minor(root)
    schema_check.check_builtin_schemas_shipped(minor)
    kubectl_version = check_kubectl_pin(root)
    rendered = render_all(root, out_dir)
    objs = {name: documents(text) for name, text in rendered.items()}
    objs["root-application"] = documents((root / ROOT_APPLICATION).read_text())
    print(f"render: {len(rendered)} kustomizations with kubectl {kubectl_version} -> {out_dir}")

    errors, kinds = [], Counter()
    for name, docs in objs.items():
        for obj in docs:
            category, problems = schema_check.validate(obj, minor)
            kinds[category] += 1
            errors += [f"{name}: {p}" for p in problems]
    print(
        f"schemas: {sum(kinds.values())} objects against Kubernetes {minor} (strict): "
        f"{kinds['built-in']} built-in, {kinds['custom']} custom resources, {kinds['unknown']} without a schema"
    )

    anchors = invariants.runbook_anchors(root)
    projects = {o["metadata"]["name"]: o for o in objs["argocd"] if o["kind"] == "AppProject"}
    before = len(errors)
    for env in ENVIRONMENTS:
        digest = pinned_digest(root, env)
        if digest is None:
            errors.append(f"{version_file(env)}: the version pin must be `digest: sha256:<64 hex>` (never a tag)")
        for cloud in CLOUDS:
            problems = invariants.check_overlay(
                objs[f"{env}-{cloud}"], env, cloud, digest, anchors, projects.get(f"comments-{env}")
            )
            errors += [f"{env}-{cloud}: {p}" for p in problems]
    print(f"invariants: {len(ENVIRONMENTS) * len(CLOUDS)} overlays, {len(errors) - before} problems")

    problems, tests = alert_rules.check(objs)
    errors += problems
    print(
        f"alert rules (promtool): {len(ENVIRONMENTS) * len(CLOUDS)} overlays checked, "
        f"{tests} unit-test runs (one per distinct rule set), {len(problems)} problems"
    )

    before = len(errors)
    errors += appset.check(root, objs["argocd"])
    print(f"applicationset: {len(errors) - before} problems")

    before = len(errors)
    errors += notifications.check(objs["argocd"])
    print(f"notifications (deploy statuses): {len(errors) - before} problems")

    before = len(errors)
    errors += image_policy.check(
        root,
        minor,
        {n: objs[n] for n in objs if n not in ("argocd", "root-application") and not n.startswith("image-policy-")},
    )
    print(f"image policy (signatures at admission): {len(errors) - before} problems")

    problems, summary = behaviour.check(root, objs)
    errors += problems
    for line in summary:
        print(line)

    findings = policy.scan(out_dir)
    problems, accepted = policy.judge(findings)
    errors += [f"policy: {p}" for p in problems]
    print(
        f"policy (trivy): {len(findings)} findings, {len(problems)} blocking, {len(accepted)} accepted "
        f"({', '.join(sorted({a['id'] for a in accepted})) or 'none'})"
    )
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=repo_root(), help="repository to check (default: this one)")
    parser.add_argument("--out", type=Path, help="where to write the rendered manifests (default: <root>/out/rendered)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        errors = run(root, (args.out or root / "out" / "rendered").resolve())
    except CheckError as exc:
        errors = [str(exc)]
    for error in errors:
        print(f"FAIL {error}", file=sys.stderr)
    print(f"k8s validate: {'FAILED, ' + str(len(errors)) + ' problems' if errors else 'ok'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
