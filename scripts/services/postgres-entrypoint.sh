#!/bin/sh
# First start: initdb with POSTGRES_USER/POSTGRES_PASSWORD, create POSTGRES_DB; then run the server.
set -eu
BIN=/usr/lib/postgresql/15/bin
mkdir -p "$PGDATA" /run/postgresql && chown postgres:postgres "$PGDATA" /run/postgresql
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  printf '%s' "${POSTGRES_PASSWORD:?}" > /tmp/pw && chown postgres /tmp/pw
  su postgres -c "$BIN/initdb -D '$PGDATA' -U '${POSTGRES_USER:-postgres}' --pwfile=/tmp/pw --auth-host=scram-sha-256 --auth-local=trust" >/dev/null
  rm /tmp/pw
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  su postgres -c "$BIN/pg_ctl -D '$PGDATA' -o '-c listen_addresses=' -w start" >/dev/null
  su postgres -c "$BIN/createdb -U '${POSTGRES_USER:-postgres}' '${POSTGRES_DB:-${POSTGRES_USER:-postgres}}'" || true
  su postgres -c "$BIN/pg_ctl -D '$PGDATA' -w stop" >/dev/null
fi
exec su postgres -c "exec $BIN/postgres -D '$PGDATA' -c listen_addresses='*'"
