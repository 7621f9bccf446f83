#!/usr/bin/env bash
# Usage: loadtest-summary.sh REPORT_DIR OUTCOME COMMENT_DIR [PR_NUMBER]
# Publish the load test's Markdown report to the job summary and prepare the PR comment body (read
# by pr-comment.yml). A run that breached the SLO still has its report; a run that produced none
# (build failure, crash) says so instead of leaving a stale comment saying the last run passed.
set -euo pipefail

report_dir=${1:?report directory}
outcome=${2:?step outcome}
comment_dir=${3:?comment directory}
pr=${4:-}

mkdir -p "$comment_dir"
body="$comment_dir/body.md"
commit=${GITHUB_SHA:-unknown}
run_url="${GITHUB_SERVER_URL:-}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID:-}"

{
  case "$outcome" in
    success) echo "### Load test (PR SLO): passed" ;;
    *) echo "### Load test (PR SLO): ${outcome}" ;;
  esac
  echo
  echo "Commit \`${commit}\` · [run and artifacts (report.json, report.svg)](${run_url})"
  echo
  if [ -s "$report_dir/report.md" ]; then
    cat "$report_dir/report.md"
  else
    echo "The load test produced no report: see the job log."
  fi
} > "$body"

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$body" >> "$GITHUB_STEP_SUMMARY"
fi
[ -z "$pr" ] || echo "$pr" > "$comment_dir/pr-number"
