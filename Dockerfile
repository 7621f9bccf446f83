# comments-api container image.
#
#   docker build -t comments-api .        (or `just image`, which also tags the git revision)
#
# Base images are arguments so that a machine without registry access can substitute local builds
# (scripts/images/); the defaults are the public images. Builder and runtime share one Debian release (13,
# trixie), so the binary links against the glibc it runs with. Every build stage derives from `chef`, so one
# toolchain compiles the dependencies and the service.
#
# Multi-platform builds (release.yml: linux/amd64 + linux/arm64) cross-compile: the build stages run on the
# build machine's platform (BUILDPLATFORM, set by BuildKit; the classic builder gets it as a build argument
# from scripts/images/service-image.sh), and for another TARGETARCH the builder adds Debian's cross gcc and the
# Rust target. The runtime stage runs no command, so no stage needs QEMU emulation.
ARG RUST_IMAGE=rust:1.95-slim-trixie
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian13:nonroot
ARG BUILDPLATFORM

FROM --platform=${BUILDPLATFORM} ${RUST_IMAGE} AS chef
ARG CARGO_CHEF_VERSION=0.1.78
# cargo-chef only rewrites manifests and calls cargo: an unoptimised build of it is fast enough and compiles
# in a fraction of the time (it never reaches the runtime image).
RUN CARGO_PROFILE_DEV_DEBUG=0 cargo install cargo-chef --locked --debug --version "${CARGO_CHEF_VERSION}" \
 && rm -rf "${CARGO_HOME:-/usr/local/cargo}/registry"
WORKDIR /src

# The recipe lists the workspace's manifests and lock file only: it changes when dependencies change.
FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
# TARGETARCH/BUILDARCH: BuildKit sets them (amd64, arm64); empty (a native build) with the classic builder.
ARG TARGETARCH
ARG BUILDARCH
# The Rust target triple goes to /target-triple. Cross-compiling: Debian's cross gcc links, and compiles
# the C code of dependencies (ring), for the target; natively the host's triple and nothing to install.
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
    CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc \
    CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER=x86_64-linux-gnu-gcc \
    CC_x86_64_unknown_linux_gnu=x86_64-linux-gnu-gcc
# The cross packages follow the base image's Debian release (pinning them would break on its point releases).
# hadolint ignore=DL3008
RUN set -eu; \
    if [ -n "${TARGETARCH:-}" ] && [ "${TARGETARCH:-}" != "${BUILDARCH:-}" ]; then \
      case "${TARGETARCH}" in \
        arm64) triple="aarch64-unknown-linux-gnu"; gcc="gcc-aarch64-linux-gnu"; libc="libc6-dev-arm64-cross" ;; \
        amd64) triple="x86_64-unknown-linux-gnu"; gcc="gcc-x86-64-linux-gnu"; libc="libc6-dev-amd64-cross" ;; \
        *) echo "no cross toolchain for TARGETARCH=${TARGETARCH}" >&2; exit 1 ;; \
      esac; \
      apt-get update; \
      apt-get install -y --no-install-recommends "${gcc}" "${libc}"; \
      rm -rf /var/lib/apt/lists/*; \
      rustup target add "${triple}"; \
    else \
      triple=$(rustc -vV | sed -n 's/^host: //p'); \
    fi; \
    echo "${triple}" > /target-triple
COPY --from=planner /src/recipe.json recipe.json
# Dependencies only: this layer is reused until Cargo.toml/Cargo.lock change.
RUN cargo chef cook --release --locked --target "$(cat /target-triple)" -p comments-api --bin comments-api \
      --recipe-path recipe.json
COPY . .
# The version and revision are compiled in (`comments-api --version`, comments_api_build_info); declared
# after the dependency layer so a new commit does not rebuild the dependencies.
ARG REVISION=unknown
RUN GIT_REVISION="${REVISION}" cargo build --release --locked --target "$(cat /target-triple)" \
      -p comments-api --bin comments-api \
 && install -D -m 0755 "target/$(cat /target-triple)/release/comments-api" /out/comments-api

FROM ${RUNTIME_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=""
LABEL org.opencontainers.image.title="comments-api" \
      org.opencontainers.image.description="Comments service: post and list comments per content id (HTTP API on 8080, admin on 9090)" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"
# JSON log lines for the container's log collector; the database URL comes from the deployment.
ENV APP_LOG__FORMAT=json
COPY --from=builder /out/comments-api /usr/local/bin/comments-api
# distroless's nonroot user; numeric so that runAsNonRoot can verify it without a passwd lookup.
USER 65532:65532
# 8080: public API, Swagger UI (/docs), /openapi.json. 9090: /healthz, /readyz, /metrics.
EXPOSE 8080 9090
ENTRYPOINT ["/usr/local/bin/comments-api"]
CMD ["serve"]
