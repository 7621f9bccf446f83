#!/usr/bin/env bash
# Usage: promotion-body.sh TARGET DIGEST SOURCE PROMOTE_OUTPUT EVIDENCE_DIR [ROLLBACK_REASON]
# Write the Markdown description of a promotion pull request: what moves where, the gate's evidence
# (env PROMOTION_EVIDENCE: the file `just promote --evidence-out` wrote: both clouds' deploy statuses,
# the soak, or the FORCED waiver and its reason), the rendered difference printed by `just promote`, the load-test evidence for that digest (or, for a rollback,
# why there is none), and the exact command that undoes it.
set -euo pipefail

target=${1:?target environment}
digest=${2:?image digest}
source=${3:?where the digest comes from}
promote_output=${4:?file with the output of just promote}
evidence_dir=${5-}
rollback_reason=${6-}

[[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "not an image digest: $digest" >&2; exit 1; }
run_url="${GITHUB_SERVER_URL:-}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID:-}"
budget=40000

echo "## Deploy \`${digest}\` to ${target}"
echo
echo "- source: ${source}"
echo "- made by: \`just promote\` in [this run](${run_url})"
echo "- deploys when merged: Argo CD syncs environments/${target} from main"
echo
if [ -n "${PROMOTION_EVIDENCE:-}" ] && [ -s "$PROMOTION_EVIDENCE" ]; then
  cat "$PROMOTION_EVIDENCE"
  echo
fi
if [ -n "$rollback_reason" ]; then
  echo "### Rollback"
  echo
  echo "Reason: ${rollback_reason}"
  echo
  echo "A rollback re-deploys a digest that already passed its load test when it was first promoted"
  echo "(see that promotion's pull request); it is not load-tested again, to keep the path fast."
  echo
elif [ -n "$evidence_dir" ] && [ -s "$evidence_dir/report.md" ]; then
  echo "### Load-test evidence (loadtest/slo/${target}.toml)"
  echo
  echo "Measured on the source revision of this digest; JSON and SVG in the run's \`loadtest-evidence\` artifact."
  echo
  if [ -s "$evidence_dir/verdict.txt" ]; then
    echo '```'
    cat "$evidence_dir/verdict.txt"
    echo '```'
    echo
  fi
  cat "$evidence_dir/report.md"
  echo
elif [ "$target" = dev ]; then
  echo "### Load-test evidence"
  echo
  echo "A release reaches dev after the PR SLO load test of its pull request and of \`main\` (pr.yml);"
  echo "staging and prod get a fresh run against their own SLO when promoted."
  echo
else
  echo "### Load-test evidence"
  echo
  echo "None attached: see the run."
  echo
fi
echo "### Rendered difference"
echo
echo '```diff'
head -c "$budget" "$promote_output"
if [ "$(wc -c < "$promote_output")" -gt "$budget" ]; then
  echo
  echo "... cut at ${budget} characters; the full output is in the run log."
fi
echo '```'
echo
echo "### Undo"
echo
echo "Promote the digest this replaces through the same path: Actions > promote > Run workflow with"
echo "\`to: ${target}\` and \`digest: <previous digest from the diff above>\` (CLI:"
echo "\`gh workflow run promote.yml -f from=<env> -f to=${target} -f digest=sha256:... -f reason=...\`)."
