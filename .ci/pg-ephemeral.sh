#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster: initdb in a temp dir, a unix socket
# only (no TCP port to collide with anything), fsync off (the data is thrown away), stopped
# and removed on exit however the command ends. The command sees
#   SHOTDECK_TEST_PG="host=DIR port=5432 user=postgres dbname=postgres"
#   SHOTDECK_REQUIRE_PG=1   (so PostgreSQL tests fail, not skip, if the server is unusable)
# Developers: bash .ci/pg-ephemeral.sh cargo test --test store_pg
# Fails (exit 1) when no cluster can be started: CI must not pass by skipping those tests.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if ! command -v initdb >/dev/null; then
    if [ -n "$(pg_bin)" ]; then
        PATH="$(pg_bin):$PATH"
    elif [ "$(id -u)" = 0 ]; then
        echo "pg-ephemeral: installing postgresql" >&2
        apt-get install -y -q postgresql >&2 || { apt-get update -q >&2 && apt-get install -y -q postgresql >&2; }
        PATH="$(pg_bin):$PATH"
    fi
fi
command -v initdb >/dev/null || { echo "pg-ephemeral: no initdb (install postgresql)" >&2; exit 1; }

start=$(date +%s%N)
PGTMP=$(mktemp -d "${TMPDIR:-/tmp}/shotdeck-pg.XXXXXX")
RUN=()
# initdb and postgres refuse to run as root: run them as the postgres user.
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres: "$PGTMP"
    RUN=(runuser -u postgres --)
fi
cleanup() {
    "${RUN[@]}" pg_ctl -D "$PGTMP/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PGTMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! "${RUN[@]}" initdb -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        --no-sync >"$PGTMP/initdb.log" 2>&1; then
    cat "$PGTMP/initdb.log" >&2; echo "pg-ephemeral: initdb failed" >&2; exit 1
fi
if ! "${RUN[@]}" pg_ctl -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 30 -o "-k $PGTMP \
        -c listen_addresses='' -p 5432 -c fsync=off -c synchronous_commit=off \
        -c full_page_writes=off -c max_connections=300" start >/dev/null; then
    cat "$PGTMP/server.log" >&2; echo "pg-ephemeral: the server did not start" >&2; exit 1
fi
echo "pg-ephemeral: $(pg_ctl --version) up on $PGTMP in $(( ($(date +%s%N) - start) / 1000000 )) ms" >&2

export SHOTDECK_TEST_PG="host=$PGTMP port=5432 user=postgres dbname=postgres"
export SHOTDECK_REQUIRE_PG=1
# Not exec: the EXIT trap must stop the server after the command.
status=0
"$@" || status=$?
exit "$status"
