#!/usr/bin/env bash
# Base tools: apt packages the other steps need, and a repository-local Python venv (.tools/venv)
# holding `just` and every pinned Python tool listed in .ci/requirements/*.txt (one resolver run, so
# conflicting pins fail here, loudly).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/setup-lib.sh
. .ci/setup-lib.sh

apt_install debootstrap curl ca-certificates

command -v cargo >/dev/null || { echo "setup: cargo (Rust toolchain) is required" >&2; exit 1; }
command -v docker >/dev/null || { echo "setup: docker is required for the PostgreSQL tests and the image" >&2; exit 1; }

if [ ! -x .tools/venv/bin/python ]; then
  python3 -m venv .tools/venv
fi
mkdir -p .tools/bin
reqs=(.ci/requirements/*.txt)
stamp=.tools/venv/.requirements.sha256
sum=$(cat "${reqs[@]}" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
  .tools/venv/bin/pip install --quiet --disable-pip-version-check $(printf -- '-r %s ' "${reqs[@]}")
  echo "$sum" > "$stamp"
fi
.tools/venv/bin/just --version
