#!/usr/bin/env bash
# Runs every install step in .ci/setup.d in order: `.ci/run` on CI, `just setup` on a developer machine.
set -euo pipefail
cd "$(dirname "$0")/.."
for step in .ci/setup.d/*.sh; do
  echo "::group::setup: ${step}"
  bash "$step"
  echo "::endgroup::"
done
