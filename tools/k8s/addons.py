"""The add-on ApplicationSets, validated like the app's, and the order in which a new cluster gets them.

- every add-on ApplicationSet installs the chart and version pinned in argocd/addons/charts.yaml (and every
  pin has its ApplicationSet), from a repository its AppProject allows;
- every template field renders for each cluster it generates an Application for, with the labels and the
  annotations the Terraform roots really write on the cluster secret (missingkey=error); a Git path is an
  existing kustomization;
- order: an Application whose objects need CRDs of another add-on must come from an ApplicationSet in a
  strictly earlier sync wave of the root Application on that cloud, and must carry
  SkipDryRunOnMissingResource=true, because Argo CD does not wait for another Application to be healthy
  (the wave orders creation only; the retry finishes what the dry run would have refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from tools.infra.layout import load_dir, unquote

from . import appset
from .layout import CLOUDS, ENVIRONMENTS, CheckError
from .sync_sim import BUILTIN_GROUPS, SKIP_DRY_RUN, WAVE, group_of

CHARTS = Path("argocd/addons/charts.yaml")
COMMENTS_APPSET = "comments-api"
ROOT_DIR = {"gke": "gcp", "eks": "aws"}


@dataclass
class App:
    """One generated Application on a cluster of one cloud."""

    name: str
    wave: int
    options: set[str]
    provides: set[str]
    requires: set[str]
    retry_limit: int = 0  # syncPolicy.retry.limit (-1: forever)


def charts(root: Path) -> list[dict]:
    path = root / CHARTS
    if not path.is_file():
        raise CheckError(f"{CHARTS} is missing: the add-on chart pins live there")
    return yaml.safe_load(path.read_text())["charts"]


def cluster_annotations(root: Path, env: str, cloud: str) -> dict[str, str]:
    """The annotation keys the Terraform root writes on the cluster secret (values are Terraform expressions)."""
    tf_root = root / "environments" / env / ROOT_DIR[cloud]
    modules = load_dir(tf_root).named("module") if tf_root.is_dir() else {}
    if "argocd" not in modules:
        raise CheckError(f'{tf_root.relative_to(root)}: no module "argocd" writing the cluster secret')
    return {
        unquote(k): f"<{unquote(k)}>"
        for k in (modules["argocd"][1].get("cluster_annotations") or {})
        if not k.startswith("__")
    }


def _strings(node, path=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, f"{path}.{k}" if path else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def addon_appsets(argocd_objs: list[dict]) -> list[dict]:
    return [o for o in argocd_objs if o["kind"] == "ApplicationSet" and o["metadata"]["name"] != COMMENTS_APPSET]


def wave_of(obj: dict) -> int:
    return int((obj["metadata"].get("annotations") or {}).get(WAVE, "0"))


def check_pins(root: Path, argocd_objs: list[dict]) -> list[str]:
    errors = []
    pins = {c["applicationset"]: c for c in charts(root)}
    projects = {o["metadata"]["name"]: o for o in argocd_objs if o["kind"] == "AppProject"}
    for aset in addon_appsets(argocd_objs):
        name = aset["metadata"]["name"]
        spec = aset["spec"]["template"]["spec"]
        source = spec.get("source", {})
        allowed = projects.get(spec.get("project"), {}).get("spec", {}).get("sourceRepos", [])
        if source.get("repoURL") not in allowed and "*" not in allowed:
            errors.append(
                f"ApplicationSet/{name}: repository {source.get('repoURL')} is not allowed by AppProject/{spec.get('project')}"
            )
        if "chart" not in source:
            continue
        pin = pins.pop(name, None)
        if pin is None:
            errors.append(f"ApplicationSet/{name}: chart {source['chart']} is not pinned in {CHARTS}")
            continue
        for field, key in (("repoURL", "repoURL"), ("chart", "chart"), ("targetRevision", "version")):
            if source.get(field) != pin[key]:
                errors.append(
                    f"ApplicationSet/{name}: {field} {source.get(field)!r} differs from {CHARTS} {key} {pin[key]!r}"
                )
    for name in pins:
        errors.append(f"{CHARTS}: {name} has no ApplicationSet in argocd/bootstrap")
    return errors


def check_templates(root: Path, argocd_objs: list[dict]) -> list[str]:
    """Every templated string of every add-on ApplicationSet renders for every cluster it selects."""
    errors = []
    for aset in addon_appsets(argocd_objs):
        name = aset["metadata"]["name"]
        if not aset["spec"].get("goTemplate"):
            errors.append(f"ApplicationSet/{name}: goTemplate must be true (the templates use Go syntax)")
        for env in ENVIRONMENTS:
            for cloud in CLOUDS:
                context = appset.cluster(env, cloud, cluster_annotations(root, env, cloud))
                try:
                    if not appset.generated(aset, context):
                        continue
                    rendered = {p: appset.render(v, context) for p, v in _strings(aset["spec"]["template"])}
                except (KeyError, ValueError) as exc:
                    errors.append(f"ApplicationSet/{name} on {env}-{cloud}: {exc.args[0] if exc.args else exc}")
                    continue
                path = rendered.get("spec.source.path")
                if path is not None and not (root / path / "kustomization.yaml").is_file():
                    errors.append(
                        f"ApplicationSet/{name} on {env}-{cloud}: path {path} is not a kustomization in the repository"
                    )
    return errors


def apps(root: Path, argocd_objs: list[dict], cloud: str, rendered: dict[str, list[dict]]) -> list[App]:
    """The Applications a cluster of `cloud` gets (for `env`'s overlay objects), with what each provides and needs."""
    pins = {c["applicationset"]: c for c in charts(root)}
    out = []
    for aset in (o for o in argocd_objs if o["kind"] == "ApplicationSet"):
        name = aset["metadata"]["name"]
        context = appset.cluster(ENVIRONMENTS[0], cloud, cluster_annotations(root, ENVIRONMENTS[0], cloud))
        try:
            if not appset.generated(aset, context):
                continue
        except ValueError:
            continue
        spec = aset["spec"]["template"]["spec"]
        options = set(spec.get("syncPolicy", {}).get("syncOptions", []))
        retry = spec.get("syncPolicy", {}).get("retry")
        retry_limit = int(retry.get("limit", 0)) if retry is not None else 0
        pin = pins.get(name)
        if pin is not None:
            provides, requires = set(pin.get("provides", [])), set(pin.get("requires", []))
        else:
            objs = rendered.get(app_render_name(name, ENVIRONMENTS[0], cloud), [])
            provides = set()
            requires = {group_of(o) for o in objs}
        out.append(App(name, wave_of(aset), options, provides, requires, retry_limit))
    return out


def app_render_name(appset_name: str, env: str, cloud: str) -> str:
    """The rendered target holding a Git-path Application's objects (tools/k8s/layout.render_targets)."""
    return f"{env}-{cloud}" if appset_name == COMMENTS_APPSET else f"{appset_name.removeprefix('addon-')}-{env}-{cloud}"


def check_order(cloud: str, cloud_groups: frozenset[str], cluster_apps: list[App]) -> list[str]:
    errors = []
    for app in cluster_apps:
        for group in sorted(app.requires - BUILTIN_GROUPS - cloud_groups - app.provides):
            providers = [a for a in cluster_apps if group in a.provides]
            if not providers:
                errors.append(
                    f"{cloud}: Application {app.name} uses {group or 'core'} objects, but no add-on on {cloud} "
                    f"installs that API (argocd/addons/charts.yaml provides)"
                )
                continue
            for provider in providers:
                if provider.wave >= app.wave:
                    errors.append(
                        f"{cloud}: Application {app.name} (wave {app.wave}) uses {group} objects whose CRDs "
                        f"{provider.name} installs, which does not sync before it (wave {provider.wave})"
                    )
            if app.retry_limit == 0:
                errors.append(
                    f"{cloud}: Application {app.name} uses {group} objects from another Application without a "
                    f"syncPolicy.retry: automated sync tries a revision once, so a first apply that meets a "
                    f"missing CRD is never repeated"
                )
            if SKIP_DRY_RUN not in app.options:
                errors.append(
                    f"{cloud}: Application {app.name} uses {group} objects from another Application "
                    f"({', '.join(p.name for p in providers)}) without {SKIP_DRY_RUN}: Argo CD does not wait "
                    f"for that Application, so on a new cluster the dry run of the whole sync fails"
                )
    return errors


def groups_before(cluster_apps: list[App], name: str) -> set[str]:
    """API groups the add-ons of earlier waves install before Application `name` syncs."""
    wave = next(a.wave for a in cluster_apps if a.name == name)
    return {g for a in cluster_apps if a.wave < wave for g in a.provides}


def check(
    root: Path, argocd_objs: list[dict], rendered: dict[str, list[dict]], cloud_groups: dict[str, frozenset[str]]
) -> list[str]:
    errors = check_pins(root, argocd_objs) + check_templates(root, argocd_objs)
    for cloud in CLOUDS:
        errors += check_order(cloud, cloud_groups[cloud], apps(root, argocd_objs, cloud, rendered))
    return errors
