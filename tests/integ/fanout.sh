#!/bin/sh
# Fan-out end to end against phalanx sim: allocation over 50 accounts,
# squareoff, injected rejects under each failure policy, reconciliation of
# timed-out legs without duplicates, and the kill switch.
. "$(dirname "$0")/lib.sh"
fresh_db
N=50
start_sim --users $N --seed 11 --tick-ms 20 --fill-lots 100 --cash 100000000

# Accounts a01..a50: priority = number, lots 1..3, groups by parity.
{
	echo "broker add sim kind kite url $simbase api-key $(sim_user 1 api_key)"
	n=1
	while [ $n -le $N ]; do
		nn=$(printf '%02d' $n)
		if [ $((n % 2)) -eq 0 ]; then grp=even; else grp=odd; fi
		echo "account add a$nn broker sim user-id $(sim_user $n user_id) priority $n lots $((n % 3 + 1)) capital $((n * 100000)) tags $grp api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
		n=$((n + 1))
	done
} >"$TMPDIR/accounts.phx"
run 0 "50 accounts registered" "$PHALANX" batch "$TMPDIR/accounts.phx"
run 0 "instruments load" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
LOT=$(sql "select lot_size from instruments where tradingsymbol = '$FUT'")
same "$LOT" 65 "NIFTY lot size from the dump"

# Every account gets exactly QTY x its own lots (policy fixed).
run 0 "buy 1 lot to all" "$PHALANX" -c "buy $FUT 1 lots to all"
has "COMPLETED" "fan-out completed"
same "$(sql "select count(*) from orders o join accounts a on a.id = o.account_id where o.qty <> a.lots * $LOT")" 0 \
	"each order is the account's lots x lot size"
same "$(sql "select count(distinct account_id) from orders")" $N "one order per account"
same "$(sql "select count(*) from orders where state <> 'FILLED'")" 0 "every order filled"
same "$(sql "select count(*) from orders where length(client_tag) > 20")" 0 "client tags fit 20 characters"
same "$(sql "select count(*) from (select order_id from order_events group by order_id having count(*) < 3) x")" 0 \
	"every order has its lifecycle events"
run 0 "positions --json" "$PHALANX" --json -c "positions all"
same "$(echo "$out" | grep -o '"qty":[0-9-]*' | sed 's/"qty"://' | awk '{s+=$1} END {print s}')" \
	"$(sql "select sum(lots) * $LOT from accounts")" "broker positions match the allocation"
same "$(sql "select count(*) from positions p join accounts a on a.id = p.account_id where p.qty <> a.lots * $LOT")" 0 \
	"the positions table follows the fills"

# equal: 10 lots over the 25 odd accounts -> the first 10 by priority.
run 0 "equal split" "$PHALANX" -c "buy $FUT 10 lots to group:odd policy equal"
same "$(sql "select string_agg(a.name, ' ' order by a.priority) from orders o join accounts a on a.id = o.account_id where o.fanout_id = (select max(id) from fanouts)")" \
	"a01 a03 a05 a07 a09 a11 a13 a15 a17 a19" "remainder lots go by priority"

run 0 "squareoff all" "$PHALANX" -c "squareoff all"
same "$(sql "select count(*) from positions where qty <> 0")" 0 "the positions table is flat after squareoff"
run 0 "positions after squareoff" "$PHALANX" --json -c "positions all"
same "$(echo "$out" | grep -o '"qty":[0-9-]*' | grep -v '"qty":0' | wc -l | tr -d ' ')" 0 "every position is flat"

# best-effort with every order rejected: the command fails, says why.
sim_faults '{"reject_pct": 100}'
run 1 "rejected fan-out fails" "$PHALANX" -c "buy $FUT 1 lots to group:even"
has "REJECTED" "legs show REJECTED"
same "$(sql "select state from fanouts order by id desc limit 1")" FAILED "fan-out recorded FAILED"

# all-or-none with a third of the orders rejected: filled legs are
# reversed, and a rejected reversal is sent again until it fills.
sim_faults '{"reject_pct": 30}'
run 1 "all-or-none with rejects" "$PHALANX" -o exec.retry_max=10 -c "buy $FUT 1 lots to all on-fail all-or-none"
same "$(sql "select state from fanouts order by id desc limit 1")" REVERSED "fan-out recorded REVERSED"
sim_faults '{"reject_pct": 0}'
run 0 "positions after rollback" "$PHALANX" --json -c "positions all"
same "$(echo "$out" | grep -o '"qty":[0-9-]*' | grep -v '"qty":0' | wc -l | tr -d ' ')" 0 \
	"all-or-none leaves every account flat"

