#!/bin/sh
# Execution modes against phalanx sim, checked at the sim's order book:
# --dry-run sends nothing; mode sync sends one ack at a time in priority
# order, async all at once; a LIMIT fan-out away from the market rests
# (OPEN, recorded and shown by `orders`); cancel and kill cancel working
# orders, confirmed CANCELLED at the sim.
. "$(dirname "$0")/lib.sh"
fresh_db
N=4
start_sim --users $N --seed 41 --tick-ms 20 --fill-lots 100 --cash 100000000

# Priorities run against the names (m1 goes last) so order is visible.
{
	echo "broker add sim kind kite url $simbase api-key $(sim_user 1 api_key)"
	n=1
	while [ $n -le $N ]; do
		echo "account add m$n broker sim user-id $(sim_user $n user_id) priority $((N + 1 - n)) api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
		n=$((n + 1))
	done
} >"$TMPDIR/accounts.phx"
run 0 "accounts" "$PHALANX" batch "$TMPDIR/accounts.phx"
run 0 "instruments load" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")

sim_book() {
	curl -s -H 'X-Kite-Version: 3' \
	    -H "Authorization: token $(sim_user "$1" api_key):$(sim_user "$1" access_token)" \
	    "$simbase/orders"
}

# all_books: every user's order book, one order a line.
all_books() {
	n=1
	while [ $n -le $N ]; do
		sim_book $n | sed 's/},{/}\n{/g'
		n=$((n + 1))
	done
}

# -- --dry-run ---------------------------------------------------------------
run 0 "dry run" "$PHALANX" -c "buy $FUT 2 lots to all --dry-run"
has "nothing sent" "the dry run says so"
has "m4 " "the plan lists the accounts"
same "$(all_books | grep -c '"order_id"')" 0 "the sim's books are empty after --dry-run"
same "$(sql "select count(*) from orders")" 0 "no order recorded"
run 0 "dry run --json" "$PHALANX" --json -c "sell $FUT 1 lots to all --dry-run"
has '"dry_run":true' "--json marks the dry run"
same "$(all_books | grep -c '"order_id"')" 0 "still nothing at the sim"

# -- mode sync vs async --------------------------------------------------------
# Every reply is delayed 150 ms.  sync: each order leaves after the one
# before it was acknowledged, by priority (m4, m3, m2, m1); async: all at once.
sim_faults '{"latency_ms": 150}'
run 0 "sync fan-out" "$PHALANX" --json -c "buy $FUT 1 lots to all mode sync"
fid=$(sql "select max(id) from fanouts")
same "$(sql "select mode from fanouts where id = $fid")" sync "recorded mode sync"
# First SUBMITTED event = sent; the one with a latency = acknowledged.
sent_acked="select a.name,
	(select min(ts) from order_events e where e.order_id = o.id and e.state = 'SUBMITTED') as sent,
	(select min(ts) from order_events e where e.order_id = o.id and e.state = 'SUBMITTED' and e.latency_us is not null) as acked
	from orders o join accounts a on a.id = o.account_id where o.fanout_id = $fid"
same "$(sql "select string_agg(name, ' ' order by sent) from ($sent_acked) x")" "m4 m3 m2 m1" \
	"sync sends in priority order"
same "$(sql "select count(*) from ($sent_acked) x join ($sent_acked) y on y.sent > x.sent where y.sent < x.acked")" 0 \
	"sync: no order leaves before the previous one was acknowledged"
span=$(echo "$out" | sed 's/.*"first_send":\([0-9-]*\),"last_send":\([0-9-]*\).*/\1 \2/' | awk '{print int(($2 - $1) / 1000)}')
if [ "$span" -ge 450 ]; then ok "sync: first to last send $span ms (>= 3 x 150)"; else fail "sync spreads the sends" "$span ms"; fi
run 0 "async fan-out" "$PHALANX" --json -c "sell $FUT 1 lots to all mode async"
span=$(echo "$out" | sed 's/.*"first_send":\([0-9-]*\),"last_send":\([0-9-]*\).*/\1 \2/' | awk '{print int(($2 - $1) / 1000)}')
if [ "$span" -lt 150 ]; then ok "async: all sent within $span ms"; else fail "async sends at once" "$span ms"; fi
sim_faults '{"latency_ms": 0}'

