#!/usr/bin/env bash
# Usage: release-version.sh [--paths]
# The release decision for the commit checked out (release-pr.yml), as key=value lines for $GITHUB_OUTPUT:
#   version=X.Y.Z   the workspace version (Cargo.toml [workspace.package]), what the image is built as;
#   tag=true        when tag vX.Y.Z does not exist yet: a release PR was merged, so tag this commit;
#   next=X.Y.Z      the version git-cliff derives from the conventional commits since the last release
#                   tag that touch the image's inputs (IMAGE_PATHS), and
#   release-pr=true when next differs from version: open (or update) the release pull request.
# Pin commits ("Deploy sha256:... to dev") are not conventional and change no image input: they never
# move the version. With --paths, prints the image inputs, one per line (release-pr.yml's push filter);
# with --version, only the workspace version (release.yml compares it with the tag it builds).
set -euo pipefail

# What alters the image: the service's sources, the workspace manifests, the lock file, the Dockerfile.
IMAGE_PATHS=("app/**" "Cargo.toml" "Cargo.lock" "Dockerfile" ".dockerignore" "rust-toolchain*")
if [ "${1:-}" = --paths ]; then
  printf '%s\n' "${IMAGE_PATHS[@]}"
  exit 0
fi

root=$(git rev-parse --show-toplevel)
version=$(sed -n '/^\[workspace.package\]/,/^\[/ s/^version *= *"\([^"]*\)".*/\1/p' "$root/Cargo.toml")
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "::error::Cargo.toml [workspace.package] has no X.Y.Z version (found '${version}')" >&2
  exit 1
fi
if [ "${1:-}" = --version ]; then
  echo "$version"
  exit 0
fi
tag=false
git -C "$root" rev-parse -q --verify "refs/tags/v${version}" > /dev/null || tag=true

include=()
for path in "${IMAGE_PATHS[@]}"; do include+=(--include-path "$path"); done
cliff_log=$(mktemp)
trap 'rm -f "$cliff_log"' EXIT
if [ "$tag" = true ]; then
  # A merged release PR: this commit is tagged vVERSION first; nothing more to propose until then.
  next=$version
elif ! next=$(cd "$root" && git-cliff --config cliff.toml "${include[@]}" --bumped-version 2> "$cliff_log"); then
  cat "$cliff_log" >&2
  exit 1
fi
next=${next#v}
if ! [[ "$next" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "::error::git-cliff computed no version (got '${next}')" >&2
  cat "$cliff_log" >&2
  exit 1
fi
echo "version=${version}"
echo "tag=${tag}"
echo "next=${next}"
if [ "$next" != "$version" ]; then echo "release-pr=true"; else echo "release-pr=false"; fi
