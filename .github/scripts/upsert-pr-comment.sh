#!/usr/bin/env bash
# Usage: upsert-pr-comment.sh PR_NUMBER MARKER BODY_FILE
# Keep exactly one comment per MARKER on a pull request: edit the comment whose body starts with the
# hidden marker, or create it. Needs GH_TOKEN (pull-requests: write) and GH_REPO (owner/name).
set -euo pipefail

pr=${1:?pull request number}
marker=${2:?hidden marker, e.g. <!-- comments-platform:loadtest -->}
body_file=${3:?body file}

[[ "$pr" =~ ^[0-9]+$ ]] || { echo "::error::not a pull request number: $pr"; exit 1; }
# GitHub rejects comments over 65,536 characters; keep room for the marker and the note.
limit=64000
text=$(head -c "$limit" "$body_file")
if [ "$(wc -c < "$body_file")" -gt "$limit" ]; then
  text+=$'\n\n_Report cut to fit a comment; the full report is in the run\'s artifacts._'
fi
payload=$(jq -n --arg body "${marker}"$'\n'"${text}" '{body: $body}')

existing=$(gh api --paginate "repos/${GH_REPO}/issues/${pr}/comments" \
  --jq ".[] | select(.body | startswith(\"${marker}\")) | .id" | head -n 1)

if [ -n "$existing" ]; then
  gh api --method PATCH "repos/${GH_REPO}/issues/comments/${existing}" --input - <<< "$payload" > /dev/null
  echo "updated comment ${existing} on #${pr}"
else
  gh api --method POST "repos/${GH_REPO}/issues/${pr}/comments" --input - <<< "$payload" > /dev/null
  echo "created a comment on #${pr}"
fi
