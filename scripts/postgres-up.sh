#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback for the test suite and print its URL.
#
# Only the URL goes to stdout (make captures it into FRAUDLINK_TEST_PG_URL); everything
# else goes to stderr. Idempotent: a server already answering on the port is reused.
# Where PostgreSQL is missing it is installed with apt. As root, the server runs as the
# postgres user (PostgreSQL refuses to run as root).
set -euo pipefail

PORT="${FRAUDLINK_PG_PORT:-54329}"
DB="fraudlink_test"
DATA="${FRAUDLINK_PG_DATA:-/tmp/fraudlink-pg-$PORT}"
URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/$DB"

log() { echo "postgres-up: $*" >&2; }

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

ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; }

if ! ready; then
    if [ ! -f "$DATA/PG_VERSION" ]; then
        log "initialising a cluster in $DATA"
        rm -rf "$DATA"
        mkdir -p "$DATA"
        [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DATA"
        chmod 700 "$DATA"
        as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 \
            --locale=C.UTF-8 >&2
    fi
    # A server that died without cleaning up leaves its pid file behind.
    if [ -f "$DATA/postmaster.pid" ] && ! as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
        log "removing the stale pid file of a server that is not running"
        rm -f "$DATA/postmaster.pid"
    fi
    log "starting PostgreSQL on 127.0.0.1:$PORT"
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off" start >&2
fi

for _ in $(seq 1 60); do
    ready && break
    sleep 0.5
done
ready || { log "the server did not come up; see $DATA/server.log"; exit 1; }

if ! "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$DB'" postgres | grep -q 1; then
    "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -qc "CREATE DATABASE $DB" postgres >&2
fi

echo "$URL"
