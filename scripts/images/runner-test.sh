#!/usr/bin/env bash
# Builds comments-platform/runner-test:trixie, the user model of a GitHub-hosted runner for the setup
# test (tests/workflows/test_setup_as_sudo_user.py): a Debian minbase with sudo, user `runner` (uid 1001,
# passwordless sudo, as on GitHub's runners) and user `nosudo` (no sudo rights). It carries the
# PostgreSQL client tools, so the test's apt work stays small. Built from the public debian:trixie-slim
# where it can be pulled (GitHub's runners), else from Debian packages with debootstrap (this machine:
# needs root; a sudo user re-runs it through sudo). Skips when the image exists; REBUILD=1 rebuilds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/images/lib.sh
. "$here/lib.sh"

image=${RUNNER_TEST_IMAGE:-comments-platform/runner-test:trixie}
if image_present "$image" && [ "${REBUILD:-0}" != 1 ]; then
  echo "images: ${image} present, skipping"
  exit 0
fi
started=$(date +%s)
previous=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
packages="sudo ca-certificates curl util-linux postgresql-client"
users='useradd --create-home --uid 1001 --shell /bin/bash runner'
users+=' && useradd --create-home --uid 1002 --shell /bin/bash nosudo'
users+=' && echo "runner ALL=(ALL) NOPASSWD:ALL" > /etc/sudoers.d/runner && chmod 0440 /etc/sudoers.d/runner'
public=debian:trixie-slim
if image_available "$public"; then
  docker build --quiet -t "$image" - > /dev/null <<DOCKERFILE
FROM ${public}
RUN apt-get update && apt-get install -y --no-install-recommends ${packages} && rm -rf /var/lib/apt/lists/*
RUN ${users}
DOCKERFILE
else
  if [ "$(id -u)" -ne 0 ]; then exec sudo -n -E bash "$0" "$@"; fi
  root=$(scratch_dir)
  trap 'rm -rf "$root"' EXIT
  debootstrap_tree "$root" trixie "${packages// /,}"
  chroot "$root" bash -euc "$users"
  import_tree "$root" "$image" --change 'CMD ["bash"]'
fi
echo "images: built ${image} ($(image_size "$image")B) in $(($(date +%s) - started))s"
drop_if_dangling "$previous"
