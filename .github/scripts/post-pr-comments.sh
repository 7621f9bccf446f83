#!/usr/bin/env bash
# Usage: post-pr-comments.sh COMMENTS_DIR
# Post the PR pipeline's reports (one sub-directory per artifact `pr-comment-<kind>`, each holding
# body.md and pr-number) as one comment per kind. The artifacts come from a run that may have
# executed a fork's code, so they are data only: the kind must be known, and the PR number is
# accepted only if that PR's head is the commit and repository the run built (HEAD_SHA, HEAD_REPO).
# Needs GH_TOKEN and GH_REPO.
set -euo pipefail

comments=${1:?directory of downloaded pr-comment-* artifacts}
: "${HEAD_SHA:?}" "${HEAD_REPO:?}" "${GH_REPO:?}"
here=$(cd "$(dirname "$0")" && pwd)

shopt -s nullglob
posted=0
for dir in "$comments"/pr-comment-*; do
  kind=${dir##*/pr-comment-}
  case "$kind" in
    loadtest) marker='<!-- comments-platform:loadtest -->' ;;
    rendered-diff) marker='<!-- comments-platform:rendered-diff -->' ;;
    *) echo "::warning::ignoring unknown artifact ${dir##*/}"; continue ;;
  esac
  pr=$(head -c 20 "$dir/pr-number" 2>/dev/null | tr -dc '0-9')
  if [ -z "$pr" ] || [ ! -f "$dir/body.md" ]; then
    echo "::warning::${kind}: no pull request number or body"; continue
  fi
  pr_head=$(gh api "repos/${GH_REPO}/pulls/${pr}" --jq '.head.sha + " " + (.head.repo.full_name // "")')
  if [ "$pr_head" != "${HEAD_SHA} ${HEAD_REPO}" ]; then
    echo "::warning::${kind}: #${pr} head is '${pr_head}', not this run's; not commenting"; continue
  fi
  bash "$here/upsert-pr-comment.sh" "$pr" "$marker" "$dir/body.md"
  posted=$((posted + 1))
done
echo "posted ${posted} report(s)"
