"""Replay an Argo CD sync of one Application's rendered objects on a modelled cluster.

What Argo CD (gitops-engine pkg/sync) does, in the order it does it:
  - every object becomes a task: hooks (argocd.argoproj.io/hook) in their phase, ordinary objects in
    Sync; `Skip` hooks are not applied; tasks sort by phase (PreSync, Sync, PostSync), wave
    (argocd.argoproj.io/sync-wave, default 0), kind (sync_tasks.go kindOrder; kinds it does not list,
    custom resources included, come last) and name;
  - before anything is applied, a dry run of every task: a kind the cluster does not serve fails the whole
    sync unless SkipDryRunOnMissingResource=true (Application or object sync-options);
  - each wave is applied, then Argo CD waits until every task of the wave is healthy (a hook Job:
    completed) before the next wave; a task that never becomes healthy stalls the sync there, and a retry
    starts again from the first phase;
  - a hook with the BeforeHookCreation policy is deleted and recreated on every sync; a named hook without
    it is created once and never run again; HookSucceeded hooks are deleted after their phase.
What the cluster does in between (the controllers the platform relies on): the External Secrets Operator
writes an ExternalSecret's Secret once its store exists and admits the namespace; a Deployment or Job
creates pods, which start only if their ServiceAccount exists (admission) and every Secret and ConfigMap
they reference through env, envFrom or volumes exists (kubelet); an HPA needs the resource metrics API.
An upgrade is the same sync over the objects of a successful first sync, with a new image digest.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from .layout import ENVIRONMENTS
from .manifests import describe
from .pins import DIGEST

# gitops-engine pkg/sync/sync_tasks.go kindOrder (Helm's install order).
KIND_ORDER = [
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
]
PHASES = ("PreSync", "Sync", "PostSync")
HOOK = "argocd.argoproj.io/hook"
DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"
WAVE = "argocd.argoproj.io/sync-wave"
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
SKIP_DRY_RUN = "SkipDryRunOnMissingResource=true"
# API groups every conformant cluster serves.
BUILTIN_GROUPS = frozenset(
    {
        "",
        "apps",
        "batch",
        "autoscaling",
        "policy",
        "networking.k8s.io",
        "rbac.authorization.k8s.io",
        "storage.k8s.io",
        "apiextensions.k8s.io",
        "admissionregistration.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "scheduling.k8s.io",
        "node.k8s.io",
        "certificates.k8s.io",
        "apiregistration.k8s.io",
    }
)
POD_OWNERS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Pod"}
CONFIG_HOOK_KINDS_OK = {"Job", "Pod"}  # hooks that run something; any other hook is a config object recreated each sync
ESO_GROUP = "external-secrets.io"
CLUSTER_SCOPED = {
    "Namespace",
    "ClusterSecretStore",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
    "PersistentVolume",
    "IngressClass",
    "APIService",
    "PriorityClass",
    "ClusterImagePolicy",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
}


@dataclass(frozen=True)
class Cluster:
    """What a cluster serves when the Application syncs (tools/k8s/clusters.py builds one per cloud)."""

    name: str
    groups: frozenset[str]  # API groups served: built-in, the cloud's own, and the add-ons' CRDs
    metrics_api: bool  # metrics.k8s.io (metrics-server) for HorizontalPodAutoscalers
    namespaces: frozenset[str] = frozenset({"default", "kube-system"})
    default_storage_class: bool = True  # a claim without storageClassName is provisioned
    argocd_projects: frozenset[str] = frozenset()  # AppProjects that exist before this sync


class Blocked(Exception):
    """The first step that would never finish; the message names the step and the objects."""


@dataclass
class Task:
    obj: dict
    phase: str
    wave: int
    hook: bool
    policies: tuple[str, ...] = ()

    def sort_key(self):
        kind = self.obj["kind"]
        kind_rank = KIND_ORDER.index(kind) - len(KIND_ORDER) if kind in KIND_ORDER else 0
        return PHASES.index(self.phase), self.wave, kind_rank, name_of(self.obj)


def group_of(obj: dict) -> str:
    return obj["apiVersion"].rpartition("/")[0]


def name_of(obj: dict) -> str:
    """metadata.name, or for a hook created with generateName, that prefix (a new object each sync)."""
    return obj["metadata"].get("name") or obj["metadata"].get("generateName", "")


def key(obj: dict, default_ns: str) -> tuple[str, str, str, str]:
    ns = "" if obj["kind"] in CLUSTER_SCOPED else obj["metadata"].get("namespace", default_ns)
    return group_of(obj), obj["kind"], ns, name_of(obj)


def tasks(objs: list[dict]) -> list[Task]:
    out = []
    for obj in objs:
        annotations = obj["metadata"].get("annotations") or {}
        wave = int(annotations.get(WAVE, "0"))
        hook = annotations.get(HOOK)
        policies = tuple(p.strip() for p in annotations.get(DELETE_POLICY, "").split(",") if p.strip())
        if hook is None:
            out.append(Task(obj, "Sync", wave, False))
            continue
        for phase in (p.strip() for p in hook.split(",")):
            if phase in ("Skip", "SyncFail"):
                continue  # never applied / applied only when the sync has already failed
            if phase not in PHASES:
                raise Blocked(f"{describe(obj)}: hook phase {phase!r} is not modelled (only {', '.join(PHASES)}, Skip)")
            out.append(Task(obj, phase, wave, True, policies))
    out.sort(key=Task.sort_key)
    # sync_tasks.go adjustDeps: a Namespace moves to the phase and wave of the first task inside it.
    for ns_task in [t for t in out if t.obj["kind"] == "Namespace" and group_of(t.obj) == ""]:
        first = next((t for t in out if t.obj["metadata"].get("namespace") == name_of(ns_task.obj)), None)
        if first is not None and out.index(first) < out.index(ns_task):
            ns_task.phase, ns_task.wave = first.phase, first.wave
    out.sort(key=Task.sort_key)
    return out


def steps(ordered: list[Task]) -> list[tuple[str, int, list[Task]]]:
    """The (phase, wave) groups Argo CD applies one after the other."""
    out: list[tuple[str, int, list[Task]]] = []
    for task in ordered:
        if out and (out[-1][0], out[-1][1]) == (task.phase, task.wave):
            out[-1][2].append(task)
        else:
            out.append((task.phase, task.wave, [task]))
    return out


def _sync_options(obj: dict) -> set[str]:
    return {
        o.strip() for o in ((obj["metadata"].get("annotations") or {}).get(SYNC_OPTIONS, "")).split(",") if o.strip()
    }


def pod_template(obj: dict) -> dict | None:
    if obj["kind"] == "Pod":
        return obj
    if obj["kind"] in POD_OWNERS:
        return obj.get("spec", {}).get("template")
    return None


@dataclass
class State:
    """The modelled cluster: objects by (group, kind, namespace, name)."""

    cluster: Cluster
    namespace: str
    objects: dict = field(default_factory=dict)
    owned_secrets: dict = field(default_factory=dict)  # ExternalSecret key -> Secret key it owns (creationPolicy Owner)

    def has(self, kind: str, name: str, ns: str, group: str = "") -> bool:
        return (group, kind, ns, name) in self.objects

    def ns_exists(self, ns: str) -> bool:
        return ns in self.cluster.namespaces or self.has("Namespace", ns, "")

    def put(self, obj: dict) -> None:
        self.objects[key(obj, self.namespace)] = obj

    def delete(self, k) -> None:
        self.objects.pop(k, None)
        owned = self.owned_secrets.pop(k, None)
        if owned is not None:
            self.objects.pop(owned, None)  # garbage collection of the Secret it owns

    def settle(self) -> None:
        """The External Secrets Operator writes the Secret of every ExternalSecret whose store admits it."""
        if ESO_GROUP not in self.cluster.groups:
            return
        for k, obj in list(self.objects.items()):
            if k[1] != "ExternalSecret" or self.external_secret_problem(obj, k[2]):
                continue
            target = obj["spec"].get("target", {})
            secret = {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": target.get("name", obj["metadata"]["name"]), "namespace": k[2]},
                "data": {d["secretKey"]: "" for d in obj["spec"].get("data", [])},
            }
            sk = key(secret, self.namespace)
            if sk not in self.objects:
                self.put(secret)
                if target.get("creationPolicy", "Owner") == "Owner":
                    self.owned_secrets[k] = sk

    def external_secret_problem(self, obj: dict, ns: str) -> str | None:
        if ESO_GROUP not in self.cluster.groups:
            return "the External Secrets Operator is not installed"
        ref = obj["spec"].get("secretStoreRef", {})
        kind = ref.get("kind", "SecretStore")
        store_ns = "" if kind == "ClusterSecretStore" else ns
        store = self.objects.get((ESO_GROUP, kind, store_ns, ref.get("name")))
        if store is None:
            return f"its store {kind}/{ref.get('name')} does not exist"
        allowed = [n for c in store["spec"].get("conditions", []) for n in c.get("namespaces", [])]
        if store.get("spec", {}).get("conditions") and ns not in allowed:
            return f"its store {kind}/{ref.get('name')} does not admit namespace {ns} (conditions)"
        return None

    def pod_problem(self, obj: dict, ns: str) -> str | None:
        """Why a pod of this workload would not start, or None."""
        template = pod_template(obj)
        spec = template.get("spec", {}) if template else {}
        account = spec.get("serviceAccountName", "default")
        if account != "default" and not self.has("ServiceAccount", account, ns):
            return f'pod admission refuses the pod: serviceaccount "{account}" not found'
        for ref_kind, name, where, data_key in references(spec):
            found = self.objects.get(("", ref_kind, ns, name))
            if found is None:
                return f'its pod cannot start: {ref_kind} "{name}" ({where}) not found'
            keys = (
                set(found.get("data") or {}) | set(found.get("stringData") or {}) | set(found.get("binaryData") or {})
            )
            if data_key is not None and data_key not in keys:
                return (
                    f'its pod cannot start: {ref_kind} "{name}" has no key {data_key!r} ({where}; keys {sorted(keys)})'
                )
        problem = self.security_problem(spec, ns)
        if problem:
            return problem
        return None

    def security_problem(self, spec: dict, ns: str) -> str | None:
        """Pod Security Admission: the namespace's enforce level (restricted) refuses a pod that violates it."""
        namespace = self.objects.get(("", "Namespace", "", ns))
        level = ((namespace or {}).get("metadata", {}).get("labels") or {}).get("pod-security.kubernetes.io/enforce")
        if level != "restricted":
            return None
        violations = restricted_violations(spec)
        if violations:
            return f'pod admission refuses the pod: violates PodSecurity "restricted": {"; ".join(violations)}'
        return None

    def health_problem(self, obj: dict) -> str | None:
        ns = key(obj, self.namespace)[2]
        kind = obj["kind"]
        if pod_template(obj) is not None:
            return self.pod_problem(obj, ns)
        if kind == "ExternalSecret":
            return self.external_secret_problem(obj, ns)
        if kind in ("ClusterSecretStore", "SecretStore") and ESO_GROUP not in self.cluster.groups:
            return "the External Secrets Operator is not installed"
        if (
            kind == "HorizontalPodAutoscaler"
            and not self.cluster.metrics_api
            and any(m.get("type") in ("Resource", "ContainerResource") for m in obj.get("spec", {}).get("metrics", []))
        ):
            return (
                "FailedGetResourceMetric: the cluster serves no resource metrics API (metrics.k8s.io); "
                "Argo CD marks the HPA, and the Application, Degraded"
            )
        if kind == "HorizontalPodAutoscaler":
            for metric in obj.get("spec", {}).get("metrics", []):
                api = {
                    "Pods": "custom.metrics.k8s.io",
                    "Object": "custom.metrics.k8s.io",
                    "External": "external.metrics.k8s.io",
                }.get(metric.get("type"))
                if api and api not in self.cluster.groups:
                    return f"FailedGetMetric: the cluster serves no {api} API (no metrics adapter) for a {metric['type']} metric"
        if (
            kind == "PersistentVolumeClaim"
            and not obj.get("spec", {}).get("storageClassName")
            and not self.cluster.default_storage_class
        ):
            return "Pending: no storageClassName and the cluster has no default StorageClass"
        if kind == "ApplicationSet":
            missing = sorted(set(projects_of(obj)) - self.projects())
            if missing:
                return f"its Applications name AppProject(s) {', '.join(missing)} that do not exist yet"
        return None

    def projects(self) -> set[str]:
        return set(self.cluster.argocd_projects) | {k[3] for k in self.objects if k[1] == "AppProject"}


