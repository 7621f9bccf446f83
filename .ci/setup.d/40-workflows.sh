#!/usr/bin/env bash
# Workflow checks: actionlint, shellcheck, zizmor and check-jsonschema come as pinned wheels
# (.ci/requirements/workflows.txt, installed into .tools/venv by 00-base.sh). This step only proves
# they are there and runnable, so a missing tool fails setup instead of skipping a check later.
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=.tools/venv/bin
for tool in actionlint shellcheck zizmor check-jsonschema git-cliff; do
  if [ ! -x "$bin/$tool" ]; then
    echo "setup(workflows): $bin/$tool is missing: is .ci/requirements/workflows.txt installed?" >&2
    exit 1
  fi
done
echo "setup(workflows): $("$bin/actionlint" --version | head -n 1), $("$bin/zizmor" --version), shellcheck $("$bin/shellcheck" --version | sed -n 's/^version: //p'), $("$bin/check-jsonschema" --version), $("$bin/git-cliff" --version)"

# The setup-as-sudo-user test runs the setup steps in a runner-like container (tests/workflows): build its
# image now, while the machine is otherwise idle, rather than inside the test beside CI's image build.
bash scripts/images/runner-test.sh
