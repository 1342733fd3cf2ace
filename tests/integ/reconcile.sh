#!/bin/sh
# Reconciliation after a crash: a `kill -9` of the sending process while
# the broker is slow to answer leaves a RUNNING fan-out and SUBMITTED
# orders; the next run of any command settles them from the broker's
# order book (states, fills, positions equal to the broker's), a rerun
# with the same idempotency key sends nothing, a fill made at the broker
# behind phalanx's back reaches the positions table, legs never sent are
# reported (not sent) until `fanout resume`, and only one of two
# processes starting at once reconciles.
. "$(dirname "$0")/lib.sh"
fresh_db
N=3
start_sim --users $N --seed 7 --tick-ms 20 --fill-lots 1000 --cash 1000000000

{
	echo "broker add sim kind kite url $simbase api-key $(sim_user 1 api_key)"
	n=1
	while [ $n -le $N ]; do
		echo "account add a$n broker sim user-id $(sim_user $n user_id) priority $n api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
		n=$((n + 1))
	done
} >"$TMPDIR/accounts.phx"
run 0 "accounts registered" "$PHALANX" batch "$TMPDIR/accounts.phx"
run 0 "instruments load" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
LOT=$(sql "select lot_size from instruments where tradingsymbol = '$FUT'")

kite() {	# kite N PATH [curl args...]: the Kite API as sim user N
	n=$1
	p=$2
	shift 2
	curl -s -H "X-Kite-Version: 3" \
	    -H "Authorization: token $(sim_user "$n" api_key):$(sim_user "$n" access_token)" \
	    "$@" "$simbase$p"
}
# Orders at the broker, over every user.
sim_orders() {
	t=0
	n=1
	while [ $n -le $N ]; do
		c=$(kite $n /orders | grep -o '"order_id"' | wc -l | tr -d ' ')
		t=$((t + c))
		n=$((n + 1))
	done
	echo $t
}
# How many orders at the broker, over every user, carry client tag $1.
tag_count() {
	tc=0
	n=1
	while [ $n -le $N ]; do
		c=$(kite $n /orders | grep -o "\"tag\":\"$1\"" | wc -l | tr -d ' ')
		tc=$((tc + c))
		n=$((n + 1))
	done
	echo $tc
}
# The broker's net quantity of FUT for user N.
sim_qty() {
	kite "$1" /portfolio/positions | tr '{' '\n' | grep "\"tradingsymbol\":\"$FUT\"" |
	    grep -o '"quantity":-\?[0-9]*' | head -1 | sed 's/.*://'
}
positions_match() {
	n=1
	bad=
	while [ $n -le $N ]; do
		b=$(sim_qty $n)
		p=$(sql "select coalesce(sum(p.qty), 0) from positions p join accounts a on a.id = p.account_id where a.name = 'a$n' and p.symbol = '$FUT'")
		[ "${b:-0}" = "$p" ] || bad="$bad a$n: broker ${b:-0}, phalanx $p;"
		n=$((n + 1))
	done
	if [ -z "$bad" ]; then ok "$1"; else fail "$1" "$bad"; fi
}
# wait_sql QUERY WANT: poll (5 s at most) until QUERY gives WANT.
wait_sql() {
	i=0
	while [ $i -lt 100 ] && [ "$(sql "$1")" != "$2" ]; do
		sleep 0.05
		i=$((i + 1))
	done
}

# 1. kill -9 after the orders are stored, before the broker's acks.
sim_faults '{"latency_ms": 1500}'
"$PHALANX" -c "buy $FUT 1 lots to all key run-1" >"$TMPDIR/bg.out" 2>&1 &
bg=$!
wait_sql "select count(*) from orders" $N
sleep 0.4
kill -9 $bg
wait $bg 2>/dev/null
sim_faults '{"latency_ms": 0}'
same "$(sql "select state from fanouts where idem_key = 'run-1'")" RUNNING "the killed fan-out is left RUNNING"
same "$(sql "select count(*) from orders where state in ('NEW', 'SUBMITTED')")" $N "its orders are left NEW/SUBMITTED"
same "$(sim_orders)" $N "the broker has every order"
sleep 0.3

run 0 "any command after the crash" "$PHALANX" -c "fanouts last 1"
has "reconcile: fanout" "the run says it settled the fan-out"
same "$(sql "select state from fanouts where idem_key = 'run-1'")" COMPLETED "the fan-out is no longer RUNNING"
same "$(sql "select count(*) from orders where state = 'FILLED' and filled_qty = qty and broker_order_id is not null")" $N \
	"orders match the broker's book (FILLED, filled, broker id)"
same "$(sql "select count(*) from order_events where message like 'reconciled%'")" $N "each correction is an order event"
positions_match "positions equal the broker's, per account"

