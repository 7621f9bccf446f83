#!/usr/bin/env bash
# Usage: rendered-diff.sh BASE_DIR HEAD_DIR
# Compare two directories of rendered manifests (`just k8s-render` output: <env>-<cloud>.yaml) and print
# a Markdown report: a summary table, then one collapsible unified diff per changed file. The whole
# report stays under GitHub's comment limit (65,536 characters); a cut diff says so.
set -euo pipefail

base=${1:?base directory}
head=${2:?head directory}
budget=${RENDERED_DIFF_BUDGET:-60000}

# A file missing on one side diffs against an empty one.
side() { if [ -e "$1/$2" ]; then echo "$1/$2"; else echo /dev/null; fi; }

files=$( { ls -1 "$base" 2>/dev/null || true; ls -1 "$head" 2>/dev/null || true; } | grep -E '\.ya?ml$' | sort -u)

changed=()
table="| environment | change |"$'\n'"|---|---|"$'\n'
for f in $files; do
  if [ ! -e "$base/$f" ]; then
    state="added"
  elif [ ! -e "$head/$f" ]; then
    state="removed"
  elif cmp -s "$base/$f" "$head/$f"; then
    table+="| \`${f%.*}\` | unchanged |"$'\n'
    continue
  else
    state="changed"
  fi
  counts=$(diff -u "$(side "$base" "$f")" "$(side "$head" "$f")" | awk '/^\+[^+]/{a++} /^-[^-]/{d++} END{printf "+%d -%d", a, d}' || true)
  table+="| \`${f%.*}\` | ${state} (${counts}) |"$'\n'
  changed+=("$f")
done

echo "### Rendered manifests: head vs base"
echo
if [ -z "$files" ]; then
  echo "Neither side rendered any manifest."
  exit 0
fi
printf '%s\n' "$table"
if [ ${#changed[@]} -eq 0 ]; then
  echo "No rendered change in any environment."
  exit 0
fi

per_file=$(( budget / ${#changed[@]} ))
for f in "${changed[@]}"; do
  body=$(diff -u --label "base/$f" --label "head/$f" "$(side "$base" "$f")" "$(side "$head" "$f")" || true)
  echo "<details><summary><code>${f%.*}</code></summary>"
  echo
  echo '```diff'
  if [ ${#body} -gt "$per_file" ]; then
    printf '%s\n' "${body:0:$per_file}"
    echo '```'
    echo
    echo "_Diff cut at ${per_file} characters; the full diff is in the \`rendered-diff\` artifact._"
  else
    printf '%s\n' "$body"
    echo '```'
  fi
  echo
  echo "</details>"
done
