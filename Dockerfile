# comments-api container image.
#
#   docker build -t comments-api .        (or `just image`, which also tags the git revision)
#
# Base images are arguments so that a machine without registry access can substitute local builds
# (scripts/images/); the defaults are the public images. Builder and runtime share one Debian release (13,
# trixie), so the binary links against the glibc it runs with. Every build stage derives from `chef`, so one
# toolchain compiles the dependencies and the service.
ARG RUST_IMAGE=rust:1.95-slim-trixie
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian13:nonroot

FROM ${RUST_IMAGE} AS chef
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
COPY --from=planner /src/recipe.json recipe.json
# Dependencies only: this layer is reused until Cargo.toml/Cargo.lock change.
RUN cargo chef cook --release --locked -p comments-api --bin comments-api --recipe-path recipe.json
COPY . .
# The revision is compiled in (`comments-api --version`, comments_api_build_info); declared after the
# dependency layer so a new commit does not rebuild the dependencies.
ARG REVISION=unknown
RUN GIT_REVISION="${REVISION}" cargo build --release --locked -p comments-api --bin comments-api \
 && install -D -m 0755 target/release/comments-api /out/comments-api

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
