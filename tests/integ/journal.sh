#!/bin/sh
# PostgreSQL stopped in the middle of a fan-out: the lifecycle events that
# could not be written wait in the journal and reach the store, in order
# and once each, when it is back.
. "$(dirname "$0")/lib.sh"

# A cluster of our own, since this test stops it.
own="$TMPDIR/ownpg"
PHALANX_DSN=$(sh "$PHALANX_SRCDIR/scripts/pg-temp.sh" start "$own") || {
	fail "own cluster starts"
	finish
	exit 1
}
export PHALANX_DSN
pgstop() { sh "$PHALANX_SRCDIR/scripts/pg-temp.sh" stop "$own" fast; }
pgstart() { sh "$PHALANX_SRCDIR/scripts/pg-temp.sh" start "$own" >/dev/null; }

start_sim --users 4 --seed 5 --tick-ms 20
trap 'kill $simpid 2>/dev/null; pgstop' EXIT INT TERM
{
	echo "broker add sim kind kite url $simbase api-key k"
	n=1
	while [ $n -le 4 ]; do
		echo "account add j$n broker sim user-id $(sim_user $n user_id) api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
		n=$((n + 1))
	done
} >"$TMPDIR/reg.phx"
run 0 "accounts registered" "$PHALANX" batch "$TMPDIR/reg.phx"
run 0 "instruments load" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")

# Acks take 1.5 s; PostgreSQL goes away while they are on their way.
sim_faults '{"latency_ms": 1500}'
"$PHALANX" -c "buy $FUT 1 lots to all" >"$TMPDIR/buy.out" 2>&1 &
buypid=$!
i=0
while [ "$(sql "select count(*) from orders" 2>/dev/null)" != 4 ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
same "$(sql "select count(*) from orders")" 4 "orders stored before sending"
pgstop
wait $buypid
ok "the fan-out finished with the store down (exit $?)"
sim_faults '{"latency_ms": 0}'
journal="$PHALANX_HOME/journal/events.jsonl"
if [ -s "$journal" ]; then
	ok "events waited in the journal ($(wc -l <"$journal" | tr -d ' ') lines)"
else
	fail "events waited in the journal" "$(cat "$TMPDIR/buy.out")"
fi

pgstart
run 0 "the next command replays the journal" "$PHALANX" -c "fanouts"
same "$(sql "select count(*) from orders where state = 'FILLED'")" 4 "every order reached FILLED in the store"
same "$(sql "select count(*) from (select order_id from order_events where state = 'FILLED' group by order_id) x")" 4 \
	"each order's fill event is stored"
same "$(sql "select count(*) - count(distinct uid) from order_events where uid is not null")" 0 "no event stored twice"
same "$(sql "select count(*) from order_events e where e.state = 'SUBMITTED' and e.latency_us is not null")" 4 \
	"ack latencies survived"
if [ -s "$journal" ]; then
	fail "journal emptied after replay" "$(cat "$journal")"
else
	ok "journal emptied after replay"
fi
finish
