"""References schemas cannot see, and NetworkPolicies against each cloud's real peers: each breaks one thing."""

import copy
import shutil

import pytest
from k8s_helpers import REPO, find

from tools.k8s import clusters, netpol, wiring


@pytest.fixture
def objs(everything):
    return copy.deepcopy(everything)


def deploy_spec(overlay):
    return find(overlay, "Deployment", "comments-api")["spec"]["template"]["spec"]


def test_repository_is_wired(everything):
    for env in ("dev", "staging", "prod"):
        for cloud in ("gke", "eks"):
            overlay = everything[f"{env}-{cloud}"]
            assert wiring.check(overlay) == []
            assert netpol.check(REPO, overlay, env, cloud, "monitoring") == []


@pytest.mark.parametrize(
    "mutate, message",
    [
        (
            lambda o: find(o, "Service", "comments-api")["spec"]["selector"].update(
                {"app.kubernetes.io/component": "web"}
            ),
            "'app.kubernetes.io/name': 'comments-api'} matches no pod of the overlay",
        ),
        (
            lambda o: find(o, "Service", "comments-api")["spec"]["ports"][1].update(targetPort="metrics"),
            "Service/comments-api port admin: targetPort 'metrics' is not a container port of Deployment/comments-api",
        ),
        (
            lambda o: deploy_spec(o)["containers"][0]["ports"][0].update(name="web"),
            "Service/comments-api port http: targetPort 'http' is not a container port of Deployment/comments-api",
        ),
        (
            lambda o: find(o, "ServiceMonitor", "comments-api")["spec"]["selector"]["matchLabels"].update(
                {"app.kubernetes.io/component": "metrics"}
            ),
            "'app.kubernetes.io/component': 'metrics'",
        ),
        (
            lambda o: find(o, "ServiceMonitor", "comments-api")["spec"]["selector"]["matchLabels"].update(
                {"app.kubernetes.io/component": "metrics"}
            ),
            "matches no Service's labels: nothing is scraped",
        ),
        (
            lambda o: find(o, "ServiceMonitor", "comments-api")["spec"]["endpoints"][0].update(port="metrics"),
            "ServiceMonitor/comments-api: endpoint port 'metrics' is not a named port of Service/comments-api",
        ),
        (
            lambda o: find(o, "ServiceMonitor", "comments-api")["spec"].update(jobLabel="app.kubernetes.io/component"),
            'rule comments_api:http_errors:ratio_rate5m: job="comments-api" is not produced by any ServiceMonitor of the overlay',
        ),
        (
            lambda o: find(o, "HTTPRoute", "comments-api")["spec"]["rules"][0]["backendRefs"][0].update(port=80),
            "HTTPRoute/comments-api: backendRef comments-api:80 is not a Service port of the overlay",
        ),
        (
            lambda o: find(o, "HealthCheckPolicy", "comments-api")["spec"]["default"]["config"][
                "httpHealthCheck"
            ].update(port=9091),
            "HealthCheckPolicy/comments-api: health check port 9091 is no container port of Service/comments-api's pods",
        ),
        (
            lambda o: find(o, "HorizontalPodAutoscaler", "comments-api")["spec"]["scaleTargetRef"].update(
                name="comments"
            ),
            "HorizontalPodAutoscaler/comments-api: scaleTargetRef Deployment/comments is not in the overlay",
        ),
    ],
)
def test_broken_reference_on_gke_fails(objs, mutate, message):
    overlay = objs["prod-gke"]
    mutate(overlay)
    assert any(message in e for e in wiring.check(overlay)), wiring.check(overlay)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (
            lambda o: find(o, "Ingress", "comments-api")["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"][
                "port"
            ].update(name="https"),
            "Ingress/comments-api: backend comments-api:{'name': 'https'} is not a Service port of the overlay",
        ),
        (
            lambda o: find(o, "Ingress", "comments-api")["metadata"]["annotations"].update(
                {"alb.ingress.kubernetes.io/healthcheck-port": "8081"}
            ),
            "Ingress/comments-api: healthcheck-port 8081 is no container port of the overlay's pods",
        ),
    ],
)
def test_broken_reference_on_eks_fails(objs, mutate, message):
    overlay = objs["staging-eks"]
    mutate(overlay)
    assert message in wiring.check(overlay)


def np(overlay, name):
    return find(overlay, "NetworkPolicy", name)["spec"]


