# comments-platform: the one entry point for humans and pipelines. `just --list` explains every recipe.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Repository-local tools (Python venv, helper binaries) come first on PATH; see `just setup`.
export PATH := justfile_directory() / ".tools/venv/bin" + ":" + justfile_directory() / ".tools/bin" + ":" + env_var("PATH")

# Each area keeps its recipes in its own file.
import? 'just/loadtest.just'
import? 'just/image.just'
import? 'just/k8s.just'
import? 'just/infra.just'
import? 'just/workflows.just'
import? 'just/cluster.just'

# List the recipes.
default:
    @just --list

# Run the service locally on an embedded SQLite file (no setup): API on :8080, admin on :9090.
run *ARGS:
    cargo run -p comments-api -- serve {{ARGS}}

# Apply database migrations (APP_DATABASE__URL selects the database).
migrate:
    cargo run -p comments-api -- migrate

# Run every test: unit tests, and the integration tests against SQLite and PostgreSQL (Docker or TEST_DATABASE_URL).
test *ARGS:
    #!/usr/bin/env bash
    set -euo pipefail
    # The official PostgreSQL image, or on a machine that cannot pull it, the local stand-in.
    if [ -z "${TEST_DATABASE_URL:-}" ]; then
      TEST_POSTGRES_IMAGE=$(bash scripts/images/postgres-image.sh)
      export TEST_POSTGRES_IMAGE
      echo "test: PostgreSQL image ${TEST_POSTGRES_IMAGE}"
    fi
    cargo test --workspace --locked {{ARGS}}

# Write the OpenAPI document to out/openapi.json and validate it against the OpenAPI 3 schema.
openapi:
    #!/usr/bin/env bash
    set -euo pipefail
    mkdir -p out
    # The binary of the workspace build `just test` makes (nothing recompiles after it): `cargo run -p
    # comments-api` would resolve features for that one package and rebuild half the dependencies.
    cargo build -q --locked --workspace --all-targets
    target=$(cargo metadata -q --locked --no-deps --format-version 1 | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
    "$target/debug/comments-api" openapi > out/openapi.json
    openapi-spec-validator out/openapi.json

# Lint: the Python tree with ruff (format check and rules in pyproject.toml), then rustfmt check and clippy with warnings as errors.
lint:
    ruff format --check .
    ruff check .
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --locked -- -D warnings

# Format the code (Rust and Python).
fmt:
    cargo fmt --all
    ruff format .

# Install the repository-local tools (.tools/) and build the local test images that are missing.
setup:
    bash .ci/setup-local.sh

# Fuzz the API: schemathesis, every check, positive and negative, >= 1000 cases, against a release build on PostgreSQL; any finding fails (exclusions and their reasons: schemathesis.toml).
fuzz-api:
    bash scripts/fuzz-api.sh

# What CI runs: lint, every test, the OpenAPI check, each area's offline proof, the image smoke test, the cluster test, the load test and the API fuzzing.
ci: lint test openapi ci-offline-and-image image-smoke cluster-test loadtest ci-slowed-and-fuzz

# The Python suites leave cores idle that the builds use. Each area's checks are listed one by one (what its
# ci-<area> runs in order), so that no area's chain is the tail. The timed checks (smoke, cluster, load test)
# run after this group, on quiet cores.
#
# Every offline check side by side with the builds the live checks need (the service image, the release load generator).
[parallel]
ci-offline-and-image: validate-workflows workflows-test k8s-validate k8s-promote-check k8s-test validate-infra infra-test image-lint image-test image-compose-check cluster-check image loadtest-build

# The slowed run must fail on latency and the fuzzing judges answers, not their speed, so neither can be made
# to pass by the other's load. The load test that must pass runs before, alone.
#
# The slowed-service gate beside the API fuzzing.
[parallel]
ci-slowed-and-fuzz: loadtest-slowed fuzz-api