# Timeouts: the sim places the order but never answers; the router finds
# each by its tag instead of sending it again.
sim_faults '{"timeout_pct": 40}'
run 0 "fan-out with timeouts" "$PHALANX" -o broker.timeout_ms=400 -c "buy $FUT 1 lots to group:odd on-fail retry"
sim_faults '{"timeout_pct": 0}'
fid=$(sql "select max(id) from fanouts")
same "$(sql "select count(*) from order_events e join orders o on o.id = e.order_id where o.fanout_id = $fid and e.state = 'UNKNOWN'" | awk '{print ($1 > 0)}')" 1 \
	"some legs timed out (UNKNOWN)"
same "$(sql "select count(*) from orders where fanout_id = $fid and state <> 'FILLED'")" 0 "every timed-out leg was reconciled"
run 0 "orders at the broker" "$PHALANX" --json -c "orders group:odd"
dups=0
ntags=0
for tag in $(sql "select client_tag from orders where fanout_id = $fid"); do
	ntags=$((ntags + 1))
	c=$(echo "$out" | grep -o "\"tag\":\"$tag\"" | wc -l | tr -d ' ')
	if [ "$c" != 1 ]; then
		dups=$((dups + 1))
		fail "tag $tag is at the broker once, not $c times"
	fi
done
if [ "$ntags" -gt 0 ] && [ "$dups" -eq 0 ]; then
	ok "no order was duplicated ($ntags tags, each at the broker once)"
else
	fail "no order was duplicated" "$ntags tags, $dups not exactly once"
fi
run 0 "squareoff odd" "$PHALANX" -c "squareoff group:odd"

# Kill switch: HALTED refuses new orders until unkill.
run 0 "kill a01" "$PHALANX" -c "kill acct:a01 reason \"test kill\""
same "$(sql "select trading_state from accounts where name = 'a01'")" HALTED "a01 halted"
run 1 "buy to a halted account fails" "$PHALANX" -c "buy $FUT 1 lots to acct:a01"
has "halted" "the error says the account is halted"
run 2 "unkill needs a reason" "$PHALANX" -c "unkill acct:a01"
run 0 "unkill" "$PHALANX" -c "unkill acct:a01 reason \"back to normal\""
run 0 "buy after unkill" "$PHALANX" -c "buy $FUT 1 lots to acct:a01"
run 0 "fanouts" "$PHALANX" -c "fanouts last 3"
has "COMPLETED" "fanouts lists the last runs"
run 0 "fanout show" "$PHALANX" -c "fanout show $(sql "select max(id) from fanouts")"
has "last ack" "fanout show has the timings"
run 1 "fanout show unknown" "$PHALANX" -c "fanout show 999999"
run 1 "a limit off the tick" "$PHALANX" -c "buy $FUT 1 lots limit 100.03 to acct:a02"
has "tick size 0.05" "the error names the tick size"
hasnt "0.0500" "in rupees and paise"
run 1 "units off the lot" "$PHALANX" -c "buy $FUT 100 units to acct:a02"
has "multiple of the lot size 65" "the error names the lot size"
run 1 "unknown instrument" "$PHALANX" -c "buy NOSUCH26DECFUT 1 lots"
has "unknown instrument" "the error names the instrument"
run 0 "latency" "$PHALANX" -c "latency group:odd"
has "broker" "latency per broker"
same "$(echo "$out" | grep -c '^account')" 25 "latency for each account of the group"
run 0 "latency --json" "$PHALANX" --json -c "latency"
has '"p99_ms"' "latency percentiles in --json"
same "$(sql "select count(*) from audit_log where action = 'account.kill'")" 1 "kill audited"
# Each process's warm-up of the intent (store_fanout_warm) wrote nothing.
same "$(sql "select count(*) from fanouts where front = 'warm' or who = 'warm'")" 0 "the intent warm-ups wrote no fan-out"

# The broker gone: nothing was sent, the command says so and exits 3.
kill $simpid
wait $simpid 2>/dev/null
run 3 "broker unreachable" "$PHALANX" -c "buy $FUT 1 lots to acct:a02"
has "broker unreachable" "the failure names the broker"
finish