def projects_of(appset: dict) -> list[str]:
    """The projects an ApplicationSet's template can name: literal, or a template over environment labels."""
    project = appset["spec"]["template"]["spec"].get("project", "default")
    if "{{" not in project:
        return [project]
    return [re.sub(r"\{\{\s*\.metadata\.labels\.environment\s*\}\}", env, project) for env in ENVIRONMENTS]


def restricted_violations(spec: dict) -> list[str]:
    """The checks of the Pod Security Standard "restricted" (kubernetes.io/docs/concepts/security/pod-security-standards)."""
    out = []
    pod_sc = spec.get("securityContext", {})
    for flag in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(flag):
            out.append(f"{flag}=true")
    for volume in spec.get("volumes", []):
        if "hostPath" in volume:
            out.append(f"hostPath volume {volume['name']}")
    pod_seccomp = pod_sc.get("seccompProfile", {}).get("type")
    for c in spec.get("initContainers", []) + spec.get("containers", []):
        sc = c.get("securityContext", {})
        name = f"container {c.get('name')}"
        if sc.get("privileged"):
            out.append(f"{name} privileged")
        if sc.get("allowPrivilegeEscalation") is not False:
            out.append(f"{name} allowPrivilegeEscalation != false")
        caps = sc.get("capabilities", {})
        if "ALL" not in caps.get("drop", []):
            out.append(f"{name} must drop ALL capabilities")
        if set(caps.get("add", [])) - {"NET_BIND_SERVICE"}:
            out.append(f"{name} adds capabilities {sorted(set(caps['add']) - {'NET_BIND_SERVICE'})}")
        if sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is not True:
            out.append(f"{name} runAsNonRoot != true")
        if sc.get("runAsUser", pod_sc.get("runAsUser")) == 0:
            out.append(f"{name} runAsUser=0")
        if sc.get("seccompProfile", {}).get("type", pod_seccomp) not in ("RuntimeDefault", "Localhost"):
            out.append(f"{name} seccompProfile must be RuntimeDefault or Localhost")
        if any(p.get("hostPort") for p in c.get("ports", [])):
            out.append(f"{name} hostPort")
    return out


