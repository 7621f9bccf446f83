#!/usr/bin/env bash
# Builds the service image from the repository's Dockerfile: comments-api:dev plus comments-api:<revision>, the
# last commit that changed the image's inputs.
# Uses the public base images when they are present or can be pulled, otherwise builds the local stand-ins
# (rust-builder.sh, runtime-base.sh) and uses those. RUST_IMAGE / RUNTIME_IMAGE override the choice.
# Prints the image size and the binary size.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=scripts/images/lib.sh
. "$here/lib.sh"

name=${IMAGE_NAME:-comments-api}

rust_image=${RUST_IMAGE:-$(pick_base rust)}
runtime_image=${RUNTIME_IMAGE:-$(pick_base runtime)}

revision=$(bash "$here/input-revision.sh" "$repo")
version=$(cd "$repo" && cargo metadata --no-deps --format-version 1 --locked --offline |
  python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "comments-api"))')
# The source label names the repository users clone; a checkout without a remote leaves it empty.
source_url=$(git -C "$repo" remote get-url origin 2>/dev/null | sed -E 's#^git@([^:]+):#https://\1/#; s#\.git$##' || true)

echo "images: building ${name}:dev and ${name}:${revision} (builder ${rust_image}, runtime ${runtime_image})"
started=$(date +%s)
previous=$(docker image inspect -f '{{.Id}}' "${name}:dev" 2>/dev/null || true)
set +o pipefail
# BuildKit sets BUILDPLATFORM itself; the classic builder (no buildx) needs it given (Dockerfile, FROM chef).
docker build \
  --build-arg BUILDPLATFORM="$(docker version --format '{{.Server.Os}}/{{.Server.Arch}}')" \
  --build-arg RUST_IMAGE="$rust_image" \
  --build-arg RUNTIME_IMAGE="$runtime_image" \
  --build-arg VERSION="$version" \
  --build-arg REVISION="$revision" \
  --build-arg SOURCE="$source_url" \
  -t "${name}:dev" -t "${name}:${revision}" \
  "$repo" 2>&1 | { grep --line-buffered -v -E 'legacy builder is deprecated|Install the buildx|docs.docker.com/go/buildx|^ *$' || true; }
status=${PIPESTATUS[0]}
set -o pipefail
[ "$status" = 0 ] || { echo "images: docker build failed (exit ${status})" >&2; exit 1; }
drop_if_dangling "$previous"

# The binary's size, read from the image without running anything in it.
cid=$(docker create "${name}:dev")
binary_bytes=$(docker cp "$cid:/usr/local/bin/comments-api" - | tar -tvf - | awk '{ print $3 }')
docker rm "$cid" >/dev/null
echo "images: ${name}:${revision} built in $(($(date +%s) - started))s: image $(image_size "${name}:dev")B" \
  "(runtime base $(image_size "$runtime_image")B, binary $(human_bytes "$binary_bytes")B = ${binary_bytes} bytes);" \
  "$(docker run --rm "${name}:dev" --version)"