# -- LIMIT orders rest at the broker ----------------------------------------
curl -s -X POST -d "{\"instrument\":\"NFO:$FUT\",\"price\":\"20000\"}" "$simbase/sim/price" >/dev/null
run 0 "limit buy far below the market" "$PHALANX" -c "buy $FUT 1 lots limit 10000 to acct:m1,acct:m2"
has "COMPLETED" "a resting limit order is what was asked"
fid=$(sql "select max(id) from fanouts")
same "$(sql "select string_agg(state, ',') from orders where fanout_id = $fid")" "OPEN,OPEN" "OPEN recorded in the store"
run 0 "orders shows them" "$PHALANX" -c "orders acct:m1,acct:m2 status open"
same "$(echo "$out" | grep -c ' OPEN ')" 2 "orders lists both OPEN"
same "$(sim_book 1 | sed 's/},{/}\n{/g' | grep '"status":"OPEN"' | grep -c '"price":10000')" 1 "m1's order rests at the sim"

# cancel: confirmed CANCELLED at the sim.
run 0 "cancel m1" "$PHALANX" -c "cancel acct:m1"
has "cancelled" "the cancel is confirmed"
same "$(sim_book 1 | sed 's/},{/}\n{/g' | grep -c '"status":"OPEN"')" 0 "nothing of m1 works at the sim"
same "$(sim_book 1 | sed 's/},{/}\n{/g' | grep '"price":10000' | grep -c '"status":"CANCELLED"')" 1 "m1's order is CANCELLED at the sim"
same "$(sim_book 2 | sed 's/},{/}\n{/g' | grep -c '"status":"OPEN"')" 1 "m2's order still rests"

# kill: cancels m2's working order and halts m2.
run 0 "kill m2" "$PHALANX" --json -c "kill acct:m2 reason \"test\""
has '"result":"cancelled"' "kill reports the cancel"
same "$(sim_book 2 | sed 's/},{/}\n{/g' | grep '"price":10000' | grep -c '"status":"CANCELLED"')" 1 "m2's order is CANCELLED at the sim"
same "$(sql "select trading_state from accounts where name = 'm2'")" HALTED "m2 halted"
run 0 "unkill m2" "$PHALANX" -c "unkill acct:m2 reason \"test over\""

# A cancel the broker refused (429: one order request a second) and whose
# order still rests is a failure naming the account and the order.
run 0 "two resting orders at m3" "$PHALANX" -c "buy $FUT 1 lots limit 10000 to acct:m3"
run 0 "and the second" "$PHALANX" -c "buy $FUT 1 lots limit 10100 to acct:m3"
sim_faults '{"rate_limit": 1}'
sleep 1.1	# let the window of the two places pass
run 1 "cancel refused for one of them" "$PHALANX" -o exec.retry_max=1 -c "cancel acct:m3"
has "NOT CONFIRMED: still OPEN" "the unconfirmed cancel is named"
has "not confirmed by the broker at m3" "the error names the account"
sim_faults '{"rate_limit": 10}'
same "$(sim_book 3 | sed 's/},{/}\n{/g' | grep -c '"status":"OPEN"')" 1 "one order really still rests"
run 0 "cancel again" "$PHALANX" -c "cancel acct:m3"
same "$(sim_book 3 | sed 's/},{/}\n{/g' | grep -c '"status":"OPEN"')" 0 "now nothing rests at m3"
curl -s -X POST -d "{\"instrument\":\"NFO:$FUT\",\"price\":null}" "$simbase/sim/price" >/dev/null
finish
