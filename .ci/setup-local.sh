#!/usr/bin/env bash
# `just setup`: the same install steps CI runs, for a developer machine.
set -euo pipefail
cd "$(dirname "$0")/.."
for step in .ci/setup.d/*.sh; do bash "$step"; done
