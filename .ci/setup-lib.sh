# shellcheck shell=bash
# Sourced by the steps in .ci/setup.d: what needs root runs as root whoever runs the setup. As root
# (this machine, CI here) directly; as another user with passwordless sudo (GitHub-hosted runners: user
# `runner`) through `sudo -n`; otherwise it fails, naming the command. tests/workflows runs the steps as
# such users in a container (test_setup_as_sudo_user.py).

# as_root CMD... -> CMD as root.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo > /dev/null && sudo -n true 2> /dev/null; then
    sudo -n "$@"
  else
    echo "setup: '$*' needs root: run as root or as a user with passwordless sudo" >&2
    return 1
  fi
}

# apt_install PKG... -> installs those of the Debian/Ubuntu packages that are missing (skips when none).
apt_install() {
  local need=() pkg
  for pkg in "$@"; do
    dpkg -s "$pkg" > /dev/null 2>&1 || need+=("$pkg")
  done
  ((${#need[@]})) || return 0
  echo "setup: installing ${need[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" > /dev/null
}
