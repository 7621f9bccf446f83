"""argocd/bootstrap/notifications.yaml against what reads it: the ApplicationSet's labels (the status
context deploy/<environment>-<cloud>), the smoke Job's name and hook outcome, and the words the promotion
gate parses (tools/k8s/evidence.py). A template that drifts from the gate would make every promotion
refuse (or, worse, pass on the wrong report), so the two are held together here."""

from __future__ import annotations

import yaml

from .evidence import DEGRADED, SMOKE_FAILED, SMOKE_PASSED
from .smoke_hook import JOB

CONFIGMAP = "argocd-notifications-cm"
LABEL = 'deploy/{{index .app.metadata.labels "environment"}}-{{index .app.metadata.labels "cloud"}}'
DIGEST_OF_IMAGES = '{{ range .app.status.summary.images }}{{ regexFind "sha256:[0-9a-f]{64}" . }}{{ end }}'
# template -> (state, words the gate reads, the smoke Job outcome it must test)
EXPECTED = {
    "success": ("success", SMOKE_PASSED, f"Job/{JOB}/Succeeded"),
    "failed": ("failure", SMOKE_FAILED, f"Job/{JOB}/Failed"),
    "degraded": ("failure", DEGRADED, None),
}


def check(argocd_objs: list[dict]) -> list[str]:
    cm = next((o for o in argocd_objs if o["kind"] == "ConfigMap" and o["metadata"]["name"] == CONFIGMAP), None)
    if cm is None:
        return [f"argocd: ConfigMap/{CONFIGMAP} is not rendered by argocd/bootstrap"]
    errors, data = [], cm.get("data", {})
    where = f"argocd: ConfigMap/{CONFIGMAP}"
    if cm["metadata"].get("namespace") != "argocd":
        errors.append(f"{where} must be in namespace argocd (where the notifications controller reads it)")
    service = yaml.safe_load(data.get("service.github", "")) or {}
    for key in ("appID", "installationID", "privateKey"):
        if not str(service.get(key, "")).startswith("$"):
            errors.append(
                f"{where}: service.github {key} must reference argocd-notifications-secret ($...), not a value in Git"
            )
    appset = next(
        (o for o in argocd_objs if o["kind"] == "ApplicationSet" and o["metadata"]["name"] == "comments-api"), None
    )
    labels = (appset or {}).get("spec", {}).get("template", {}).get("metadata", {}).get("labels", {})
    for key in ("environment", "cloud"):
        if labels.get(key) != f"{{{{.metadata.labels.{key}}}}}":
            errors.append(
                f"ApplicationSet/comments-api must label each Application with the cluster's {key} (the status context)"
            )
    templates = {k.removeprefix("template."): yaml.safe_load(v) for k, v in data.items() if k.startswith("template.")}
    triggers = {k.removeprefix("trigger."): yaml.safe_load(v) for k, v in data.items() if k.startswith("trigger.")}
    annotations = (appset or {}).get("spec", {}).get("template", {}).get("metadata", {}).get("annotations", {})
    prefix, suffix = "notifications.argoproj.io/subscribe.", ".github"
    subscribed = [k[len(prefix) : -len(suffix)] for k in annotations if k.startswith(prefix) and k.endswith(suffix)]
    sent = set()
    for name in subscribed:
        if name not in triggers:
            errors.append(f"ApplicationSet/comments-api subscribes to trigger {name}, which {where} does not define")
            continue
        for condition in triggers[name]:
            sent.update(condition.get("send", []))
    for kind, (state, words, smoke) in EXPECTED.items():
        name = f"deploy-status-{kind}"
        template = templates.get(name)
        if template is None or name not in sent:
            errors.append(
                f"{where}: template {name} must exist and be sent by a trigger the comments-api Applications subscribe to"
            )
            continue
        status = template.get("github", {}).get("status", {})
        message = " ".join(template.get("message", "").split())
        if status.get("state") != state or status.get("label") != LABEL:
            errors.append(f"{where}: {name} must post state {state} with context {LABEL}")
        if words not in message or DIGEST_OF_IMAGES not in message:
            errors.append(f"{where}: {name} message must say {words!r} and name the digest ({DIGEST_OF_IMAGES})")
        if smoke and f'"{smoke}"' not in message:
            errors.append(f"{where}: {name} must test the smoke Job's outcome {smoke}")
    success = " ".join(c.get("when", "") for c in triggers.get("on-deployed-verified", []))
    if "'Succeeded'" not in success or "'Healthy'" not in success:
        errors.append(f"{where}: the success trigger must require a Succeeded sync and a Healthy app")
    return errors
