#!/usr/bin/env bash
# Usage: copy-image.sh SOURCE_ENV TARGET_ENV DIGEST
# Promotion's registry step: make DIGEST (image index, signatures, attestations) present in the
# target environment's registries before any pin of the target names it. Each environment has its
# own registries (`just image-refs <env>`: what its clusters pull from); the job runs as the target
# environment's CI identity, which may write its own registries and only read the source's.
#   1. a digest the target already holds (a rollback, a re-run) is not copied again; otherwise the
#      source's signature must verify (keyless, this repository's workflows, GitHub's issuer);
#   2. `oras cp -r` by digest (bytes unchanged, so the digest is preserved) with its referrers: cosign 3
#      stores signatures and attestations as OCI referrers (bundle format), which `cosign copy` (legacy
#      .sig/.att tags only) leaves behind. Tagged with the digest's source revision like the release
#      tags it (tags are immutable; untagged images expire);
#   3. the target must then serve that digest with a signature that verifies there.
set -euo pipefail

source_env=${1:?source environment}
target_env=${2:?target environment}
digest=${3:?sha256 digest}
if ! [[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]]; then
  echo "::error::not an image digest: '${digest}'" >&2
  exit 1
fi
if [ "$source_env" = "$target_env" ]; then
  echo "::error::source and target are both ${target_env}: nothing to copy between registries" >&2
  exit 1
fi
: "${GITHUB_SERVER_URL:?}" "${GITHUB_REPOSITORY:?}"
here=$(dirname "$0")

refs() { just image-refs "$1" | sed -n "s/^$2=//p"; }
verify() {
  cosign verify "$1" \
    --certificate-identity-regexp "^${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/\.github/workflows/" \
    --certificate-oidc-issuer https://token.actions.githubusercontent.com > /dev/null
}

for kind in gar-image ecr-image; do
  src=$(refs "$source_env" "$kind")
  dst=$(refs "$target_env" "$kind")
  if [ -z "$src" ] || [ -z "$dst" ]; then
    echo "::error::no ${kind} for ${source_env} or ${target_env} (just image-refs)" >&2
    exit 1
  fi
  if docker buildx imagetools inspect "${dst}@${digest}" > /dev/null 2>&1; then
    echo "${dst}@${digest}: already present, not copied"
  else
    verify "${src}@${digest}"
    rev=$(bash "$here/image-revision.sh" "${src}@${digest}")
    oras cp -r "${src}@${digest}" "${dst}:${rev}"
    echo "${src}@${digest} -> ${dst}:${rev}"
  fi
  got=$( (docker buildx imagetools inspect "${dst}@${digest}" --format '{{ json .Manifest }}' | jq -r .digest) || true)
  if [ "$got" != "$digest" ]; then
    echo "::error::${dst} serves ${got:-nothing} for ${digest}" >&2
    exit 1
  fi
  verify "${dst}@${digest}"
done
