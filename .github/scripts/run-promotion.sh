#!/usr/bin/env bash
# Usage: run-promotion.sh SOURCE TARGET ROLLBACK OUTPUT_FILE
# Change the target environment's digest pin in the working tree and keep the printed rendered diff:
# `just promote SOURCE TARGET` copies the previous environment's digest; a rollback (ROLLBACK=true,
# SOURCE=sha256:...) pins that exact digest with `just pin-digest`.
set -euo pipefail

source=${1:?source environment or digest}
target=${2:?target environment}
rollback=${3:?true or false}
output=${4:?output file}

if [ "$rollback" = true ]; then
  just pin-digest "$target" "$source" | tee "$output"
else
  just promote "$source" "$target" | tee "$output"
fi
