#!/usr/bin/env bash
# Terraform checks: tfparse, python-hcl2 and trivy come as pinned wheels (.ci/requirements/infra.txt,
# installed into .tools/venv by 00-base.sh). This step only proves they are there and runnable, so a
# missing tool fails setup instead of skipping a check later.
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=.tools/venv/bin
if [ ! -x "$bin/trivy" ]; then
  echo "setup(infra): $bin/trivy is missing: is .ci/requirements/infra.txt installed?" >&2
  exit 1
fi
if ! "$bin/python" -c 'import hcl2, tfparse' 2>/dev/null; then
  echo "setup(infra): tfparse or python-hcl2 cannot be imported from .tools/venv" >&2
  exit 1
fi
echo "setup(infra): $("$bin/trivy" --version | head -n 1), tfparse $("$bin/python" -c 'import importlib.metadata as m; print(m.version("tfparse"))'), python-hcl2 $("$bin/python" -c 'import importlib.metadata as m; print(m.version("python-hcl2"))')"
