#!/usr/bin/env bash
# Builds comments-platform/rust-builder:<rustc version>-trixie, a local stand-in for the public
# rust:<version>-slim-trixie image on machines that cannot pull it. The Rust toolchain cannot be downloaded
# there, so the image carries this machine's own (rustc, cargo, std; documentation left out) on a Debian 13
# minbase with gcc and libc6-dev, the same set the slim image has. Containers reach the package registries but
# need the machine's CA bundle for HTTPS: it is copied in and named by CARGO_HTTP_CAINFO / SSL_CERT_FILE.
# The image never leaves the machine. Skips when present; REBUILD=1 forces a rebuild. Needs debootstrap, docker, root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/images/lib.sh
. "$here/lib.sh"

rust_version=$(rustc --version | awk '{ print $2 }')
image=$(rust_builder_image)
if image_present "$image" && [ "${REBUILD:-0}" != 1 ]; then
  echo "images: ${image} present, skipping"
  exit 0
fi
ca_bundle=${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
[ -s "$ca_bundle" ] || { echo "images: CA bundle ${ca_bundle} missing (set HOST_CA_BUNDLE)" >&2; exit 1; }
started=$(date +%s)
previous=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
root=$(scratch_dir)
trap 'rm -rf "$root"' EXIT

debootstrap_tree "$root" trixie gcc,libc6-dev,ca-certificates

sysroot=$(rustc --print sysroot)
install -d "$root/usr/local/rust" "$root/usr/local/cargo/bin" "$root/usr/local/share/ca-certificates-host"
tar -C "$sysroot" --exclude=./share/doc --exclude='./lib/rustlib/src' -c . | tar -C "$root/usr/local/rust" -x
install -m 0644 "$ca_bundle" "$root/usr/local/share/ca-certificates-host/ca-certificates.crt"

host_ca=/usr/local/share/ca-certificates-host/ca-certificates.crt
import_tree "$root" "$image" \
  --change 'ENV PATH=/usr/local/cargo/bin:/usr/local/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV CARGO_HOME=/usr/local/cargo' \
  --change "ENV CARGO_HTTP_CAINFO=${host_ca}" \
  --change "ENV SSL_CERT_FILE=${host_ca}" \
  --change "ENV RUST_VERSION=${rust_version}" \
  --change "LABEL org.opencontainers.image.title=rust-builder org.opencontainers.image.version=${rust_version} org.opencontainers.image.description=\"Local stand-in for rust:${rust_version}-slim-trixie carrying the machine's toolchain\""
echo "images: built ${image} ($(image_size "$image")B) in $(($(date +%s) - started))s"
drop_if_dangling "$previous"
