"""The promtool step fails on a rule that does not parse and on alerts that stop behaving as tested."""

import copy

import pytest
from k8s_helpers import REPO

from tools.k8s import alert_rules
from tools.k8s.manifests import documents, kustomize


@pytest.fixture(scope="module")
def prod():
    return documents(kustomize(REPO, "environments/prod/eks"))


def rules(objs):
    return next(o for o in objs if o["kind"] == "PrometheusRule")["spec"]["groups"]


def test_rendered_rules_pass(prod):
    assert alert_rules.check({"prod-eks": prod}) == ([], 1)


def test_unparsable_expression_fails(prod):
    broken = copy.deepcopy(prod)
    rules(broken)[2]["rules"][0]["expr"] = "sum(rate(http_requests_total[5m])"
    errors, _ = alert_rules.check({"prod-eks": broken})
    assert errors and "prod-eks: promtool check rules" in errors[0]


def test_looser_objective_breaks_the_prod_alert_tests(prod):
    # Prod with dev's objective would not page on 3 % errors: the unit tests must notice.
    loose = copy.deepcopy(prod)
    rules(loose)[0]["rules"][0]["expr"] = "vector(0.01)"
    errors, _ = alert_rules.check({"prod-eks": loose})
    assert errors and "prod-eks: promtool test rules prod.yaml" in errors[0]
    assert "CommentsApiAvailabilityBudgetBurnFast" in errors[0]
