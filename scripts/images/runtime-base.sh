#!/usr/bin/env bash
# Builds comments-platform/runtime-cc:debian13-nonroot, a local stand-in for gcr.io/distroless/cc-debian13:nonroot
# on machines that cannot pull it: Debian 13 (trixie) files of libc6, libgcc-s1, tzdata, netbase and
# base-files plus the CA bundle, users root/nonroot(65532)/nobody, no shell, no package manager.
# Skips when present; REBUILD=1 forces a rebuild. Needs debootstrap, docker and root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/images/lib.sh
. "$here/lib.sh"

image=$(runtime_base_image)
if image_present "$image" && [ "${REBUILD:-0}" != 1 ]; then
  echo "images: ${image} present, skipping"
  exit 0
fi
started=$(date +%s)
previous=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
root=$(scratch_dir)
slim=$(scratch_dir)
trap 'rm -rf "$root" "$slim"' EXIT

debootstrap_tree "$root" trixie ca-certificates,tzdata,libgcc-s1,netbase

# Only the files those packages install (their dpkg file lists), without executables, iconv modules and
# documentation: what distroless keeps of them. The merged-/usr links come along so /lib64's loader resolves.
packages=(base-files libc6 libgcc-s1 tzdata netbase)
{
  printf '%s\n' /bin /sbin /lib /lib64 /etc/ssl/certs/ca-certificates.crt
  for pkg in "${packages[@]}"; do
    list=$(find "$root/var/lib/dpkg/info" -name "${pkg}.list" -o -name "${pkg}:*.list" | head -n 1)
    [ -n "$list" ] || { echo "images: no file list for ${pkg}" >&2; exit 1; }
    cat "$list"
  done
} | grep -v -E '^/\.$|^/usr/(s?bin|libexec|share/(doc|man|lintian|locale|info|common-licenses|bug))(/|$)|/gconv(/|$)' \
  | sed 's|^/||' | sort -u >"$slim.list"
tar -C "$root" --no-recursion -c -T "$slim.list" | tar -C "$slim" -x
rm -f "$slim.list"

install -d -m 1777 "$slim/tmp"
install -d -m 0700 -o 65532 -g 65532 "$slim/home/nonroot"
install -d -m 0700 "$slim/root"
cat >"$slim/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
PASSWD
cat >"$slim/etc/group" <<'GROUP'
root:x:0:
nobody:x:65534:
nonroot:x:65532:
GROUP
printf 'hosts: files dns\n' >"$slim/etc/nsswitch.conf"
ldconfig -r "$slim"

glibc=$(awk '/^Package: libc6$/ { hit = 1 } hit && /^Version:/ { print $2; exit }' "$root/var/lib/dpkg/status")
import_tree "$slim" "$image" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
  --change 'USER 65532:65532' \
  --change 'WORKDIR /home/nonroot' \
  --change "LABEL org.opencontainers.image.title=runtime-cc org.opencontainers.image.description=\"Local stand-in for distroless cc-debian13 nonroot (glibc ${glibc})\""
echo "images: built ${image} ($(image_size "$image")B) in $(($(date +%s) - started))s"
drop_if_dangling "$previous"
