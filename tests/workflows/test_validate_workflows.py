"""`just validate-workflows` passes on the repository and each of its checks fails on a broken copy."""

from __future__ import annotations

CHECKOUT_PIN = "actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2"
LOGIN_PIN = "docker/login-action@c94ce9fb468520275223c153574b00df6fe4bcc9 # v3.7.0"


def failed_checks(result) -> set[str]:
    return {line.split(":", 1)[1].strip() for line in result.output.splitlines() if line.startswith("FAILED:")}


def test_the_repository_passes_every_check(checkout):
    result = checkout.validate()
    assert result.returncode == 0, result.output
    assert "validate-workflows: all checks passed" in result.output
    assert failed_checks(result) == set()


def test_an_unpinned_third_party_action_fails_zizmor_and_the_invariants(checkout):
    checkout.replace(".github/workflows/release.yml", LOGIN_PIN, "docker/login-action@v3", count=2)
    result = checkout.validate()
    assert result.returncode == 1
    assert {"zizmor", "invariants"} <= failed_checks(result), result.output
    assert "unpinned-uses" in result.output
    assert "docker/login-action@v3 is not pinned by a full commit SHA" in result.output


def test_a_pin_without_its_version_comment_fails(checkout):
    checkout.replace(".github/workflows/pr.yml", CHECKOUT_PIN, CHECKOUT_PIN.split(" #")[0])
    result = checkout.validate()
    assert failed_checks(result) == {"invariants"}, result.output
    assert "has no '# vX.Y.Z' version comment" in result.output


def test_a_job_without_timeout_fails(checkout):
    checkout.replace(".github/workflows/pr.yml", "    timeout-minutes: 5\n    permissions: {}\n", "    permissions: {}\n")
    result = checkout.validate()
    assert "invariants" in failed_checks(result), result.output
    assert "job gate has no timeout-minutes" in result.output


def test_a_job_without_permissions_fails(checkout):
    checkout.replace(".github/workflows/pr-comment.yml", "    permissions:\n      actions: read", "    x-permissions:\n      actions: read")
    result = checkout.validate()
    assert "invariants" in failed_checks(result), result.output
    assert "job comment has no permissions" in result.output


def test_a_shellcheck_error_in_a_run_script_fails_actionlint(checkout):
    checkout.replace(
        ".github/workflows/pr.yml",
        "      - run: just lint\n",
        '      - run: |\n          target=$1\n          if [ -z $target ]; then echo "none"; fi\n          just lint\n',
    )
    result = checkout.validate()
    assert failed_checks(result) == {"actionlint"}, result.output
    assert "shellcheck reported issue" in result.output
    assert "SC2086" in result.output


def test_an_unknown_input_of_the_local_setup_action_fails_actionlint(checkout):
    checkout.replace(".github/workflows/pr.yml", "cache-key: lint", "cache-kee: lint")
    result = checkout.validate()
    assert failed_checks(result) == {"actionlint"}, result.output
    assert 'input "cache-kee" is not defined' in result.output


def test_a_schema_error_in_a_workflow_fails_the_schema_check(checkout):
    checkout.replace(".github/workflows/promote.yml", "    runs-on: ubuntu-24.04\n", "    runs_on: ubuntu-24.04\n")
    result = checkout.validate()
    assert "schema-workflows" in failed_checks(result), result.output
    assert "promote.yml" in result.output


def test_a_schema_error_in_dependabot_fails_the_schema_check(checkout):
    checkout.replace(".github/dependabot.yml", "package-ecosystem: cargo", "package-ecosystem: crates")
    result = checkout.validate()
    assert "schema-dependabot" in failed_checks(result), result.output


def test_pull_request_target_fails_zizmor_and_the_invariants(checkout):
    checkout.replace(".github/workflows/pr.yml", "  pull_request:\n    branches: [main]\n", "  pull_request_target:\n    branches: [main]\n")
    result = checkout.validate()
    assert {"zizmor", "invariants"} <= failed_checks(result), result.output
    assert "dangerous-triggers" in result.output
    assert "triggers on pull_request_target" in result.output


def test_a_checkout_that_keeps_its_credentials_fails(checkout):
    checkout.replace(".github/workflows/release.yml", "          persist-credentials: false\n", "          fetch-depth: 1\n")
    result = checkout.validate()
    assert {"zizmor", "invariants"} <= failed_checks(result), result.output
    assert "artipacked" in result.output
    assert "checkout without persist-credentials: false" in result.output


def test_a_template_injection_fails_zizmor(checkout):
    checkout.replace(
        ".github/workflows/pr.yml",
        "      - run: just lint\n",
        '      - run: echo "${{ github.event.pull_request.title }}"\n      - run: just lint\n',
    )
    result = checkout.validate()
    assert "zizmor" in failed_checks(result), result.output
    assert "template-injection" in result.output


def test_write_permissions_at_the_top_level_fail_the_invariants(checkout):
    checkout.replace(".github/workflows/release.yml", "\npermissions: {}\n", "\npermissions:\n  contents: write\n")
    result = checkout.validate()
    assert "invariants" in failed_checks(result), result.output
    assert "top-level permissions must be {}" in result.output


def test_a_missing_dependabot_ecosystem_fails_the_invariants(checkout):
    checkout.replace(".github/dependabot.yml", "  - package-ecosystem: docker\n", "  - package-ecosystem: pip\n")
    result = checkout.validate()
    assert "invariants" in failed_checks(result), result.output
    assert "no updates for docker" in result.output
