"""`just validate-workflows` passes on the repository and each of its checks fails on a broken copy."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest
from workflows_helpers import REPO, SCRIPTS, run

CHECKOUT_PIN = "actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2"
LOGIN_PIN = "docker/login-action@4907a6ddec9925e35a0a9e82d7399ccc52663121 # v4.1.0"
PR, RELEASE, PROMOTE = ".github/workflows/pr.yml", ".github/workflows/release.yml", ".github/workflows/promote.yml"
RELEASE_PR = ".github/workflows/release-pr.yml"
BASH_DEFAULT = "defaults:\n  run:\n    shell: bash\n"


@dataclass(frozen=True)
class Breakage:
    """One edit to a copy of .github/, the checks it must fail, and what they must say."""

    file: str
    old: str
    new: str
    failing: frozenset[str]
    messages: tuple[str, ...]
    count: int = 1
    only: bool = False  # True: no other check may fail (the failure is this check's alone)


BREAKAGES = {
    "unpinned third-party action": Breakage(
        RELEASE,
        LOGIN_PIN,
        "docker/login-action@v3",
        frozenset({"zizmor", "invariants"}),
        ("unpinned-uses", "docker/login-action@v3 is not pinned by a full commit SHA"),
    ),
    "pin without its version comment": Breakage(
        PR,
        CHECKOUT_PIN,
        CHECKOUT_PIN.split(" #")[0],
        frozenset({"invariants"}),
        ("has no '# vX.Y.Z' version comment",),
        only=True,
    ),
    "job without timeout": Breakage(
        PR,
        "    timeout-minutes: 5\n    permissions: {}\n",
        "    permissions: {}\n",
        frozenset({"invariants"}),
        ("job gate has no timeout-minutes",),
    ),
    "job without permissions": Breakage(
        ".github/workflows/pr-comment.yml",
        "    permissions:\n      actions: read",
        "    x-permissions:\n      actions: read",
        frozenset({"invariants"}),
        ("job comment has no permissions",),
    ),
    "shellcheck error in a run script": Breakage(
        PR,
        "      - run: just lint\n",
        '      - run: |\n          target=$1\n          if [ -z $target ]; then echo "none"; fi\n          just lint\n',
        frozenset({"actionlint"}),
        ("shellcheck reported issue", "SC2086"),
        only=True,
    ),
    "unknown input of the local setup action": Breakage(
        PR,
        "cache-key: lint",
        "cache-kee: lint",
        frozenset({"actionlint"}),
        ('input "cache-kee" is not defined',),
        only=True,
    ),
    "schema error in a workflow": Breakage(
        PROMOTE,
        "    runs-on: ubuntu-24.04\n",
        "    runs_on: ubuntu-24.04\n",
        frozenset({"schema-workflows"}),
        ("promote.yml",),
    ),
    "schema error in dependabot.yml": Breakage(
        ".github/dependabot.yml",
        "package-ecosystem: cargo",
        "package-ecosystem: crates",
        frozenset({"schema-dependabot"}),
        ("dependabot.yml",),
    ),
    "pull_request_target trigger": Breakage(
        PR,
        "  pull_request:\n    branches: [main]\n",
        "  pull_request_target:\n    branches: [main]\n",
        frozenset({"zizmor", "invariants"}),
        ("dangerous-triggers", "triggers on pull_request_target"),
    ),
    "checkout that keeps its credentials": Breakage(
        RELEASE,
        "          persist-credentials: false\n",
        "          fetch-depth: 1\n",
        frozenset({"zizmor", "invariants"}),
        ("artipacked", "checkout without persist-credentials: false"),
    ),
    "template injection": Breakage(
        PR,
        "      - run: just lint\n",
        '      - run: echo "${{ github.event.pull_request.title }}"\n      - run: just lint\n',
        frozenset({"zizmor"}),
        ("template-injection",),
    ),
    "write permissions at the top level": Breakage(
        RELEASE,
        "\npermissions: {}\n",
        "\npermissions:\n  contents: write\n",
        frozenset({"invariants"}),
        ("top-level permissions must be {}",),
    ),
    "release pushing beyond dev's registries": Breakage(
        RELEASE,
        "run: just image-refs dev >>",
        "run: just image-refs prod >>",
        frozenset({"invariants"}),
        ("must push to dev's registries only (`just image-refs dev`), found ['prod']",),
    ),
    "promotion PR without the registry copy": Breakage(
        ".github/workflows/promote.yml",
        'run: bash .github/scripts/copy-image.sh "$SOURCE" "$TO" "$DIGEST"',
        'run: echo "$SOURCE" "$TO" "$DIGEST"',
        frozenset({"invariants"}),
        ("job promote opens the promotion PR without copying the digest into the target's registries first",),
    ),
    "dependabot without docker": Breakage(
        ".github/dependabot.yml",
        "  - package-ecosystem: docker\n",
        "  - package-ecosystem: pip\n",
        frozenset({"invariants"}),
        ("no updates for docker",),
    ),
}


# Breakages only the repository's invariants can see: checked by running check_workflow_invariants.py
# alone on the broken copy (the full validation above already proves the other tools pass the copy).
INVARIANT_BREAKAGES = {
    "workflow without the bash default (no pipefail)": Breakage(
        ".github/workflows/pr-comment.yml",
        BASH_DEFAULT,
        "",
        frozenset({"invariants"}),
        ("pr-comment.yml: no `defaults: run: shell: bash`",),
        only=True,
    ),
    "step overriding the shell": Breakage(
        PR,
        "      - run: just lint\n",
        "      - run: just lint\n        shell: sh\n",
        frozenset({"invariants"}),
        ("job lint step 3 runs with shell 'sh' (not bash with pipefail)",),
    ),
    "release started by pushes to main (pin merges loop)": Breakage(
        RELEASE,
        '    tags: ["v[0-9]+.[0-9]+.[0-9]+"]\n',
        "    branches: [main]\n",
        frozenset({"invariants"}),
        (
            "release.yml: a bot commit of .github/workflows/release.yml (add-paths environments/dev...) pushed to main "
            "starts this workflow, which builds and pushes the image: a release loop",
        ),
    ),
    "release PR workflow started by any push to main": Breakage(
        RELEASE_PR,
        '    paths:\n      - "app/**"\n',
        '    paths-ignore:\n      - "docs/**"\n',
        frozenset({"invariants"}),
        ("release-pr.yml: a bot commit of .github/workflows/promote.yml", "a release loop"),
    ),
    "PR gate without the OpenAPI check": Breakage(
        PR,
        "      - run: just openapi\n",
        "",
        frozenset({"invariants"}),
        ("the PR gate never runs `just openapi` (part of `just ci`)",),
        only=True,
    ),
    "PR gate without the slowed-service gate": Breakage(
        PR,
        "        run: just loadtest-slowed\n",
        "        run: just loadtest\n",
        frozenset({"invariants"}),
        ("the PR gate never runs `just loadtest-slowed` (part of `just ci`)",),
        only=True,
    ),
    # `just ci` builds the image inside a parallel group; only a PR job that runs `just ci-image` (whose
    # smoke test depends on `image`) builds it in the PR gate.
    "PR gate without the image job's recipe": Breakage(
        PR,
        "      - run: just ci-image\n",
        "      - run: just image-lint\n",
        frozenset({"invariants"}),
        (
            "the PR gate never runs `just image` (part of `just ci`)",
            "the PR gate never runs `just image-test` (part of `just ci`)",
            "the PR gate never runs `just image-compose-check` (part of `just ci`)",
            "the PR gate never runs `just image-smoke` (part of `just ci`)",
        ),
        only=True,
    ),
    "Node 20 action": Breakage(
        RELEASE,
        LOGIN_PIN,
        "docker/login-action@c94ce9fb468520275223c153574b00df6fe4bcc9 # v3.7.0",
        frozenset({"invariants"}),
        (
            "docker/login-action@c94ce9fb468520275223c153574b00df6fe4bcc9 (v3.7.0) runs on not listed in .github/action-runtimes.txt",
        ),
        only=True,
    ),
}


def failed_checks(result) -> set[str]:
    return {line.split(":", 1)[1].strip() for line in result.output.splitlines() if line.startswith("FAILED:")}


def test_the_repository_passes_every_check(checkout):
    result = checkout.validate()
    assert result.returncode == 0, result.output
    assert "validate-workflows: all checks passed" in result.output
    assert failed_checks(result) == set()


@pytest.mark.parametrize("name", BREAKAGES)
def test_each_check_fails_on_a_broken_copy(checkout, name):
    breakage = BREAKAGES[name]
    checkout.replace(breakage.file, breakage.old, breakage.new, count=breakage.count)
    result = checkout.validate()
    failed = failed_checks(result)
    assert result.returncode == 1, result.output
    if breakage.only:
        assert failed == breakage.failing, result.output
    else:
        assert breakage.failing <= failed, result.output
    for message in breakage.messages:
        assert message in result.output, f"{message!r} missing:\n{result.output}"


@pytest.mark.parametrize("name", INVARIANT_BREAKAGES)
def test_each_invariant_fails_on_a_broken_copy(checkout, name):
    breakage = INVARIANT_BREAKAGES[name]
    checkout.replace(breakage.file, breakage.old, breakage.new, count=breakage.count)
    # As validate-workflows.sh runs it: the repository root on PYTHONPATH for tools/environments.py.
    result = run(
        [sys.executable, str(SCRIPTS / "check_workflow_invariants.py"), str(checkout.root)],
        env={"PYTHONPATH": str(REPO)},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    for message in breakage.messages:
        assert message in output, f"{message!r} missing:\n{output}"
    if breakage.only:
        assert output.count("\n") == len(breakage.messages) + 1, f"other violations too:\n{output}"
