#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback for the test suite and print its URL.
#
# Only the URL goes to stdout (make captures it into FRAUDLINK_TEST_PG_URL); everything
# else goes to stderr. Idempotent: a server already answering on the port is reused, a
# data folder left by a server that died is started again.
# Where PostgreSQL is missing it is installed with apt. As root, the server runs as the
# postgres user (PostgreSQL refuses to run as root).
set -euo pipefail

PORT="${FRAUDLINK_PG_PORT:-54329}"
DB="fraudlink_test"
DATA="${FRAUDLINK_PG_DATA:-/tmp/fraudlink-pg-$PORT}"
URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/$DB"

log() { echo "postgres-up: $*" >&2; }

# A server chosen by the caller wins, so `make test` can run against it too.
if [ -n "${FRAUDLINK_TEST_PG_URL:-}" ]; then
    log "using FRAUDLINK_TEST_PG_URL from the environment"
    echo "$FRAUDLINK_TEST_PG_URL"
    exit 0
fi

find_bin() {
    local initdb
    initdb=$(ls -1 /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$initdb" ] && dirname "$initdb"
}

BIN=$(find_bin || true)
if [ -z "$BIN" ]; then
    log "PostgreSQL not found; installing it with apt"
    if [ "$(id -u)" -ne 0 ]; then
        log "need root to install PostgreSQL (apt-get install postgresql), or set FRAUDLINK_TEST_PG_URL"
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q postgresql >&2
    BIN=$(find_bin)
fi

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres; }

# Whether the server of $DATA is alive, from its pid file. A postmaster that died but
# is not yet reaped (a zombie) still has its pid, as may an unrelated process that got
# the number later: neither counts (pg_ctl status would count both).
running_here() {
    local pid
    pid=$(head -n 1 "$DATA/postmaster.pid" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ -r "/proc/$pid/status" ] || return 1
    grep -q '^Name:[[:space:]]*postgres' "/proc/$pid/status" \
        && ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status"
}

if ! ready; then
    MAJOR=$(basename "$(dirname "$BIN")")
    if [ -f "$DATA/PG_VERSION" ] && [ "$(cat "$DATA/PG_VERSION")" != "$MAJOR" ] && ! running_here; then
        # A cluster left by another PostgreSQL version cannot be started by this one;
        # it only ever held throwaway test databases.
        log "replacing the PostgreSQL $(cat "$DATA/PG_VERSION") cluster in $DATA with a $MAJOR one"
        rm -rf "$DATA"
    fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
        log "initialising a cluster in $DATA"
        rm -rf "$DATA"
        mkdir -p "$DATA"
        [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DATA"
        chmod 700 "$DATA"
        as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 \
            --locale=C.UTF-8 >&2
    fi
    if running_here; then
        log "the server of $DATA is running but not answering yet; waiting for it"
    else
        # A server that died without cleaning up leaves its lock files behind, and
        # PostgreSQL counts an unreaped (zombie) pid in them as a live server.
        if [ -f "$DATA/postmaster.pid" ] || [ -e "$DATA/.s.PGSQL.$PORT.lock" ]; then
            log "removing the lock files of a server that is not running"
            rm -f "$DATA/postmaster.pid" "$DATA"/.s.PGSQL.*
        fi
        log "starting PostgreSQL $MAJOR on 127.0.0.1:$PORT"
        as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off" start >&2
    fi
fi

for _ in $(seq 1 60); do
    ready && break
    sleep 0.5
done
ready || { log "the server did not come up; see $DATA/server.log"; exit 1; }

psql_admin() { "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 "$@" postgres; }
db_exists() { psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; }

# Another run may create it between the check and the CREATE; then it exists, which is fine.
if ! db_exists; then
    if ! why=$(psql_admin -qc "CREATE DATABASE $DB" 2>&1) && ! db_exists; then
        log "could not create the database $DB on 127.0.0.1:$PORT: $why"
        exit 1
    fi
fi

echo "$URL"
