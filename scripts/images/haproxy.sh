#!/usr/bin/env bash
# Prints the HAProxy image `just cluster-test` starts: HAPROXY_IMAGE when set; else the official image
# (OFFICIAL_HAPROXY_IMAGE, default haproxy:3.0) when present or pullable; else the local stand-in
# comments-platform/haproxy:debian, built from Debian's haproxy package (debootstrap + docker import) when missing.
# Messages go to stderr, the name to stdout. REBUILD=1 rebuilds the stand-in. Building needs debootstrap and root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/images/lib.sh
. "$here/lib.sh"

if [ -n "${HAPROXY_IMAGE:-}" ]; then
  echo "$HAPROXY_IMAGE"
  exit 0
fi
official=${OFFICIAL_HAPROXY_IMAGE:-haproxy:3.0}
if image_available "$official"; then
  echo "$official"
  exit 0
fi
image=${HAPROXY_LOCAL_IMAGE:-comments-platform/haproxy:debian}
if image_present "$image" && [ "${REBUILD:-0}" != 1 ]; then
  echo "images: ${official} cannot be pulled here; using ${image} (present)" >&2
  echo "$image"
  exit 0
fi
echo "images: ${official} cannot be pulled here; building ${image} from Debian's haproxy package" >&2
started=$(date +%s)
previous=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
root=$(scratch_dir)
trap 'rm -rf "$root"' EXIT
debootstrap_tree "$root" "${HAPROXY_SUITE:-trixie}" haproxy >&2
# The package's own configuration and service files are never read: the cluster test mounts its configuration.
remove_paths "$root" /etc/haproxy/haproxy.cfg /etc/init.d /etc/systemd /etc/logrotate.d
# shellcheck disable=SC2016 # ${Version} is dpkg-query's format field, not a shell expansion.
version=$(chroot "$root" dpkg-query -W -f '${Version}' haproxy)
# The official image's interface: the configuration at /usr/local/etc/haproxy/haproxy.cfg, run in the foreground
# (-W master-worker, -db no daemon), an unprivileged user (docker import cannot set STOPSIGNAL).
install -d "$root/usr/local/etc/haproxy"
import_tree "$root" "$image" \
  --change 'ENTRYPOINT ["/usr/sbin/haproxy", "-W", "-db", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]' \
  --change 'USER haproxy' \
  --change "LABEL org.opencontainers.image.title=haproxy org.opencontainers.image.description=\"Local stand-in for the official haproxy image (Debian haproxy ${version})\""
echo "images: built ${image} (HAProxy ${version}, $(image_size "$image")B) in $(($(date +%s) - started))s" >&2
drop_if_dangling "$previous"
echo "$image"
