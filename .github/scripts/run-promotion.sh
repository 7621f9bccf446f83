#!/usr/bin/env bash
# Usage: run-promotion.sh SOURCE TARGET ROLLBACK OUTPUT_FILE
# Change the target environment's digest pin in the working tree and keep the printed rendered diff:
# `just promote SOURCE TARGET` copies the previous environment's digest; a rollback (ROLLBACK=true,
# SOURCE=sha256:...) pins that exact digest with `just rollback TARGET --digest` (a digest the target
# ran before; HISTORY.md records it with REASON).
# `just promote` runs the evidence gate (tools/k8s/gate.py); env EVIDENCE_OUT names the file for the
# gate's evidence (PR body), FORCE=true with REASON waives the evidence and the soak (recorded).
set -euo pipefail

source=${1:?source environment or digest}
target=${2:?target environment}
rollback=${3:?true or false}
output=${4:?output file}

if [ "$rollback" = true ]; then
  args=("$target" --digest "$source" --reason "${REASON:?a rollback needs REASON}")
  if [ -n "${EVIDENCE_OUT:-}" ]; then args+=(--evidence-out "$EVIDENCE_OUT"); fi
  just rollback "${args[@]}" | tee "$output"
else
  args=("$source" "$target")
  if [ -n "${EVIDENCE_OUT:-}" ]; then args+=(--evidence-out "$EVIDENCE_OUT"); fi
  if [ "${FORCE:-false}" = true ]; then args+=(--force --reason "${REASON:?FORCE needs REASON}"); fi
  just promote "${args[@]}" | tee "$output"
fi
