#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server, so the store's tests run on PostgreSQL too.
# Sets REISVERSLAG_TEST_POSTGRES_URL for the command. Without PostgreSQL binaries (and no way to
# install them) the command runs on SQLite alone, and says so.
set -euo pipefail

find_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV) "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")"; do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/createdb" ] && { echo "$dir"; return; }
  done
}

bindir=$(find_bin || true)
if [ -z "$bindir" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing PostgreSQL for the store tests"
  apt-get -o DPkg::Lock::Timeout=300 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends postgresql >/dev/null
  bindir=$(find_bin || true)
fi
if [ -z "$bindir" ]; then
  echo "NOTE: no PostgreSQL found: the store tests run on SQLite only." >&2
  exec "$@"
fi

run_as=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  run_as=(runuser -u postgres --)
fi
data=$(mktemp -d /tmp/reisverslag-pg.XXXXXX)
chmod 755 "$data"
[ ${#run_as[@]} -eq 0 ] || chown postgres "$data"
# A free port unless one is given, so a PostgreSQL already running (or a second test run) never clashes.
port=${REISVERSLAG_TEST_POSTGRES_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
cleanup() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$data/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$data"
}
trap cleanup EXIT
"${run_as[@]}" "$bindir/initdb" -D "$data/db" -U postgres --auth=trust -E UTF8 >/dev/null
"${run_as[@]}" "$bindir/pg_ctl" -D "$data/db" -l "$data/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off" start >/dev/null
"${run_as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres reisverslag_test
export REISVERSLAG_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/reisverslag_test"
echo "Store tests also run on PostgreSQL ($("$bindir/postgres" --version))"
"$@"
