#!/bin/bash
# Entrypoint compatible with the official postgres image, for what tests rely on:
# POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB / POSTGRES_HOST_AUTH_METHOD / POSTGRES_INITDB_ARGS,
# *.sql and *.sh files in /docker-entrypoint-initdb.d, and extra server arguments as the command
# (`-c fsync=off`). Like the official image, the first-start initialisation runs a temporary server whose
# log goes to stdout, and the real server logs to stderr, so "ready to accept connections" appears on both.
set -Eeuo pipefail

# Arguments that start with a dash are server options.
if [ "${1:0:1}" = '-' ]; then
  set -- postgres "$@"
fi
if [ "$1" != 'postgres' ]; then
  exec "$@"
fi

: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"

psql_init() {
  psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc --username "$POSTGRES_USER" "$@"
}

initialise() {
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != 'trust' ]; then
    echo 'error: database is uninitialized and POSTGRES_PASSWORD is not set' >&2
    echo '       (set POSTGRES_PASSWORD, or POSTGRES_HOST_AUTH_METHOD=trust to allow every connection)' >&2
    exit 1
  fi
  local pwfile
  pwfile=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words, as in the official image
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host="$POSTGRES_HOST_AUTH_METHOD" \
    ${POSTGRES_INITDB_ARGS:-}
  rm -f "$pwfile"
  {
    echo "listen_addresses = '*'"
    # The image carries no LLVM (it is the larger half of the package set): no JIT.
    echo 'jit = off'
  } >>"$PGDATA/postgresql.conf"
  echo "host all all all $POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"

  # Temporary server on the socket only; pg_ctl without -l sends its log to stdout.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
  if [ "$POSTGRES_DB" != 'postgres' ]; then
    psql_init --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sql) echo "running $f"; psql_init --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sh) echo "running $f"; bash "$f" ;;
      *) [ -e "$f" ] && echo "ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo 'PostgreSQL init process complete; ready for start up.'
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initialise
fi
exec "$@"
