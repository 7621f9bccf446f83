#!/usr/bin/env bash
# Usage: validate-workflows.sh [REPO_ROOT]
# Every offline check of the GitHub Actions configuration, each reported by name; exits non-zero if
# any fails (all run, so one pass shows every problem):
#   actionlint (with shellcheck on every `run:` script), zizmor --offline (zero findings),
#   JSON schemas shipped with check-jsonschema (workflows, composite actions, dependabot),
#   the repository's own invariants (check_workflow_invariants.py).
# Any attempt to reach the network fails fast: the proxy variables point at a closed local port.
set -euo pipefail

root=$(cd "${1:-.}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
export HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
unset NO_PROXY no_proxy
export NO_COLOR=1

for tool in actionlint shellcheck zizmor check-jsonschema python3; do
  command -v "$tool" > /dev/null || { echo "validate-workflows: $tool not found (run: just setup)" >&2; exit 1; }
done

shopt -s nullglob
workflows=("$root"/.github/workflows/*.yml "$root"/.github/workflows/*.yaml)
actions=("$root"/.github/actions/*/action.yml "$root"/.github/actions/*/action.yaml)
failed=()

run() {
  local name=$1; shift
  echo "--- ${name}"
  if "$@"; then echo "ok: ${name}"; else echo "FAILED: ${name}"; failed+=("$name"); fi
}

# Naming shellcheck explicitly: actionlint would otherwise skip script checks silently without it.
run actionlint bash -c 'cd "$1" && actionlint -no-color -shellcheck="$(command -v shellcheck)" -pyflakes=' _ "$root"
run zizmor zizmor --offline --strict-collection --no-progress "$root/.github"
run schema-workflows check-jsonschema --builtin-schema vendor.github-workflows "${workflows[@]}"
if ((${#actions[@]})); then
  run schema-actions check-jsonschema --builtin-schema vendor.github-actions "${actions[@]}"
fi
run schema-dependabot check-jsonschema --builtin-schema vendor.dependabot "$root/.github/dependabot.yml"
# The invariants import the repository's own constants (tools/environments.py) from the repository
# holding this script.
run invariants env PYTHONPATH="$(dirname "$(dirname "$here")")${PYTHONPATH:+:$PYTHONPATH}" \
  python3 "$here/check_workflow_invariants.py" "$root"

if ((${#failed[@]})); then
  echo "validate-workflows: FAILED: ${failed[*]}"
  exit 1
fi
echo "validate-workflows: all checks passed (${#workflows[@]} workflows, ${#actions[@]} composite actions)"
