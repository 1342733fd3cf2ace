#!/bin/sh
# PostgreSQL stopped while two processes run fan-outs: the broker confirms
# every order, so both fan-outs complete (exit 0); what they could not
# write -- lifecycle events, broker order ids, position fills, final
# states -- waits in the journals under $PHALANX_HOME/journal and reaches
# the store, in order and once each, when it is back.  No timing luck:
# the simulator holds its acks (fault "hold") until PostgreSQL is down.
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
LOT=$(sql "select lot_size from instruments where tradingsymbol = '$FUT'")

# While acks are held the place requests must not time out (the order
# would turn UNKNOWN and be reconciled instead): however long the store
# takes to stop, the broker answers within this.
mkdir -p "$XDG_CONFIG_HOME/phalanx"
printf '[broker]\ntimeout_ms = 120s\n' >"$XDG_CONFIG_HOME/phalanx/phalanx.conf"

held() {
	curl -s "$simbase/sim/health" | sed -n 's/.*"held":\([0-9]*\).*/\1/p'
}

# Two fan-outs at once; their acks are held by the simulator.
sim_faults '{"hold": true}'
"$PHALANX" -c "buy $FUT 1 lots to all" >"$TMPDIR/buy1.out" 2>"$TMPDIR/buy1.err" &
buy1=$!
"$PHALANX" -c "buy $FUT 1 lots to all" >"$TMPDIR/buy2.out" 2>"$TMPDIR/buy2.err" &
buy2=$!
i=0
while [ "$(held)" != 8 ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
same "$(held)" 8 "the simulator holds all eight acks"
same "$(sql "select count(*) from orders")" 8 "orders stored before sending"
pgstop
# Releasing stops holding too: the fan-outs' status polls must answer.
out=$(curl -s -X POST -d '{"hold": false}' "$simbase/sim/faults")
has '"hold":false' "the acks are released with the store down"
wait $buy1
rc1=$?
wait $buy2
rc2=$?
# Exit 0: every order is confirmed by the broker and everything the
# fan-out wrote is durable in the journals.
same "$rc1 $rc2" "0 0" "both fan-outs exit 0 with the store down"
out=$(cat "$TMPDIR/buy1.out" "$TMPDIR/buy2.out")
has "COMPLETED: 4 order(s), 0 failed" "the report says COMPLETED"
out=$(cat "$TMPDIR/buy1.err" "$TMPDIR/buy2.err")
has "replayed when it is back" "stderr says the writes were kept"

jdir="$PHALANX_HOME/journal"
for f in events store; do
	if [ -s "$jdir/$f.jsonl" ]; then
		ok "$f waited in the journal ($(wc -l <"$jdir/$f.jsonl" | tr -d ' ') lines)"
	else
		fail "$f waited in the journal" "$(cat "$TMPDIR"/buy*.err)"
	fi
done
same "$(grep -c '"op":"fanout.finish"' "$jdir/store.jsonl")" 2 "both final states journaled"
# Broker order ids go a batch per statement: count the ids in the batches.
same "$(grep '"op":"order.broker_ids"' "$jdir/store.jsonl" | grep -o '\\"b\\":' | wc -l | tr -d ' ')" 8 "every broker order id journaled"
seqs=$(sed 's/.*"seq":\([0-9]*\).*/\1/' "$jdir/events.jsonl" | sort -n | uniq -d | wc -l | tr -d ' ')
same "$seqs" 0 "no journal seq given twice across the two processes"

# A torn last line (a crash mid-append): the others still replay.
cp "$jdir/store.jsonl" "$TMPDIR/store.copy"
printf '{"op":"position.fill","p":["1"' >>"$jdir/events.jsonl"

pgstart
run 0 "the next command replays the journals" "$PHALANX" -c "fanouts"
has "torn last line" "the torn line is reported"
same "$(cat "$jdir/events.jsonl.corrupt")" '{"op":"position.fill","p":["1"' "the torn line is kept aside"
same "$(sql "select count(*) from orders where state = 'FILLED'")" 8 "every order reached FILLED in the store"
same "$(sql "select count(*) from orders where broker_order_id ~ '^[0-9]+$'")" 8 "every order has its broker id from the journal"
same "$(sql "select count(*) > 0 from journal_applied where op = 'order.broker_ids'")" t "the kept batches of broker ids were applied"
same "$(sql "select count(*) from (select order_id from order_events where state = 'FILLED' group by order_id) x")" 8 \
	"each order's fill event is stored"
same "$(sql "select count(*) - count(distinct uid) from order_events where uid is not null")" 0 "no event stored twice"
same "$(sql "select count(*) from order_events e where e.state = 'SUBMITTED' and e.latency_us is not null")" 8 \
	"ack latencies survived"
same "$(sql "select count(*) from orders where broker_order_id is not null")" 8 "broker order ids reached the store"
same "$(sql "select string_agg(state, ',') from fanouts")" "COMPLETED,COMPLETED" "final states reached the store"
same "$(sql "select string_agg(qty::text, ',' order by account_id) from positions")" \
	"$((2 * LOT)),$((2 * LOT)),$((2 * LOT)),$((2 * LOT))" "positions moved by both fan-outs' fills"
for f in events store; do
	if [ -s "$jdir/$f.jsonl" ]; then
		fail "$f journal emptied after replay" "$(cat "$jdir/$f.jsonl")"
	else
		ok "$f journal emptied after replay"
	fi
done

# Killed after the store committed a replay but before the journal was
# cut: the same entries again change nothing (uids).
cp "$TMPDIR/store.copy" "$jdir/store.jsonl"
run 0 "a second replay of the same writes" "$PHALANX" -c "fanouts"
same "$(sql "select string_agg(qty::text, ',' order by account_id) from positions")" \
	"$((2 * LOT)),$((2 * LOT)),$((2 * LOT)),$((2 * LOT))" "a repeated fill moves no position"
same "$(wc -c <"$jdir/store.jsonl" | tr -d ' ')" 0 "journal emptied again"

# The journal directory cannot be written and the store goes down: a
# fan-out must not claim success.
rm -rf "$jdir"
: >"$jdir"	# a file where the directory should be (root writes anywhere)
sim_faults '{"hold": true}'
"$PHALANX" -c "buy $FUT 1 lots to acct:j1" >"$TMPDIR/buy3.out" 2>"$TMPDIR/buy3.err" &
buy3=$!
i=0
while [ "$(held)" != 1 ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
pgstop
out=$(curl -s -X POST "$simbase/sim/release")
has '"released":1' "/sim/release sends the held ack"
sim_faults '{"hold": false}'
wait $buy3
rc3=$?
out=$(cat "$TMPDIR/buy3.out" "$TMPDIR/buy3.err")
if [ "$rc3" -eq 3 ]; then
	ok "no store and no journal: the fan-out fails (exit $rc3)"
else
	fail "no store and no journal: the fan-out fails with exit 3 (got $rc3)" "$out"
fi
has "COMPLETED at the broker, but not recorded" "the error says the broker did it but the record is lost"
has "not journaled" "the error names the journal failure"
rm -f "$jdir"
finish