# 2. The same key again: nothing new at the broker.
before=$(sim_orders)
run 0 "rerun with the same key" "$PHALANX" -c "buy $FUT 1 lots to all key run-1"
has "nothing sent again" "the rerun says nothing was sent"
same "$(sim_orders)" "$before" "the broker's order count is unchanged"
same "$(sql "select count(*) from fanouts")" 1 "no second fan-out"
run 1 "same key, another intent" "$PHALANX" -c "buy $FUT 2 lots to all key run-1"
has "another intent" "the error says the key was used for another intent"
same "$(sim_orders)" "$before" "still nothing new at the broker"
run 2 "a bad key is a parse error" "$PHALANX" -c "buy $FUT 1 lots key 'a b'"
positions_match "positions still equal the broker's"

# 3. A fill at the broker that phalanx never saw.
kite 1 /orders/regular -X POST -d "exchange=NFO&tradingsymbol=$FUT&transaction_type=BUY&quantity=$LOT&product=MIS&order_type=MARKET" >/dev/null
sleep 0.3
run 0 "a command after an outside order" "$PHALANX" -c "fanouts last 1"
same "$(sql "select count(*) from orders where fanout_id is null and client_tag is null")" 1 \
	"the outside order is recorded, with no fan-out"
same "$(sql "select sum(p.qty) from positions p join accounts a on a.id = p.account_id where a.name = 'a1'")" $((2 * LOT)) \
	"the outside fill is in a1's position"
positions_match "positions equal the broker's after the outside fill"
run 0 "reconcile again changes nothing" "$PHALANX" -c "fanouts last 1"
positions_match "a second pass counts no fill twice"

# 4. kill -9 mid-send: one account, five slices paced one a second; the
# first reaches the broker, the last ones never do.  They are not sent by
# the reconciler: the fan-out is INTERRUPTED and every run warns about it.
before=$(sim_orders)
"$PHALANX" -o exec.rate_per_sec=1 -c "buy $FUT 120 lots to acct:a2 key run-2" >"$TMPDIR/bg2.out" 2>&1 &
bg=$!
wait_sql "select count(*) from orders where fanout_id = (select id from fanouts where idem_key = 'run-2')" 5
sleep 0.3
kill -9 $bg
wait $bg 2>/dev/null
reached=$(( $(sim_orders) - before ))
same "$(( reached >= 1 && reached < 5 ))" 1 "some slices reached the broker, not all ($reached of 5)"
run 1 "rerun after a mid-send crash" "$PHALANX" -o broker.timeout_ms=300 -c "buy $FUT 120 lots to acct:a2 key run-2"
has "INTERRUPTED" "the rerun reports the fan-out INTERRUPTED"
has "fanout resume" "and how to send the rest"
same "$(sim_orders)" $((before + reached)) "the rerun sent nothing"
same "$(sql "select state from fanouts where idem_key = 'run-2'")" INTERRUPTED "the fan-out is INTERRUPTED"
same "$(sql "select count(*) from orders where fanout_id = (select id from fanouts where idem_key = 'run-2') and state = 'NEW'")" $((5 - reached)) \
	"the unsent slices are NEW"
same "$(sql "select count(*) from orders where fanout_id = (select id from fanouts where idem_key = 'run-2') and state = 'FILLED'")" $reached \
	"the sent ones are FILLED"
positions_match "positions follow the slices that filled"
run 0 "another command" "$PHALANX" -c "fanouts last 1"
has "warning: fanout" "every run warns about the interrupted fan-out"
same "$(sim_orders)" $((before + reached)) "and still sends nothing"
fid=$(sql "select id from fanouts where idem_key = 'run-2'")
run 0 "fanout resume sends the rest" "$PHALANX" -c "fanout resume $fid"
same "$(sim_orders)" $((before + 5)) "each unsent slice sent once"
same "$(sql "select state from fanouts where id = $fid")" COMPLETED "the resumed fan-out is COMPLETED"
same "$(sql "select count(*) from orders where fanout_id = $fid and state = 'FILLED'")" 5 "every slice FILLED"
positions_match "positions equal the broker's after the resume"
run 1 "resume again" "$PHALANX" -c "fanout resume $fid"
has "not INTERRUPTED" "a second resume is refused"
run 0 "the key after the resume" "$PHALANX" -c "buy $FUT 120 lots to acct:a2 key run-2"
same "$(sim_orders)" $((before + 5)) "nothing sent for the key"

