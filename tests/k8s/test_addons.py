"""The add-on ApplicationSets are validated like the app's: pins, template keys, and their order on a new cluster."""

import copy
import shutil

import pytest
import yaml
from k8s_helpers import REPO, annotate, find

from tools.k8s import addons, clusters

CLOUD_GROUPS = {"gke": frozenset({"gateway.networking.k8s.io", "networking.gke.io"}), "eks": frozenset()}


@pytest.fixture
def objs(everything):
    return copy.deepcopy(everything)


def check(objs, root=REPO):
    return addons.check(root, objs["argocd"], objs, CLOUD_GROUPS)


def appset(objs, name):
    return find(objs["argocd"], "ApplicationSet", name)


def test_repository_addons_are_pinned_and_ordered(everything):
    assert check(everything) == []
    assert {c: f.groups for c, f in clusters.facts(REPO).items()} == CLOUD_GROUPS


def test_chart_version_other_than_the_pin_fails(objs):
    appset(objs, "addon-external-secrets")["spec"]["template"]["spec"]["source"]["targetRevision"] = "2.11.0"
    assert (
        "ApplicationSet/addon-external-secrets: targetRevision '2.11.0' differs from argocd/addons/charts.yaml "
        "version '2.10.0'"
    ) in check(objs)


def test_chart_without_a_pin_fails(objs, tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(REPO / "argocd", root / "argocd")
    shutil.copytree(REPO / "environments", root / "environments", ignore=shutil.ignore_patterns(".terraform*"))
    pins = yaml.safe_load((root / addons.CHARTS).read_text())
    pins["charts"] = [c for c in pins["charts"] if c["chart"] != "aws-load-balancer-controller"]
    (root / addons.CHARTS).write_text(yaml.safe_dump(pins))
    errors = check(objs, root)
    assert (
        "ApplicationSet/addon-aws-load-balancer-controller: chart aws-load-balancer-controller is not pinned in argocd/addons/charts.yaml"
        in errors
    )


def test_repository_the_project_does_not_allow_fails(objs):
    appset(objs, "addon-kube-prometheus-stack")["spec"]["template"]["spec"]["source"]["repoURL"] = (
        "https://charts.example.org"
    )
    assert any(
        "repository https://charts.example.org is not allowed by AppProject/platform-addons" in e for e in check(objs)
    )


@pytest.mark.parametrize(
    "field, value, message",
    [
        # an annotation the Terraform roots do not write on the cluster secret
        (
            "clusterName",
            "{{.metadata.annotations.aws_eks_cluster}}",
            "ApplicationSet/addon-aws-load-balancer-controller on dev-eks: {{.metadata.annotations.aws_eks_cluster}}: no such field",
        ),
        ("region", "{{.metadata.labels.region}}", "on prod-eks: {{.metadata.labels.region}}: no such field"),
    ],
)
def test_template_key_the_cluster_secret_lacks_fails(objs, field, value, message):
    appset(objs, "addon-aws-load-balancer-controller")["spec"]["template"]["spec"]["source"]["helm"]["valuesObject"][
        field
    ] = value
    assert any(message in e for e in check(objs)), check(objs)


def test_annotation_dropped_by_a_terraform_root_fails(objs, repo):
    main = repo / "environments/staging/aws/main.tf"
    main.write_text(main.read_text().replace("    aws_vpc_id                     = module.platform.vpc_id\n", ""))
    assert any("on staging-eks: {{.metadata.annotations.aws_vpc_id}}: no such field" in e for e in check(objs, repo))


def test_git_path_to_no_kustomization_fails(objs):
    spec = appset(objs, "addon-alertmanager-receivers")["spec"]["template"]["spec"]
    spec["source"]["path"] = "argocd/addons/alertmanager/{{.metadata.labels.cloud}}-{{.metadata.labels.environment}}"
    assert any("on prod-gke: path argocd/addons/alertmanager/gke-prod is not a kustomization" in e for e in check(objs))


@pytest.mark.parametrize(
    "name, wave, message",
    [
        (
            "addon-external-secrets",
            "-3",
            "Application addon-external-secrets (wave -3) uses monitoring.coreos.com objects whose CRDs "
            "addon-kube-prometheus-stack installs, which does not sync before it (wave -3)",
        ),
        (
            "comments-api",
            "-2",
            "Application comments-api (wave -2) uses external-secrets.io objects whose CRDs addon-external-secrets "
            "installs, which does not sync before it (wave -2)",
        ),
        (
            "addon-alertmanager-receivers",
            "-2",
            "Application addon-alertmanager-receivers (wave -2) uses external-secrets.io objects",
        ),
    ],
)
def test_add_on_wave_before_its_provider_fails(objs, name, wave, message):
    annotate(appset(objs, name), wave=wave)
    assert any(message in e for e in check(objs)), check(objs)


def test_missing_skip_dry_run_fails(objs):
    options = appset(objs, "comments-api")["spec"]["template"]["spec"]["syncPolicy"]["syncOptions"]
    options.remove("SkipDryRunOnMissingResource=true")
    assert any(
        "Application comments-api uses external-secrets.io objects from another Application (addon-external-secrets) "
        "without SkipDryRunOnMissingResource=true" in e
        for e in check(objs)
    )


def test_no_add_on_provides_a_kind_fails(objs):
    objs["dev-eks"].append({"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "x"}})
    assert (
        "eks: Application comments-api uses cert-manager.io objects, but no add-on on eks installs that API "
        "(argocd/addons/charts.yaml provides)"
    ) in check(objs)


def test_load_balancer_controller_only_on_eks(everything):
    assert [a.name for a in addons.apps(REPO, everything["argocd"], "gke", everything)].count(
        "addon-aws-load-balancer-controller"
    ) == 0
    assert "elbv2.k8s.aws" in addons.groups_before(
        addons.apps(REPO, everything["argocd"], "eks", everything), "comments-api"
    )


def test_dependent_application_without_retry_fails(objs):
    del appset(objs, "addon-alertmanager-receivers")["spec"]["template"]["spec"]["syncPolicy"]["retry"]
    assert any(
        "Application addon-alertmanager-receivers uses external-secrets.io objects from another Application without a "
        "syncPolicy.retry" in e
        for e in check(objs)
    )
