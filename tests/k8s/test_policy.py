"""Which policy findings block: HIGH/CRITICAL always, lower ones unless accepted with a reason."""

from tools.k8s import policy


def finding(severity, id_="KSV-0125", target="prod-gke.yaml"):
    return {"target": target, "id": id_, "severity": severity, "title": "t", "message": "m"}


def test_high_and_critical_block_even_when_listed():
    errors, accepted = policy.judge([finding("HIGH"), finding("CRITICAL")])
    assert len(errors) == 2 and accepted == []


def test_accepted_medium_passes():
    assert policy.judge([finding("MEDIUM")]) == ([], [finding("MEDIUM")])


def test_unlisted_medium_blocks():
    errors, _ = policy.judge([finding("MEDIUM", id_="KSV-0011")])
    assert "not accepted in trivy-accepted.yaml" in errors[0]


def test_acceptance_is_per_target():
    errors, _ = policy.judge([finding("MEDIUM", target="prod-eks.yaml")])
    assert len(errors) == 1


def test_every_acceptance_states_a_reason():
    import yaml

    for rule in yaml.safe_load(policy.ACCEPTED.read_text()):
        assert rule["severity"] not in policy.BLOCKING and len(rule["reason"]) > 40
