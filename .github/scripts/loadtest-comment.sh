#!/usr/bin/env bash
# Usage: loadtest-comment.sh REPORT_DIR OUTCOME COMMENT_DIR [PR_NUMBER]
# Prepare the PR comment body for pr-comment.yml from the load test's Markdown report (`just loadtest`
# already appends that report to the job summary). A run that produced no report (build failure,
# crash) says so in the comment and the summary, instead of leaving the last run's comment standing.
set -euo pipefail

report_dir=${1:?report directory}
outcome=${2:?step outcome}
comment_dir=${3:?comment directory}
pr=${4:-}

mkdir -p "$comment_dir"
run_url="${GITHUB_SERVER_URL:-}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID:-}"
missing="The load test produced no report: see the job log."

{
  if [ "$outcome" = success ]; then
    echo "### Load test (PR SLO): passed"
  else
    echo "### Load test (PR SLO): ${outcome}"
  fi
  echo
  echo "Commit \`${GITHUB_SHA:-unknown}\` · [run and artifacts (report.json, report.svg)](${run_url})"
  echo
  if [ -s "$report_dir/report.md" ]; then cat "$report_dir/report.md"; else echo "$missing"; fi
} > "$comment_dir/body.md"

if [ ! -s "$report_dir/report.md" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  echo "$missing" >> "$GITHUB_STEP_SUMMARY"
fi
[ -z "$pr" ] || echo "$pr" > "$comment_dir/pr-number"