# 4b. A scope made REDUCING since the interrupted fan-out: its resume
# meets the pre-trade guard again, and the guard refuses the buys.
before=$(sim_orders)
"$PHALANX" -o exec.rate_per_sec=1 -c "buy $FUT 120 lots to acct:a3 key run-2b" >"$TMPDIR/bg2b.out" 2>&1 &
bg=$!
wait_sql "select count(*) from orders where fanout_id = (select id from fanouts where idem_key = 'run-2b')" 5
sleep 0.3
kill -9 $bg
wait $bg 2>/dev/null
run 0 "a command settles it" "$PHALANX" -c "fanouts last 1"
fid=$(sql "select id from fanouts where idem_key = 'run-2b'")
same "$(sql "select state from fanouts where id = $fid")" INTERRUPTED "run-2b is INTERRUPTED"
sent=$(( $(sim_orders) - before ))
unsent=$(sql "select count(*) from orders where fanout_id = $fid and state = 'NEW'")
run 0 "a3 is REDUCING" "$PHALANX" -c "rms reduce acct:a3 reason \"resume test\""
run 1 "the resume is refused by the guard" "$PHALANX" -c "fanout resume $fid"
has "RMS reducing" "the rule that refused is named"
same "$(sim_orders)" $((before + sent)) "nothing more reached the broker"
same "$(sql "select count(*) from orders where fanout_id = $fid and state = 'DENIED' and message like 'RMS reducing:%'")" "$unsent" \
	"every unsent slice is DENIED with the rule"
run 0 "a3 ACTIVE again" "$PHALANX" -c "rms resume acct:a3 reason done"
positions_match "positions equal the broker's after the refused resume"

# 5. Two processes starting at once after a crash: one reconciles.
sim_faults '{"latency_ms": 1500}'
"$PHALANX" -c "buy $FUT 1 lots to all key run-3" >/dev/null 2>&1 &
bg=$!
wait_sql "select count(*) from orders where fanout_id = (select id from fanouts where idem_key = 'run-3')" $N
sleep 0.4
kill -9 $bg
wait $bg 2>/dev/null
sim_faults '{"latency_ms": 300}'
"$PHALANX" -c "fanouts last 1" >"$TMPDIR/p1.out" 2>&1 &
p1=$!
"$PHALANX" -c "fanouts last 1" >"$TMPDIR/p2.out" 2>&1 &
p2=$!
wait $p1
wait $p2
sim_faults '{"latency_ms": 0}'
same "$(cat "$TMPDIR/p1.out" "$TMPDIR/p2.out" | grep -c "reconcile: fanout")" 1 "exactly one process settled the fan-out"
same "$(sql "select state from fanouts where idem_key = 'run-3'")" COMPLETED "the fan-out is COMPLETED"
same "$(sql "select count(*) from order_events e join orders o on o.id = e.order_id where o.fanout_id = (select id from fanouts where idem_key = 'run-3') and e.message like 'reconciled%'")" $N \
	"each order corrected once"
positions_match "positions equal the broker's after a contested start"

# 6. The broker answers 5xx while reconciling: nothing is guessed.
sim_faults '{"latency_ms": 1500}'
"$PHALANX" -c "buy $FUT 1 lots to all key run-4" >/dev/null 2>&1 &
bg=$!
wait_sql "select count(*) from orders where fanout_id = (select id from fanouts where idem_key = 'run-4')" $N
sleep 0.4
kill -9 $bg
wait $bg 2>/dev/null
sim_faults '{"latency_ms": 0, "error_pct": 100}'
run 0 "a command while the broker fails" "$PHALANX" -o broker.timeout_ms=300 -c "fanouts last 1"
has "order book not read" "the run says which books it could not read"
same "$(sql "select state from fanouts where idem_key = 'run-4'")" RUNNING "the fan-out stays RUNNING, undecided"
same "$(sql "select count(*) from orders where fanout_id = (select id from fanouts where idem_key = 'run-4') and state = 'NEW'")" 0 \
	"no leg is declared never sent"
sim_faults '{"error_pct": 0}'
run 0 "the broker back" "$PHALANX" -c "fanouts last 1"
same "$(sql "select state from fanouts where idem_key = 'run-4'")" COMPLETED "then it settles"
positions_match "positions equal the broker's after the outage"