@pytest.mark.parametrize(
    "cloud, mutate, message",
    [
        # CoreDNS on EKS keeps the kube-dns label; a selector on the deployment's name matches no pod
        (
            "eks",
            lambda o: np(o, "comments-api-egress")["egress"][0]["to"][0]["podSelector"].update(
                matchLabels={"k8s-app": "coredns"}
            ),
            "Deployment/comments-api egress to cluster DNS (eks) on 53/UDP is refused",
        ),
        (
            "gke",
            lambda o: np(o, "comments-api-egress")["egress"][0]["ports"].pop(0),
            "Job/comments-api-migrate egress to cluster DNS (gke) on 53/UDP is refused",
        ),
        (
            "gke",
            lambda o: np(o, "comments-api-ingress")["ingress"][1]["from"][0]["namespaceSelector"].update(
                matchLabels={"name": "monitoring"}
            ),
            "Deployment/comments-api ingress from Prometheus on 9090/TCP is refused",
        ),
        (
            "eks",
            lambda o: np(o, "comments-api-ingress")["ingress"][1]["from"][0]["podSelector"].update(
                matchLabels={"app": "prometheus"}
            ),
            "Deployment/comments-api ingress from Prometheus on 9090/TCP is refused",
        ),
        # the EKS rule as it was: the whole VPC, where every node and pod has an address
        (
            "eks",
            lambda o: np(o, "comments-api-ingress")["ingress"][0]["from"][0]["ipBlock"].update(cidr="10.130.0.0/16"),
            "Deployment/comments-api ingress from node or pod in the private subnet 10.130.0.0/18 on 8080/TCP is allowed",
        ),
        (
            "gke",
            lambda o: np(o, "comments-api-ingress")["ingress"][2]["from"].pop(0),
            "Deployment/comments-api ingress from load balancer 35.191.0.0/16 on 9090/TCP is refused",
        ),
        (
            "gke",
            lambda o: np(o, "comments-api-ingress")["ingress"][0].pop("from"),
            "Deployment/comments-api ingress from a pod of another namespace on 8080/TCP is allowed",
        ),
    ],
)
def test_network_policy_against_real_peers_fails(objs, cloud, mutate, message):
    overlay = objs[f"prod-{cloud}"]
    mutate(overlay)
    errors = netpol.check(REPO, overlay, "prod", cloud, "monitoring")
    assert f"NetworkPolicy: {message}" in errors, errors


def test_prometheus_in_another_namespace_is_refused(everything):
    errors = netpol.check(REPO, everything["dev-gke"], "dev", "gke", "observability")
    assert "NetworkPolicy: Deployment/comments-api ingress from Prometheus on 9090/TCP is refused" in errors


@pytest.mark.parametrize(
    "old, new",
    [
        ('      configuration_values = jsonencode({ enableNetworkPolicy = "true" })\n', ""),
        ('enableNetworkPolicy = "true"', 'enableNetworkPolicy = "false"'),
    ],
)
def test_eks_without_network_policy_enforcement_fails(everything, tmp_path, old, new):
    root = tmp_path / "repo"
    shutil.copytree(REPO / "modules/eks", root / "modules/eks")
    main = root / "modules/eks/main.tf"
    assert old in main.read_text()
    main.write_text(main.read_text().replace(old, new))
    errors = clusters.check_overlay(everything["dev-eks"], clusters.eks(root))
    assert errors and "NetworkPolicies (default-deny-all included) are accepted but not enforced" in errors[0]


def test_gke_without_dataplane_v2_fails(everything, tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(REPO / "modules/gke", root / "modules/gke")
    main = root / "modules/gke/main.tf"
    main.write_text(main.read_text().replace('"ADVANCED_DATAPATH"', '"LEGACY_DATAPATH"'))
    assert clusters.check_overlay(everything["dev-gke"], clusters.gke(root)) != []


@pytest.mark.parametrize(
    "cloud, index, cidr, message",
    [
        ("gke", 0, "35.191.0.0/24", "ingress from load balancer 35.191.0.0/16 on 8080/TCP is refused"),
        (
            "eks",
            0,
            "10.130.192.0/21",
            "ingress from ALB node in the public subnets 10.130.192.0/19 on 8080/TCP is refused",
        ),
    ],
)
def test_load_balancer_range_narrower_than_the_real_one_fails(objs, cloud, index, cidr, message):
    np(objs[f"prod-{cloud}"], "comments-api-ingress")["ingress"][0]["from"][index]["ipBlock"]["cidr"] = cidr
    assert f"NetworkPolicy: Deployment/comments-api {message}" in netpol.check(
        REPO, objs[f"prod-{cloud}"], "prod", cloud, "monitoring"
    )
