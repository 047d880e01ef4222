#!/bin/sh
# Entrypoint of kubus/postgres:15 (docker/postgres-image): the parts of the official postgres image's
# docker-entrypoint.sh that Kubus uses, for busybox sh.
#  - POSTGRES_USER (default postgres), POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust),
#    POSTGRES_DB (default: POSTGRES_USER), POSTGRES_HOST_AUTH_METHOD (default scram-sha-256) for remote hosts,
#    POSTGRES_INITDB_ARGS (after this image's --encoding=UTF8 --locale=C: only the C locale is in the image),
#    PGDATA (default /var/lib/postgresql/data); *.sh, *.sql, *.sql.gz in /docker-entrypoint-initdb.d.
#  - On first start (no PG_VERSION in PGDATA): initdb, listen on all addresses, password auth for other hosts
#    (local socket and 127.0.0.1 are trusted, as in the official image), the database made on a socket-only
#    server; then, as always, `exec postgres` in the foreground: the stop signal reaches the server itself.
#    initdb's "sh: locale: not found" and "no usable system locales" are expected: only C is in the image.
#  - Started as root, it makes PGDATA and the socket folder the postgres user's and runs again as that user
#    (postgres refuses to run as root). Any other command (psql, sh, ...) simply runs.
set -eu

if [ "${1#-}" != "$1" ]; then
    set -- postgres "$@"   # `docker run kubus/postgres:15 -c work_mem=8MB`
fi

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA"
    chmod 700 "$PGDATA"
    find "$PGDATA" ! -user postgres -exec chown postgres:postgres '{}' +
    mkdir -p /run/postgresql
    chown postgres:postgres /run/postgresql
    # busybox su as root: no password asked, no fork; -p keeps the environment (POSTGRES_*, PGDATA, PATH).
    # The -- ends su's options: else it takes a `-c` among the server's arguments for its own.
    exec su -p -s /bin/sh -c 'exec "$0" "$@"' -- postgres "$0" "$@"
fi

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_USER:=postgres}"
    : "${POSTGRES_DB:=$POSTGRES_USER}"
    : "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
    if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
        echo "postgres-entrypoint: set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust) for a new database" >&2
        exit 1
    fi
    mkdir -p "$PGDATA"
    chmod 700 "$PGDATA" 2>/dev/null || true
    echo "postgres-entrypoint: initdb in $PGDATA for user $POSTGRES_USER, database $POSTGRES_DB"
    pwfile=""
    if [ -n "${POSTGRES_PASSWORD:-}" ]; then
        pwfile=$(mktemp)
        printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    fi
    # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a list of arguments, as in the official image
    initdb --username="$POSTGRES_USER" ${pwfile:+--pwfile="$pwfile"} --encoding=UTF8 --locale=C \
        ${POSTGRES_INITDB_ARGS:-} >/dev/null
    [ -z "$pwfile" ] || rm -f "$pwfile"
    printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
    printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"

    if [ "$POSTGRES_DB" != postgres ] || [ -n "$(ls -A /docker-entrypoint-initdb.d 2>/dev/null)" ]; then
        # A server on the socket only, so nobody connects before the database is complete.
        pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w -s start
        export PGUSER="$POSTGRES_USER" PGDATABASE=postgres
        psql() { command psql -X -q -v ON_ERROR_STOP=1 --no-password "$@"; }
        if [ "$POSTGRES_DB" != postgres ]; then
            psql --set db="$POSTGRES_DB" <<'SQL'
CREATE DATABASE :"db";
SQL
        fi
        export PGDATABASE="$POSTGRES_DB"
        for f in /docker-entrypoint-initdb.d/*; do
            case "$f" in
                *.sh) echo "postgres-entrypoint: running $f"; if [ -x "$f" ]; then "$f"; else . "$f"; fi ;;
                *.sql) echo "postgres-entrypoint: running $f"; psql -f "$f" ;;
                *.sql.gz) echo "postgres-entrypoint: running $f"; gunzip -c "$f" | psql ;;
                *) ;;
            esac
        done
        unset PGUSER PGDATABASE
        pg_ctl -D "$PGDATA" -m fast -w -s stop
    fi
    echo "postgres-entrypoint: database ready, starting postgres"
fi

exec "$@"
