#!/usr/bin/env bash
# Base tools: apt packages the other steps need, and a Python venv (.tools/venv, kept in the user cache)
# holding `just` and every pinned Python tool listed in .ci/requirements/*.txt (one resolver run, so
# conflicting pins fail here, loudly).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/setup-lib.sh
. .ci/setup-lib.sh

apt_install debootstrap curl ca-certificates

command -v cargo >/dev/null || { echo "setup: cargo (Rust toolchain) is required" >&2; exit 1; }
command -v docker >/dev/null || { echo "setup: docker is required for the PostgreSQL tests and the image" >&2; exit 1; }

# The venv lives in the user's cache directory, one per content of the requirements files, and .tools/venv
# links to it: a fresh clone on a machine that installed the same pins before reuses them instead of spending
# ~45 s in pip. A venv is complete once its stamp is written; an incomplete one (an interrupted install) is
# made again. Venvs of other pins unused for a week are removed.
reqs=(.ci/requirements/*.txt)
sum=$(cat "${reqs[@]}" | sha256sum | cut -c1-16)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/comments-platform"
venv="$cache/venv-$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')-$sum"
mkdir -p "$cache" .tools/bin
(
  flock 9 # two setups at once on one machine: one installs, the other waits and reuses it
  if [ ! -f "$venv/.complete" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    # shellcheck disable=SC2046 # one -r per file
    "$venv/bin/pip" install --quiet --disable-pip-version-check $(printf -- '-r %s ' "${reqs[@]}")
    touch "$venv/.complete"
  fi
  touch "$venv/.complete" # last use, for the pruning below
  find "$cache" -maxdepth 1 -name 'venv-*' ! -path "$venv" -mtime +7 -exec rm -rf {} +
) 9> "$cache/venv.lock"
if [ -d .tools/venv ] && [ ! -L .tools/venv ]; then
  rm -rf .tools/venv # a venv of the earlier layout, inside the clone
fi
ln -sfn "$venv" .tools/venv
.tools/venv/bin/just --version