# 8. kill -9 at several points of a sync fan-out (one ack at a time, each
# 600 ms): before the first ack, between acks, after the last ack while
# the fills are watched.  Whatever the point, the next run leaves nothing
# RUNNING, sends nothing, matches the broker, and resume completes it.
for d in 0.05 0.8 1.5 2.6; do
	k="kp-$d"
	sim_faults '{"latency_ms": 600}'
	"$PHALANX" -c "buy $FUT 1 lots to all mode sync key $k" >/dev/null 2>&1 &
	bg=$!
	wait_sql "select count(*) from orders where fanout_id = (select id from fanouts where idem_key = '$k')" $N
	sleep $d
	kill -9 $bg 2>/dev/null
	wait $bg 2>/dev/null
	sim_faults '{"latency_ms": 0}'
	before=$(sim_orders)
	run 0 "kill at +${d}s: the next run" "$PHALANX" -o broker.timeout_ms=300 -c "fanouts last 1"
	same "$(sim_orders)" "$before" "kill at +${d}s: the run sent nothing"
	fid=$(sql "select id from fanouts where idem_key = '$k'")
	st=$(sql "select state from fanouts where id = $fid")
	case "$st" in
	COMPLETED|INTERRUPTED) ok "kill at +${d}s: settled $st" ;;
	*) fail "kill at +${d}s: settled" "state $st" ;;
	esac
	same "$(sql "select count(*) from orders where fanout_id = $fid and broker_order_id is not null and state <> 'FILLED'")" 0 \
		"kill at +${d}s: every order at the broker is FILLED as there"
	positions_match "kill at +${d}s: positions equal the broker's"
	if [ "$st" = INTERRUPTED ]; then
		run 0 "kill at +${d}s: resume" "$PHALANX" -c "fanout resume $fid"
		same "$(sql "select state from fanouts where id = $fid")" COMPLETED "kill at +${d}s: COMPLETED after resume"
	fi
	same "$(sql "select count(*) from orders where fanout_id = $fid and state = 'FILLED'")" $N "kill at +${d}s: one FILLED order per account"
	dup=
	for tg in $(sql "select client_tag from orders where fanout_id = $fid"); do
		[ "$(tag_count "$tg")" = 1 ] || dup="$dup $tg:$(tag_count "$tg")"
	done
	same "$dup" "" "kill at +${d}s: each order at the broker exactly once"
	positions_match "kill at +${d}s: positions equal the broker's at the end"
done

# 9. Killed after recording, before sending anything (the state a crash
# between the two leaves, written by hand): after the sending window the
# leg is declared never sent, and nothing is sent.
fid=$(sql "insert into fanouts (who, source, target, side, symbol, exchange, qty, product, order_type, state) values ('t', 'batch', 'acct:a3', 'BUY', '$FUT', 'NFO', 1, 'MIS', 'MARKET', 'RUNNING') returning id")
sql "insert into orders (fanout_id, account_id, client_tag, side, symbol, exchange, product, order_type, qty) select $fid, id, 'Pbefore1', 'BUY', '$FUT', 'NFO', 'MIS', 'MARKET', $LOT from accounts where name = 'a3'" >/dev/null
before=$(sim_orders)
run 0 "a run after a crash before sending" "$PHALANX" -o broker.timeout_ms=500 -c "fanouts last 1"
same "$(sql "select state from fanouts where id = $fid")" INTERRUPTED "the fan-out is INTERRUPTED after the window"
has "never sent" "the run says the order was never sent"
same "$(sim_orders)" "$before" "and sent nothing"
run 0 "resume it" "$PHALANX" -c "fanout resume $fid"
same "$(sim_orders)" $((before + 1)) "resume sends it once"
positions_match "positions equal the broker's after resuming"

# 10. The reconciler itself killed mid-pass (books slow to read): the
# next run does the whole pass again, and applies each fill once.
sim_faults '{"latency_ms": 1500}'
"$PHALANX" -c "buy $FUT 1 lots to all key rk-1" >/dev/null 2>&1 &
bg=$!
wait_sql "select count(*) from orders where fanout_id = (select id from fanouts where idem_key = 'rk-1')" $N
sleep 0.4
kill -9 $bg
wait $bg 2>/dev/null
"$PHALANX" -c "fanouts last 1" >/dev/null 2>&1 &
bg=$!
sleep 0.8
kill -9 $bg
wait $bg 2>/dev/null
sim_faults '{"latency_ms": 0}'
run 0 "a run after the reconciler was killed" "$PHALANX" -c "fanouts last 1"
same "$(sql "select state from fanouts where idem_key = 'rk-1'")" COMPLETED "the fan-out is settled"
positions_match "positions equal the broker's after a killed reconciler"

# 7. The daemon holds the duty: a batch run leaves reconciling to it.
"$PHALANX" serve --listen 127.0.0.1:0 >"$TMPDIR/serve.out" 2>"$TMPDIR/serve.err" &
sv=$!
wait_sql "select count(*) from pg_locks where database = (select oid from pg_database where datname = current_database()) and locktype = 'advisory' and classid = 1885893240 and objid = 0" 1
same "$(sql "select count(*) from pg_locks where database = (select oid from pg_database where datname = current_database()) and locktype = 'advisory' and classid = 1885893240 and objid = 0")" 1 "serve holds the reconcile duty"
kill $sv
wait $sv 2>/dev/null
finish