def references(spec: dict):
    """(kind, name, where, key or None) of every Secret and ConfigMap a pod needs to start (optional ones excluded)."""
    for c in spec.get("initContainers", []) + spec.get("containers", []):
        cname = c.get("name")
        for env in c.get("env", []):
            source = env.get("valueFrom", {})
            for field_name, kind in (("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")):
                ref = source.get(field_name)
                if ref and not ref.get("optional"):
                    yield kind, ref["name"], f"container {cname} env {env['name']}", ref.get("key")
        for env_from in c.get("envFrom", []):
            for field_name, kind in (("secretRef", "Secret"), ("configMapRef", "ConfigMap")):
                ref = env_from.get(field_name)
                if ref and not ref.get("optional"):
                    yield kind, ref["name"], f"container {cname} envFrom", None
    for volume in spec.get("volumes", []):
        sources = [volume] + [s for s in volume.get("projected", {}).get("sources", [])]
        for source in sources:
            secret = source.get("secret")
            if secret and not secret.get("optional"):
                yield "Secret", secret.get("secretName") or secret.get("name"), f"volume {volume['name']}", None
            config_map = source.get("configMap")
            if config_map and not config_map.get("optional"):
                yield "ConfigMap", config_map["name"], f"volume {volume['name']}", None


def sync(
    objs: list[dict], state: State, app_options: set[str], upgrade: bool = False, namespace_labels: dict | None = None
) -> list[str]:
    """One sync of `objs` over `state` (changed in place). Returns the trace; raises Blocked at the first stall.
    namespace_labels: the Application's managedNamespaceMetadata labels (with CreateNamespace=true)."""
    trace = []
    if "CreateNamespace=true" in app_options and not state.ns_exists(state.namespace):
        state.put(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": state.namespace, "labels": dict(namespace_labels or {})},
            }
        )
        trace.append(f"namespace {state.namespace} created (CreateNamespace=true)")
    ordered = tasks(objs)
    for task in ordered:
        group = group_of(task.obj)
        if group not in state.cluster.groups and SKIP_DRY_RUN not in app_options | _sync_options(task.obj):
            raise Blocked(
                f"dry run: {describe(task.obj)}: the cluster serves no {group} API yet, so the whole sync fails "
                f"before anything is applied (install its CRDs first, or SkipDryRunOnMissingResource=true)"
            )
    for phase, wave, group_tasks in steps(ordered):
        where = f"{phase} wave {wave}"
        for task in group_tasks:
            obj = task.obj
            k = key(obj, state.namespace)
            if k[0] not in state.cluster.groups:
                raise Blocked(
                    f"{where}: {describe(obj)}: apply fails, the cluster serves no {k[0]} API (its CRD is missing)"
                )
            if k[2] and not state.ns_exists(k[2]):
                raise Blocked(f"{where}: {describe(obj)}: namespace {k[2]} does not exist")
            if task.hook:
                if k in state.objects and "BeforeHookCreation" not in task.policies:
                    raise Blocked(
                        f"{where}: {describe(obj)}: a named hook without BeforeHookCreation already exists, so "
                        f"Argo CD does not run it again on this {'upgrade' if upgrade else 'sync'}"
                    )
                state.delete(k)
            elif k in state.objects and obj["kind"] == "Job" and pod_template(state.objects[k]) != pod_template(obj):
                raise Blocked(
                    f"{where}: {describe(obj)}: apply fails, a Job's spec.template is immutable "
                    f"(make it a hook recreated on each sync)"
                )
            state.put(obj)
        state.settle()
        for task in group_tasks:
            problem = state.health_problem(task.obj)
            if problem:
                others = ", ".join(describe(t.obj) for t in group_tasks if t is not task)
                raise Blocked(
                    f"{where}: {describe(task.obj)} never becomes healthy: {problem}; Argo CD waits here "
                    f"(same step: {others or 'nothing else'})"
                )
        trace.append(f"{where}: {', '.join(describe(t.obj) for t in group_tasks)}")
    for task in ordered:
        if task.hook and "HookSucceeded" in task.policies:
            state.delete(key(task.obj, state.namespace))
    return trace


