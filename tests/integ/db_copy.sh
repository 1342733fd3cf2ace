#!/bin/sh
# phalanx db copy-to: a dry run changes nothing; a source with other
# sessions or a target with a schema is refused; the copy moves every row,
# and the configuration file then names the target, which the next
# command uses.
. "$(dirname "$0")/lib.sh"
fresh_db
src_dsn=$PHALANX_DSN

# Something to copy: accounts, a paper fan-out and its events.
{
	echo "broker add pb kind paper"
	for n in 1 2 3; do echo "account add c$n broker pb"; done
} >"$TMPDIR/reg.phx"
run 0 "accounts" "$PHALANX" batch "$TMPDIR/reg.phx"
run 0 "instruments load" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
run 0 "a paper fan-out" "$PHALANX" -c "buy $FUT 1 lots to all"
events=$(sql "select count(*) from order_events")
[ "$events" -gt 0 ] && ok "the source has $events order events" || fail "the source has events"

tdb="t_copy_target_$$"
psql "$PHALANX_TEST_DSN" -qAtc "drop database if exists $tdb" >/dev/null 2>&1
psql "$PHALANX_TEST_DSN" -qAtc "create database $tdb" >/dev/null
dst_dsn=$(echo "$PHALANX_TEST_DSN" | sed "s/dbname=[^ ]*/dbname=$tdb/")
conf="$XDG_CONFIG_HOME/phalanx/phalanx.conf"
mkdir -p "$(dirname "$conf")"
printf '[exec]\nrate_per_sec = 7\n[store]\ndsn = "dbname=old"\n' >"$conf"

run 2 "copy-to without a target is a usage error" "$PHALANX" db copy-to
has "give the target's DSN" "and says what is missing"
run 1 "an unreachable target is refused" "$PHALANX" db copy-to "host=/nonexistent dbname=x"
has "cannot reach the target" "naming the target"

run 0 "dry run" "$PHALANX" db copy-to "$dst_dsn" --dry-run
has "order_events $events" "the dry run lists the tables and their rows"
has "dry run: nothing copied" "and says nothing was copied"
same "$(psql "$dst_dsn" -qAtc "select count(*) from pg_tables where schemaname = 'public'")" 0 \
	"the target is still empty"
out=$(cat "$conf")
has 'dsn = "dbname=old"' "the configuration is untouched after a dry run"

# A session on the source would write past the dump.
psql "$src_dsn" -qAtc "select pg_sleep(20)" >/dev/null 2>&1 &
sleeper=$!
i=0
while [ "$(sql "select count(*) from pg_stat_activity where query like 'select pg_sleep(20)%'")" = 0 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
run 1 "a source with another session is refused" "$PHALANX" db copy-to "$dst_dsn"
has "other session is connected to the source" "naming why"
kill $sleeper 2>/dev/null
psql "$PHALANX_TEST_DSN" -qAtc "select pg_terminate_backend(pid) from pg_stat_activity where query like 'select pg_sleep(20)%'" >/dev/null
wait $sleeper 2>/dev/null

run 0 "copy-to" "$PHALANX" db copy-to "$dst_dsn"
has "every table's rows match" "the copy checks the rows"
same "$(psql "$dst_dsn" -qAtc "select count(*) from order_events")" "$events" "the target has every event"
same "$(psql "$dst_dsn" -qAtc "select count(*) from accounts")" 3 "and every account"
same "$(psql "$dst_dsn" -qAtc "select max(version) from schema_migrations")" \
	"$(sql "select max(version) from schema_migrations")" "and the same schema version"
out=$(cat "$conf")
has "store.dsn = \"$dst_dsn\"" "the configuration names the target"
hasnt 'dbname=old' "the old store.dsn is gone"
has 'rate_per_sec = 7' "other settings are kept"
same "$(stat -c %a "$conf")" 600 "the configuration file is private (0600)"

# The next command, without PHALANX_DSN, uses the target.
out=$(env -u PHALANX_DSN "$PHALANX" config 2>&1)
has "$tdb" "phalanx config shows the target as the store"
out=$(env -u PHALANX_DSN "$PHALANX" -c "account list" 2>&1)
has "c3" "a command reads the accounts from the target"

run 1 "a target that already has the schema is refused" "$PHALANX" db copy-to "$dst_dsn"
has "already holds a phalanx schema" "naming why"
psql "$PHALANX_TEST_DSN" -qAtc "drop database if exists $tdb" >/dev/null 2>&1
finish
