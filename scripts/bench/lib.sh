#!/usr/bin/env bash
# Shared by loadtest.sh, bench.sh and fuzz-api.sh: a labelled PostgreSQL container on a random loopback port
# and a release comments-api against it, both stopped by `cleanup` (install it with `trap cleanup EXIT`).
# The service is the host's release build, or with LOADTEST_SERVICE_IMAGE set, the comments-api of that
# image (e.g. comments-api:dev, the artifact that ships), run hardened on the host's network: `just ci` runs
# the load test and the fuzzing that way, so CI compiles the service once, inside the image build.
# Every wait is bounded.

LT_LABEL=comments-platform.loadtest
LT_CONTAINER=""
LT_SERVICE_PID=""
LT_SERVICE_CONTAINER=""
LT_PG_PASSWORD=loadtest

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

die() {
  log "error: $*"
  exit 2
}

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }

target_dir() { echo "${CARGO_TARGET_DIR:-$(repo_root)/target}"; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# TEST_POSTGRES_IMAGE as the integration tests use it; without it the official postgres:17 when present
# (or pullable), else the locally built stand-in that .ci/setup.d/10-images.sh provides.
postgres_image() {
  bash "$(repo_root)/scripts/images/postgres-image.sh"
}

# start_postgres [server options...]: sets LT_PG_PORT and LT_DATABASE_URL.
start_postgres() {
  local image
  image=$(postgres_image)
  LT_CONTAINER=$(docker run -d --rm --label "$LT_LABEL=$$" \
    -e POSTGRES_PASSWORD="$LT_PG_PASSWORD" -e POSTGRES_DB=comments \
    -p 127.0.0.1::5432 "$image" "$@") || die "could not start PostgreSQL from image $image"
  LT_PG_PORT=$(docker port "$LT_CONTAINER" 5432/tcp | head -n1 | sed 's/.*://')
  LT_DATABASE_URL="postgres://postgres:${LT_PG_PASSWORD}@127.0.0.1:${LT_PG_PORT}/comments"
  export LT_PG_PORT LT_DATABASE_URL
  local deadline=$((SECONDS + 90))
  until pg_isready -q -h 127.0.0.1 -p "$LT_PG_PORT" -d comments -U postgres; do
    ((SECONDS < deadline)) || die "PostgreSQL ($image) not ready after 90 s"
    sleep 0.3
  done
  # The server answers before the init scripts have finished only in the temporary init phase, which
  # listens on the socket alone; a TCP answer is the real server. One query proves it.
  until PGPASSWORD=$LT_PG_PASSWORD psql -qAt -h 127.0.0.1 -p "$LT_PG_PORT" -U postgres -d comments -c 'select 1' >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "PostgreSQL ($image) does not accept queries after 90 s"
    sleep 0.3
  done
  LT_PG_HOST=127.0.0.1
  export LT_PG_HOST
  log "PostgreSQL ($image) on 127.0.0.1:${LT_PG_PORT}"
}

# Talk to the container's own address instead of the published port when it is reachable (Linux):
# the published port goes through docker-proxy, a userland relay that costs CPU on every round trip.
use_container_address() {
  local ip
  ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$LT_CONTAINER" 2>/dev/null || true)
  if [ -n "$ip" ] && pg_isready -q -t 3 -h "$ip" -p 5432 -d comments -U postgres; then
    LT_PG_HOST=$ip
    LT_PG_PORT=5432
    LT_DATABASE_URL="postgres://postgres:${LT_PG_PASSWORD}@${ip}:5432/comments"
    log "PostgreSQL reached directly at ${ip}:5432 (no docker-proxy)"
  fi
}

# start_service LOGFILE [extra env assignments...]: sets LT_API, LT_ADMIN, LT_SERVICE_PID (the service's
# process on this machine, also when it runs in a container).
# The binary is the release build unless LT_SERVICE_BIN names another (profile.sh runs the `profiling` build).
start_service() {
  local logfile=$1
  shift
  local port admin
  port=$(free_port)
  admin=$(free_port)
  while [ "$admin" = "$port" ]; do admin=$(free_port); done
  local settings=(APP_DATABASE__URL="$LT_DATABASE_URL" APP_SERVER__HOST=127.0.0.1 APP_SERVER__PORT="$port"
    APP_SERVER__ADMIN_PORT="$admin" APP_LOG__LEVEL="${APP_LOG__LEVEL:-warn}" APP_LOG__FORMAT=json "$@")
  if [ -n "${LOADTEST_SERVICE_IMAGE:-}" ]; then
    start_service_container "$logfile" "${settings[@]}"
  else
    env "${settings[@]}" "${LT_SERVICE_BIN:-$(target_dir)/release/comments-api}" serve >"$logfile" 2>&1 &
    LT_SERVICE_PID=$!
  fi
  LT_API="http://127.0.0.1:${port}"
  LT_ADMIN="http://127.0.0.1:${admin}"
  export LT_API LT_ADMIN LT_SERVICE_PID
  local deadline=$((SECONDS + 60))
  until curl -fsS -o /dev/null "$LT_ADMIN/readyz" 2>/dev/null; do
    service_running || die "comments-api exited; log: $(tail -n 20 "$logfile")"
    ((SECONDS < deadline)) || die "comments-api not ready after 60 s; log: $(tail -n 20 "$logfile")"
    sleep 0.2
  done
  log "comments-api (pid ${LT_SERVICE_PID}${LOADTEST_SERVICE_IMAGE:+, image ${LOADTEST_SERVICE_IMAGE}}) on ${LT_API}, admin ${LT_ADMIN}"
}

# start_service_container LOGFILE SETTINGS...: the image's comments-api as a cluster runs it (read-only root,
# no capabilities, its non-root user) on the host's network, so it listens and reaches PostgreSQL exactly as
# the host build does; its log streams to LOGFILE.
start_service_container() {
  local logfile=$1
  shift
  local envs=() setting
  for setting in "$@"; do envs+=(-e "$setting"); done
  LT_SERVICE_CONTAINER=$(docker run -d --rm --label "$LT_LABEL=$$" --network host --read-only \
    --cap-drop ALL --security-opt no-new-privileges "${envs[@]}" "$LOADTEST_SERVICE_IMAGE" serve) ||
    die "could not start comments-api from image ${LOADTEST_SERVICE_IMAGE}"
  docker logs -f "$LT_SERVICE_CONTAINER" >"$logfile" 2>&1 &
  LT_SERVICE_PID=$(docker inspect -f '{{.State.Pid}}' "$LT_SERVICE_CONTAINER")
  [ "${LT_SERVICE_PID:-0}" -gt 0 ] || die "comments-api exited at start; log: $(docker logs "$LT_SERVICE_CONTAINER" 2>&1 | tail -n 20)"
}

service_running() {
  if [ -n "$LT_SERVICE_CONTAINER" ]; then
    [ "$(docker inspect -f '{{.State.Running}}' "$LT_SERVICE_CONTAINER" 2>/dev/null)" = true ]
  else
    kill -0 "$LT_SERVICE_PID" 2>/dev/null
  fi
}

stop_service() {
  if [ -n "$LT_SERVICE_CONTAINER" ]; then
    docker stop -t 25 "$LT_SERVICE_CONTAINER" >/dev/null 2>&1 || true
    LT_SERVICE_CONTAINER=""
  elif [ -n "$LT_SERVICE_PID" ] && kill -0 "$LT_SERVICE_PID" 2>/dev/null; then
    kill -TERM "$LT_SERVICE_PID" 2>/dev/null || true
    local deadline=$((SECONDS + 25))
    while kill -0 "$LT_SERVICE_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -KILL "$LT_SERVICE_PID" 2>/dev/null || true
  fi
  LT_SERVICE_PID=""
}

cleanup() {
  stop_service
  if [ -n "$LT_CONTAINER" ]; then
    # -v: the PostgreSQL image declares a data VOLUME; removing the container by hand skips the
    # removal that --rm would have done, and every run left ~140 MB behind.
    docker rm -f -v "$LT_CONTAINER" >/dev/null 2>&1 || true
    LT_CONTAINER=""
  fi
}

# build_release [loadtest]: the release comments-api (unless LOADTEST_SERVICE_IMAGE names the image to run,
# which must then be present), plus the load generator when asked.
build_release() {
  local packages=()
  if [ -n "${LOADTEST_SERVICE_IMAGE:-}" ]; then
    docker image inspect "$LOADTEST_SERVICE_IMAGE" >/dev/null 2>&1 ||
      die "LOADTEST_SERVICE_IMAGE=${LOADTEST_SERVICE_IMAGE} is not present (build it with \`just image\`)"
  else
    packages+=(-p comments-api)
  fi
  if [ "${1:-}" = loadtest ]; then packages+=(-p loadtest); fi
  ((${#packages[@]})) || return 0
  log "building release ${packages[*]}"
  (cd "$(repo_root)" && cargo build --release --locked "${packages[@]}") || die "release build failed"
}

loadtest_bin() { echo "$(target_dir)/release/loadtest"; }
