#!/bin/sh
# Fan-out intents are written on a connection of their own (db/store.c,
# store_run_first).  That connection lost -- and no new one allowed --
# while the store's other connections still work: the next fan-out fails
# with a clear error and sends nothing; the one before it, whose intent
# was in, completes.  And the intent's ownership lock is dropped on that
# connection once a fan-out's state is stored.
. "$(dirname "$0")/lib.sh"

fresh_db
# A login of the test's own, which the test can forbid.
role="t_intent_$$"
psql "$PHALANX_TEST_DSN" -qAtc "create role $role login superuser" >/dev/null
PHALANX_DSN="$PHALANX_DSN user=$role"
export PHALANX_DSN
cleanup() {
	kill "$simpid" 2>/dev/null
	psql "$PHALANX_TEST_DSN" -qAtc "alter role $role login" >/dev/null 2>&1
}
start_sim --users 2 --seed 9 --tick-ms 20
trap cleanup EXIT INT TERM
{
	echo "broker add sim kind kite url $simbase api-key k"
	echo "account add i1 broker sim user-id $(sim_user 1 user_id) api-key $(sim_user 1 api_key) access-token $(sim_user 1 access_token)"
	echo "account add i2 broker sim user-id $(sim_user 2 user_id) api-key $(sim_user 2 api_key) access-token $(sim_user 2 access_token)"
} >"$TMPDIR/reg.phx"
run 0 "accounts registered" "$PHALANX" batch "$TMPDIR/reg.phx"
run 0 "instruments load" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")

# Orders the simulator was sent, over both users.
placed() {
	n=0
	for u in 1 2; do
		k=$(curl -s -H "X-Kite-Version: 3" -H "Authorization: token $(sim_user $u api_key):$(sim_user $u access_token)" \
		    "$simbase/orders" | grep -o '"order_id"' | wc -l)
		n=$((n + k))
	done
	echo $n
}
held() {
	curl -s "$simbase/sim/health" | sed -n 's/.*"held":\([0-9]*\).*/\1/p'
}

# The first fan-out's acks are held: meanwhile the intents' connection
# (the one that ran phalanx_fanout_intent) is cut and no login allowed.
mkdir -p "$XDG_CONFIG_HOME/phalanx"
printf '[broker]\ntimeout_ms = 120s\n' >"$XDG_CONFIG_HOME/phalanx/phalanx.conf"
printf 'buy %s 1 lots to all\nbuy %s 1 lots to all\n' "$FUT" "$FUT" >"$TMPDIR/two.phx"
sim_faults '{"hold": true}'
"$PHALANX" -o exec.settle_ms=0 batch "$TMPDIR/two.phx" >"$TMPDIR/two.out" 2>"$TMPDIR/two.err" &
bpid=$!
i=0
while [ "$(held)" != 2 ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
same "$(held)" 2 "the first fan-out's two orders are at the broker"
same "$(sql "select count(*) from fanouts")" 1 "its intent is stored"
# The connection that wrote the intent holds the fan-out's ownership lock.
pids=$(psql "$PHALANX_TEST_DSN" -qAtc "select l.pid from pg_locks l join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' and l.classid = 1885889135 and a.usename = '$role'")
same "$(echo "$pids" | grep -c .)" 1 "one connection wrote the intent and owns the fan-out"
psql "$PHALANX_TEST_DSN" -qAtc "alter role $role nologin" >/dev/null
same "$(psql "$PHALANX_TEST_DSN" -qAtc "select pg_terminate_backend($pids)")" t "the intents' connection is cut"
sim_faults '{"hold": false}'
wait $bpid
rc=$?
out=$(cat "$TMPDIR/two.out" "$TMPDIR/two.err")
if [ "$rc" -ne 0 ]; then
	ok "the batch fails (exit $rc)"
else
	fail "the batch fails" "$out"
fi
has "COMPLETED: 2 order(s), 0 failed" "the first fan-out completes on the other connections"
has "cannot record the fan-out, nothing was sent: store unreachable" "the second says why, and that nothing was sent"
same "$(placed)" 2 "the broker got the first fan-out's orders and no other"
psql "$PHALANX_TEST_DSN" -qAtc "alter role $role login" >/dev/null
same "$(sql "select count(*) from fanouts")" 1 "no second intent"
same "$(sql "select state from fanouts")" COMPLETED "the first fan-out's state is stored"
same "$(sql "select count(*) from orders where broker_order_id is not null")" 2 "its orders are stored"
same "$(sql "select count(distinct order_id) from order_events where state = 'SUBMITTED'")" 2 "and their events"
same "$(sql "select count(*) from audit_log where action = 'fanout.order' and object = 'fanout:' || (select id from fanouts)")" 1 \
	"its audit row is written once, with its legs"

# A process that finished a fan-out gives its ownership lock up: the next
# intent drops it first thing (a daemon's or console's loop also drops it
# 100 ms after; a shell's loop does not run between commands, so there
# the last fan-out's lock stays until the next intent or the end).
printf 'buy %s 1 lots to all\nbuy %s 1 lots to all\n' "$FUT" "$FUT" >"$TMPDIR/again.phx"
mkfifo "$TMPDIR/in"
"$PHALANX" -o exec.settle_ms=0 shell <"$TMPDIR/in" >"$TMPDIR/shell.out" 2>&1 &
spid=$!
exec 3>"$TMPDIR/in"
cat "$TMPDIR/again.phx" >&3
i=0
while [ "$(sql "select count(*) from fanouts where state = 'COMPLETED'")" != 3 ] && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
same "$(sql "select count(*) from fanouts where state = 'COMPLETED'")" 3 "both later fan-outs complete"
locks() {
	psql "$PHALANX_TEST_DSN" -qAtc "select string_agg(l.objid::text, ',') from pg_locks l join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' and l.classid = 1885889135 and a.usename = '$role'"
}
same "$(locks)" "$(sql "select max(id) from fanouts")" "only the last fan-out's lock is held: the next intent dropped the one before"
kill -0 $spid 2>/dev/null && ok "(the shell is still running)" || fail "the shell is still running"
exec 3>&-
wait $spid
same "$(locks)" "" "none once it ends"
finish
