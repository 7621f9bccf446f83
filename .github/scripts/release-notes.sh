#!/usr/bin/env bash
# Usage: release-notes.sh VERSION [CHANGELOG]
# Print CHANGELOG.md's section of VERSION (what the release PR wrote), the GitHub Release's notes.
set -euo pipefail
version=${1:?version X.Y.Z}
changelog=${2:-CHANGELOG.md}
notes=$(awk -v head="## [${version}]" '
  index($0, head) == 1 { found = 1; next }
  found && /^## \[/ { exit }
  found { print }
' "$changelog")
if [ -z "${notes//[[:space:]]/}" ]; then
  echo "::error::${changelog} has no section for ${version}" >&2
  exit 1
fi
printf '%s\n' "$notes"
