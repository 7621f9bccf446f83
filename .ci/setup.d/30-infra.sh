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

# Terraform (`just validate-infra` runs fmt, validate and test where it can). The providers come
# from a filesystem mirror: TF_CLI_CONFIG_FILE when it names a file, else a mirror found in
# Terraform's implied local mirror directories or, failing those, in a bounded search of the
# usual install prefixes; the CLI config naming it is written to .tools/terraform/cli.tfrc
# (tools/infra/terraform_run.py reads it). Nothing found is not an error here: validate-infra
# then prints CANNOT RUN for every check that needs a provider, and counts them.
if ! command -v terraform >/dev/null; then
  echo "setup(infra): NO TERRAFORM BINARY on PATH: validate-infra will print CANNOT RUN for fmt, validate and test" >&2
  exit 0
fi
echo "setup(infra): $(TF_CLI_CONFIG_FILE=/dev/null terraform version | head -n 1)"
mkdir -p .tools/terraform
config=.tools/terraform/cli.tfrc
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ -f "$TF_CLI_CONFIG_FILE" ]; then
  echo "setup(infra): terraform CLI config: TF_CLI_CONFIG_FILE=$TF_CLI_CONFIG_FILE (used as it is)"
  rm -f "$config"
  exit 0
fi
[ -n "${TF_CLI_CONFIG_FILE:-}" ] && echo "setup(infra): TF_CLI_CONFIG_FILE=$TF_CLI_CONFIG_FILE does not exist: looking for a provider mirror"
implied=("${HOME:-/nonexistent}/.terraform.d/plugins" "${XDG_DATA_HOME:-${HOME:-/nonexistent}/.local/share}/terraform/plugins")
IFS=: read -r -a data_dirs <<< "${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"
for d in "${data_dirs[@]}"; do implied+=("$d/terraform/plugins"); done
# A mirror is <dir>/<host>/<namespace>/<type>/<version>/<os>_<arch>/terraform-provider-<type>_*:
# recognised by that shape, so no host name is written down here.
packages() { find "$@" -mindepth 6 -maxdepth 6 -type f -name 'terraform-provider-*' -path '*/*.*/*/*/[0-9]*.[0-9]*.[0-9]*/*_*/*' 2>/dev/null; }
found=$(for d in "${implied[@]}"; do if [ -d "$d" ]; then packages "$d"; fi; done)
if [ -z "$found" ]; then
  # Not in an implied directory: a bounded search of the usual install prefixes.
  found=$(for d in /opt/* /srv/* /usr/local/share/* /usr/share/*; do
            if [ -d "$d" ]; then packages "$d" -not -path '*/.terraform/*'; fi
          done)
fi
if [ -z "$found" ]; then
  echo "setup(infra): NO PROVIDER MIRROR FOUND: validate-infra will print CANNOT RUN for validate and test" >&2
  rm -f "$config"
  exit 0
fi
# mirror directory -> hosts it serves (the file path minus host/namespace/type/version/os_arch/file).
mapfile -t mirrors < <(sed -E 's#/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+$##' <<< "$found" | sort -u)
mapfile -t hosts < <(sed -E 's#^.*/([^/]+)/[^/]+/[^/]+/[^/]+/[^/]+/[^/]+$#\1#' <<< "$found" | sort -u)
include=$(printf '"%s/*/*", ' "${hosts[@]}"); include="[${include%, }]"
{
  echo "# Written by .ci/setup.d/30-infra.sh: the provider mirror(s) found on this machine."
  echo "provider_installation {"
  for m in "${mirrors[@]}"; do
    printf '  filesystem_mirror {\n    path    = "%s"\n    include = %s\n  }\n' "$m" "$include"
  done
  printf '  direct {\n    exclude = %s\n  }\n}\n' "$include"
} > "$config"
while IFS= read -r package; do
  echo "setup(infra): PROVIDER MIRROR FOUND: $package"
done <<< "$found"
echo "setup(infra): wrote $config (used when TF_CLI_CONFIG_FILE names no file)"
