#!/usr/bin/env bash
# Check a promotion request (env FROM, TO, DIGEST, REASON) and print `key=value` lines:
#   source       what `just promote` takes first: the environment to copy from, or the exact digest
#   rollback     true when an explicit digest was given (rollback / re-pin)
#   environment  the GitHub environment that guards the target (prod -> production)
#                (a forced promotion, FORCE=true, is guarded by `production` whatever the target)
#   source-environment  the environment whose registries hold the digest and are copied from (the
#                promotion's `from`; for a rollback the target's previous environment; none for dev)
# Promotions go one step at a time (dev -> staging -> prod); an explicit digest may target any.
set -euo pipefail

: "${TO:?target environment}"
# Promotions describe what main deploys: run them from main only (the cloud trust accepts main too).
if [ "${GITHUB_REF:-refs/heads/main}" != refs/heads/main ]; then
  echo "::error::run promote from main, not ${GITHUB_REF}" >&2
  exit 1
fi
if [ -n "${DIGEST:-}" ]; then
  if ! [[ "$DIGEST" =~ ^sha256:[0-9a-f]{64}$ ]]; then
    echo "::error::digest must look like sha256:<64 hex>, got '${DIGEST}'" >&2
    exit 1
  fi
  if [ -z "${REASON:-}" ]; then
    echo "::error::a rollback (explicit digest) needs a reason" >&2
    exit 1
  fi
  echo "source=${DIGEST}"
  echo "rollback=true"
  case "$TO" in
    staging) echo "source-environment=dev" ;;
    prod) echo "source-environment=staging" ;;
    *) echo "source-environment=" ;;
  esac
else
  case "${FROM:-}:${TO}" in
    dev:staging | staging:prod) ;;
    *)
      echo "::error::promotions go dev -> staging -> prod; '${FROM:-}' -> '${TO}' is not one (use digest for a rollback)" >&2
      exit 1
      ;;
  esac
  echo "source=${FROM}"
  echo "rollback=false"
  echo "source-environment=${FROM}"
fi
if [ "${FORCE:-false}" = true ] && [ -z "${REASON:-}" ]; then
  echo "::error::a forced promotion needs a reason" >&2
  exit 1
fi
case "${FORCE:-false}:$TO" in
  true:* | *:prod) echo "environment=production" ;;
  *:staging | *:dev) echo "environment=${TO}" ;;
  *) echo "::error::unknown environment '${TO}'" >&2; exit 1 ;;
esac