def released(objs: list[dict]) -> list[dict]:
    """The same objects with a new image digest everywhere: what the next promotion syncs."""
    text_objs = copy.deepcopy(objs)
    digest = re.compile(f"@{DIGEST.pattern}")

    def bump(node):
        if isinstance(node, dict):
            return {k: bump(v) for k, v in node.items()}
        if isinstance(node, list):
            return [bump(v) for v in node]
        if isinstance(node, str):
            return digest.sub("@sha256:" + "e" * 64, node)
        return node

    return [bump(o) for o in text_objs]


def check_hooks(objs: list[dict]) -> list[str]:
    """A hook that configures rather than runs (a store, an ExternalSecret, a ServiceAccount ...) is deleted and
    recreated on every sync, self-heal included, and Argo CD never compares it with Git (no drift detection)."""
    errors = []
    for obj in objs:
        if (obj["metadata"].get("annotations") or {}).get(HOOK) and obj["kind"] not in CONFIG_HOOK_KINDS_OK:
            errors.append(
                f"{describe(obj)} is an Argo CD hook: recreated on every sync and without drift detection; "
                f"make it an ordinary resource in an earlier wave"
            )
    return errors


def check_migration_before_rollout(objs: list[dict]) -> list[str]:
    """A migration Job (one that runs `migrate` with a Deployment's image) must finish in an earlier step than
    that Deployment is applied. Other Jobs (a PostSync smoke test) may come later."""
    ordered = tasks(objs)
    position = {}
    for index, (_phase, _wave, group_tasks) in enumerate(steps(ordered)):
        for task in group_tasks:
            position.setdefault(id(task.obj), index)
    errors = []

    def images(obj):
        spec = (pod_template(obj) or {}).get("spec", {})
        return {c.get("image") for c in spec.get("containers", [])}

    def migrates(job):
        spec = (pod_template(job) or {}).get("spec", {})
        return any("migrate" in (c.get("args", []) + c.get("command", [])) for c in spec.get("containers", []))

    for job in (o for o in objs if o["kind"] == "Job" and migrates(o)):
        for deploy in (o for o in objs if o["kind"] == "Deployment" and images(o) & images(job)):
            if id(job) in position and position[id(job)] >= position[id(deploy)]:
                errors.append(
                    f"{describe(job)} must complete in an earlier sync step than {describe(deploy)} rolls out "
                    f"(it runs the same image: the new pods would start before the schema is migrated)"
                )
    return errors


def simulate(
    objs: list[dict], cluster: Cluster, namespace: str, app_options: set[str], namespace_labels: dict | None = None
) -> tuple[list[str], list[str]]:
    """(problems, trace) of a first sync on an empty cluster, then of an upgrade over its result."""
    problems = check_hooks(objs) + check_migration_before_rollout(objs)
    trace: list[str] = []
    state = State(cluster, namespace)
    for scenario, these, upgrade in (("empty cluster", objs, False), ("upgrade", released(objs), True)):
        try:
            trace += [f"{scenario}: {line}" for line in sync(these, state, app_options, upgrade, namespace_labels)]
        except Blocked as exc:
            problems.append(f"sync on {cluster.name} ({scenario}): {exc}")
            break
    return problems, trace
