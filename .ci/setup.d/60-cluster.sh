#!/usr/bin/env bash
# The load balancer of `just cluster-test`: the official HAProxy image when it can be pulled, else the local
# stand-in built from Debian's haproxy package (scripts/images/haproxy.sh; skipped when present).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/images/haproxy.sh >/dev/null
