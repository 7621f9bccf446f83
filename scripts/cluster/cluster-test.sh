#!/usr/bin/env bash
# `just cluster-test`: the service image (comments-api:dev, built by scripts/images/service-image.sh unless
# CLUSTER_IMAGE names one) and a release load generator (unless LOADTEST_BIN names one), then the driver
# (scripts/cluster/run.py). Exit status: the driver's (0 every target met, 1 one missed, 2 could not run).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ -z "${CLUSTER_IMAGE:-}" ]; then
  bash scripts/images/service-image.sh
fi
if [ -z "${LOADTEST_BIN:-}" ]; then
  cargo build --release --locked -p loadtest
fi
exec python3 -m scripts.cluster.run "$@"
