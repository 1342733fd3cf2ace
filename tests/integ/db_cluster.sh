#!/bin/sh
# The private cluster through "phalanx db": init, start, status, migrate,
# psql, stop, in a fresh $PHALANX_HOME.  As root this also covers running
# the server as an unprivileged user with its data outside root's 0700 home.
. "$(dirname "$0")/../check.sh"
export TMPDIR

unset PHALANX_DSN
PHALANX_HOME=$(mktemp -d) || exit 1
export PHALANX_HOME
export PHALANX_TEST_FSYNC_OFF=1

cleanup() {
	"$PHALANX" db stop >/dev/null 2>&1
	if [ -L "$PHALANX_HOME/store" ]; then
		target=$(readlink "$PHALANX_HOME/store")
		case "$target" in
		/var/lib/phalanx/?*|/tmp/phalanx-*/?*) rm -rf "$target" ;;
		esac
	fi
	rm -rf "$PHALANX_HOME"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

run 0 "db --help" "$PHALANX" db --help
has "migrate" "db --help lists the commands"
run 0 "db status --help" "$PHALANX" db status --help
has "Exit status 0" "db status --help explains the exit status"

run 3 "db status before init" "$PHALANX" db status
has "not initialised" "status says there is no store yet"

run 0 "db init" "$PHALANX" db init
has "initialised the store" "init reports what it did"
run 0 "db init again" "$PHALANX" db init
has "already exists" "a second init is a no-op"

run 0 "db start" "$PHALANX" db start
has "started the store" "start reports what it did"
run 0 "db start again" "$PHALANX" db start
has "already running" "a second start is a no-op"

run 0 "db status while running" "$PHALANX" db status
has "state:      running" "status says running"
has "data dir:" "status names the data dir"
has "socket dir:" "status names the socket dir"
sockdir=$(printf '%s\n' "$out" | sed -n 's/^socket dir: *//p')
if [ -S "$sockdir/.s.PGSQL.5432" ]; then
	ok "the server listens on a Unix socket in the socket dir"
else
	fail "no socket $sockdir/.s.PGSQL.5432" "$out"
fi
if [ "$(id -u)" -eq 0 ]; then
	case "$out" in
	*"server user root)"*) fail "the server runs as root" "$out" ;;
	*"server user "*) ok "as root, the server runs as an unprivileged user" ;;
	*) fail "status does not name the server user" "$out" ;;
	esac
fi

run 0 "db migrate" "$PHALANX" db migrate
first=$(printf '%s\n' "$out" | sed -n 's/^applied \([0-9]*\) migrations.*/\1/p')
if [ -n "$first" ] && [ "$first" -gt 0 ]; then
	ok "first migrate applies migrations ($first)"
else
	fail "first migrate applied none" "$out"
fi
run 0 "db migrate again" "$PHALANX" db migrate
has "applied 0 migrations" "second migrate applies nothing"

run 0 "db status after migrate" "$PHALANX" db status
has "schema:     current" "status says the schema is current"

run 0 "db psql counts schema_migrations" \
	"$PHALANX" db psql -Atc 'select count(*) from schema_migrations'
same "$out" "$first" "schema_migrations has one row per migration"
run 0 "db psql -c" "$PHALANX" db psql -c 'select count(*) from schema_migrations'
has "(1 row)" "psql passes its arguments through"
run 0 "db psql shows listen_addresses" \
	"$PHALANX" db psql -Atc 'show listen_addresses'
same "$out" "" "listen_addresses is empty: no TCP listener"
run 0 "db psql lists the tables" "$PHALANX" db psql -Atc \
	"select count(*) from pg_tables where schemaname = 'public' and tablename in ('brokers', 'accounts', 'account_tags', 'credentials', 'instruments', 'strategies', 'fanouts', 'orders', 'order_events', 'fills', 'positions', 'audit_log')"
same "$out" 12 "every table of the schema exists"

run 0 "db stop" "$PHALANX" db stop
has "stopped the store" "stop reports what it did"
run 3 "db status after stop" "$PHALANX" db status
has "state:      stopped" "status says stopped"
run 0 "db stop again" "$PHALANX" db stop
has "not running" "a second stop is a no-op"

run 0 "db migrate starts the store on demand" "$PHALANX" db migrate
has "applied 0 migrations" "on-demand start keeps the schema"
run 0 "db stop after on-demand start" "$PHALANX" db stop

out=$(PHALANX_DSN="host=$TMPDIR/nowhere dbname=x" "$PHALANX" db stop 2>&1)
has "PHALANX_DSN is set" "with PHALANX_DSN, stop leaves the cluster alone"
run 3 "db status with an unreachable PHALANX_DSN" \
	env PHALANX_DSN="host=$TMPDIR/nowhere dbname=x" "$PHALANX" db status
has "unreachable" "status says the DSN is unreachable"

finish
