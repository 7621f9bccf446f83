#!/usr/bin/env bash
# Usage: release-prepare.sh VERSION
# The release pull request's change: the workspace version in Cargo.toml and in Cargo.lock's entries of
# the workspace's own packages, and CHANGELOG.md's new section (git-cliff, the commits since the last
# release tag that touch the image's inputs). Merging it makes release-pr.yml tag vVERSION.
set -euo pipefail

next=${1:?version X.Y.Z}
[[ "$next" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "::error::not a version: '${next}'" >&2; exit 1; }
root=$(git rev-parse --show-toplevel)
here=$(cd "$(dirname "$0")" && pwd)
cd "$root"

old=$(sed -n '/^\[workspace.package\]/,/^\[/ s/^version *= *"\([^"]*\)".*/\1/p' Cargo.toml)
sed -i "/^\[workspace.package\]/,/^\[/ s/^version *= *\"${old//./\\.}\"/version = \"${next}\"/" Cargo.toml
# Workspace members are the lock entries without a `source` (registry and git packages have one).
members=$(python3 -c '
import sys, tomllib
root = tomllib.load(open("Cargo.toml", "rb"))
for member in root["workspace"]["members"]:
    print(tomllib.load(open(f"{member}/Cargo.toml", "rb"))["package"]["name"])')
for member in $members; do
  awk -v name="$member" -v old="$old" -v new="$next" '
    /^\[\[package\]\]/ { in_member = 0 }
    $0 == "name = \"" name "\"" { in_member = 1 }
    /^source = / { in_member = 0 }
    in_member && $0 == "version = \"" old "\"" { $0 = "version = \"" new "\""; in_member = 0 }
    { print }
  ' Cargo.lock > Cargo.lock.new
  mv Cargo.lock.new Cargo.lock
done

include=()
while IFS= read -r path; do include+=(--include-path "$path"); done < <(bash "$here/release-version.sh" --paths)
if [ -f CHANGELOG.md ]; then
  git-cliff --config cliff.toml "${include[@]}" --unreleased --tag "v${next}" --prepend CHANGELOG.md 2> /dev/null
else
  git-cliff --config cliff.toml "${include[@]}" --unreleased --tag "v${next}" --output CHANGELOG.md 2> /dev/null
fi
echo "release: ${old} -> ${next} (Cargo.toml, Cargo.lock, CHANGELOG.md)"
