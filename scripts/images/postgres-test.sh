#!/usr/bin/env bash
# Builds comments-platform/postgres-test:17, a local stand-in for the official postgres:17 image that the
# stock testcontainers Postgres module starts unchanged (TEST_POSTGRES_IMAGE). Skips when the image exists;
# REBUILD=1 forces a rebuild. Needs debootstrap, docker and root (debootstrap).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/images/lib.sh
. "$here/lib.sh"

image=${POSTGRES_TEST_IMAGE:-comments-platform/postgres-test:17}
base=comments-platform/postgres-test-base:17

if image_present "$image" && [ "${REBUILD:-0}" != 1 ]; then
  echo "images: ${image} present, skipping"
  exit 0
fi
started=$(date +%s)
previous=$(docker image inspect -f '{{.Id}}' "$image" "$base" 2>/dev/null || true)

# Strip what a test database never uses: LLVM and the JIT that loads it (half of the size; the entrypoint
# sets jit = off), the cluster the package's postinst creates, and the Debian cluster wrappers' config.
if ! image_present "$base" || [ "${REBUILD:-0}" = 1 ]; then
  root=$(scratch_dir)
  trap 'rm -rf "$root"' EXIT
  debootstrap_tree "$root" trixie postgresql-17
  remove_paths "$root" /usr/lib/postgresql/17/lib/llvmjit.so /usr/lib/postgresql/17/lib/llvmjit_types.bc \
    /usr/lib/postgresql/17/lib/bitcode '/usr/lib/*/libLLVM*' '/usr/lib/*/libz3.so*' \
    /var/lib/postgresql/17 /etc/postgresql/17
  import_tree "$root" "$base"
fi

version=$(docker run --rm --entrypoint dpkg-query "$base" -W -f '${Version}' postgresql-17)
docker build --quiet --build-arg BASE="$base" --build-arg VERSION="$version" -t "$image" "$here/postgres-test" >/dev/null
echo "images: built ${image} (PostgreSQL ${version}, $(image_size "$image")B) in $(($(date +%s) - started))s"
# shellcheck disable=SC2086 # one id a word
drop_if_dangling $previous
