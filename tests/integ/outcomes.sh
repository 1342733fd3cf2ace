#!/bin/sh
# "Completed" means the broker confirmed it.  Against two phalanx sims
# (one is stopped to make half the accounts unreachable): squareoff, kill
# and cancel name the accounts they could not confirm and fail (exit 3
# when the broker was unreachable), an unclear order is looked up by its
# client tag until exec.reconcile_deadline_ms while the order book answers
# 5xx, and an all-or-none rollback is REVERSED only when every account is
# confirmed flat, else ROLLBACK_INCOMPLETE naming what is left open.
. "$(dirname "$0")/lib.sh"
fresh_db

# Sim B first (accounts b1, b2), then sim A (a1, a2): start_sim keeps the
# variables of the last one.
start_sim --users 2 --seed 31 --tick-ms 100 --fill-lots 100 --cash 100000000
bpid=$simpid
bbase=$simbase
bout="$TMPDIR/simb.out"
cp "$simout" "$bout"
start_sim --users 2 --seed 32 --tick-ms 100 --fill-lots 100 --cash 100000000
trap 'kill $simpid $bpid 2>/dev/null' EXIT INT TERM
buser() {
	sed -n "${1}p" "$bout" | sed "s/.*\"$2\":\"\([^\"]*\)\".*/\1/"
}
{
	echo "broker add sima kind kite url $simbase api-key $(sim_user 1 api_key)"
	echo "broker add simb kind kite url $bbase api-key $(buser 1 api_key)"
	for n in 1 2; do
		echo "account add a$n broker sima user-id $(sim_user $n user_id) priority $n api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
		echo "account add b$n broker simb user-id $(buser $n user_id) priority $((n + 2)) api-key $(buser $n api_key) access-token $(buser $n access_token)"
	done
} >"$TMPDIR/accounts.phx"
run 0 "accounts on two brokers" "$PHALANX" batch "$TMPDIR/accounts.phx"
run 0 "instruments load" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")

# sim_book N: user N's order book at sim A.
sim_book() {
	curl -s -H 'X-Kite-Version: 3' \
	    -H "Authorization: token $(sim_user "$1" api_key):$(sim_user "$1" access_token)" \
	    "$simbase/orders"
}

# ntags N: how many of our orders user N's book at sim A holds.
ntags() {
	sim_book "$1" | grep -o '"tag":"P[^"]*"' | wc -l | tr -d ' '
}

# wait_tags N COUNT: until user N's book at sim A holds COUNT of our orders.
wait_tags() {
	i=0
	while [ $i -lt 100 ]; do
		[ "$(ntags "$1")" -ge "$2" ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

flat_at() {
	"$PHALANX" --json -c "positions $1" 2>/dev/null | grep -o '"qty":[0-9-]*' | grep -v '"qty":0' | wc -l | tr -d ' '
}

# -- 4: squareoff, kill and cancel never say "completed" unconfirmed ---------
run 0 "buy 1 lot to all" "$PHALANX" -c "buy $FUT 1 lots to all"
kill $bpid
wait $bpid 2>/dev/null
run 3 "squareoff all with sim B down exits 3" "$PHALANX" -c "squareoff all"
has "b1: positions unknown" "b1's position is named unknown"
has "b2: positions unknown" "b2's position is named unknown"
has "not confirmed by the broker at b1, b2 (broker unreachable)" "the error names the unreachable accounts"
hasnt "COMPLETED" "never reported completed"
hasnt "nothing to close (positions read, flat): b" "never 'nothing to close' for an unread account"
same "$(sql "select state from fanouts order by id desc limit 1")" PARTIAL "fan-out recorded PARTIAL"
same "$(flat_at acct:a1,acct:a2)" 0 "sim A's accounts were closed"
run 3 "squareoff --json" "$PHALANX" --json -c "squareoff all"
has '"ok":false' "--json says not ok"
has '"code":"broker-unreachable"' "--json error code"
has '"failed_accounts":["b1","b2"]' "--json names the accounts"
has '"problems":[{"account":"b1","what":"positions"' "--json lists what is unknown"
run 3 "kill all with sim B down exits 3" "$PHALANX" -c "kill all reason \"drill\""
has "b1: working orders unknown" "kill names the orders it could not cancel"
has "b2: positions unknown" "kill names the positions it could not close"
same "$(sql "select string_agg(trading_state, ',' order by name) from accounts")" "HALTED,HALTED,HALTED,HALTED" \
	"kill still halted every account"
run 0 "unkill" "$PHALANX" -c "unkill all reason \"drill over\""
run 3 "cancel all with sim B down exits 3" "$PHALANX" -c "cancel all"
has "b1: working orders unknown" "cancel names the accounts"
run 0 "squareoff of read, flat accounts" "$PHALANX" -c "squareoff acct:a1,acct:a2"
has "nothing to close (positions read, flat): a1, a2" "flat only once read"
has "COMPLETED" "confirmed flat is completed"

# A 5xx answer is a failure too (exit 1), named.
sim_faults '{"error_pct": 100}'
run 1 "squareoff while sim A answers 5xx" "$PHALANX" -c "squareoff acct:a1"
has "a1: positions unknown" "5xx: a1 named"
sim_faults '{"error_pct": 0}'

# -- 6: a 5xx on GET /orders while reconciling is asked again --------------
# The place is held (timeout fault, 2 s) so the router must look for its
# tag; the book answers 5xx from before the timeout until 3.5 s after it
# was placed, then recovers, well within the 8 s deadline.  Generous
# windows: a sanitizer build on a busy machine is slow.
n1=$(ntags 1)
sim_faults '{"timeout_pct": 100}'
"$PHALANX" -o broker.timeout_ms=2000 -o exec.reconcile_deadline_ms=8000 \
	-c "buy $FUT 1 lots to acct:a1 on-fail retry" >"$TMPDIR/r6.out" 2>&1 &
p6=$!
wait_tags 1 $((n1 + 1)) || fail "the held order reached sim A"
sim_faults '{"timeout_pct": 0, "error_pct": 100}'
sleep 3.5
sim_faults '{"error_pct": 0}'
wait $p6
rc=$?
out=$(cat "$TMPDIR/r6.out")
same "$rc" 0 "reconciled after the 5xx spell: exit 0"
has "COMPLETED" "the leg found by tag completes"
fid=$(sql "select max(id) from fanouts")
same "$(sql "select count(*) from order_events e join orders o on o.id = e.order_id where o.fanout_id = $fid and e.state = 'UNKNOWN'")" 1 \
	"the leg was UNKNOWN first"
same "$(sql "select state from orders where fanout_id = $fid")" FILLED "then FILLED, as the book says"
same "$(sql "select count(*) from order_events e join orders o on o.id = e.order_id where o.fanout_id = $fid and e.message ~ 'found by client tag after ([2-9]|[1-9][0-9]+) read'")" 1 \
	"found only after the 5xx reads were asked again"
same "$(ntags 1)" $((n1 + 1)) "sent once: no duplicate at the broker"

# Past the deadline the leg stays UNKNOWN and the result says so: exit 1.
sim_faults '{"timeout_pct": 100}'
"$PHALANX" -o broker.timeout_ms=2000 -o exec.reconcile_deadline_ms=1500 \
	-c "buy $FUT 1 lots to acct:a1 on-fail retry" >"$TMPDIR/r6b.out" 2>&1 &
p6=$!
wait_tags 1 $((n1 + 2)) || fail "the second held order reached sim A"
sim_faults '{"timeout_pct": 0, "error_pct": 100}'
wait $p6
rc=$?
sim_faults '{"error_pct": 0}'
out=$(cat "$TMPDIR/r6b.out")
same "$rc" 1 "unreadable book past the deadline: exit 1"
has "UNCONFIRMED a1 BUY 65" "the unconfirmed leg is named"
has "1 order(s) unconfirmed at a1: check the order book" "the error names the account"
has "before acting" "and says what to do"
fid=$(sql "select max(id) from fanouts")
same "$(sql "select state from orders where fanout_id = $fid")" UNKNOWN "the order stays UNKNOWN"
run 0 "squareoff a1" "$PHALANX" -c "squareoff acct:a1"

# -- 5: all-or-none: UNKNOWN legs are reconciled before the rollback -------
# Both legs are held (2 s), then the book is unreadable past the send
# phase's deadline (4 s after the timeout); it recovers 7 s after the
# place, while the rollback looks again (6 s to 10 s), which finds both
# orders filled and reverses them.
aon() {
	sim_faults '{"timeout_pct": 100}'
	"$PHALANX" -o broker.timeout_ms=2000 -o exec.reconcile_deadline_ms=4000 \
		--json -c "buy $FUT 1 lots to acct:a1,acct:a2 on-fail all-or-none" >"$TMPDIR/aon.out" 2>&1 &
	paon=$!
	wait_tags 1 "$1" && wait_tags 2 "$2" || fail "the held orders reached sim A"
	sim_faults '{"timeout_pct": 0, "error_pct": 100}'
}
n1=$(ntags 1)
n2=$(ntags 2)
aon $((n1 + 1)) $((n2 + 1))
sleep 7
sim_faults '{"error_pct": 0}'
wait $paon
rc=$?
out=$(cat "$TMPDIR/aon.out");
same "$rc" 1 "all-or-none with unknown legs fails"
same "$(sql "select state from fanouts order by id desc limit 1")" REVERSED "reversed once the book was read"
same "$(flat_at acct:a1,acct:a2)" 0 "both accounts flat at the broker"

# The book stays unreadable: ROLLBACK_INCOMPLETE, naming what is left.
n1=$(ntags 1)
n2=$(ntags 2)
aon $((n1 + 1)) $((n2 + 1))
wait $paon
rc=$?
sim_faults '{"error_pct": 0}'
out=$(cat "$TMPDIR/aon.out");
same "$rc" 1 "rollback incomplete: exit 1"
same "$(sql "select state from fanouts order by id desc limit 1")" ROLLBACK_INCOMPLETE "fan-out recorded ROLLBACK_INCOMPLETE"
has '"state":"ROLLBACK_INCOMPLETE"' "--json state"
has '"code":"rollback-incomplete"' "--json error code"
has '"left_open":[{"account":"a1","exchange":"NFO","symbol":"'"$FUT"'","side":"BUY"' "--json names a1's open exposure"
has '"account":"a2"' "and a2's"
has "positions left open at a1, a2" "the message names the accounts"
same "$(flat_at acct:a1)" 1 "a1 really is left open (so the report was right)"
run 0 "fanout show" "$PHALANX" -c "fanout show $(sql "select max(id) from fanouts")"
has "ROLLBACK_INCOMPLETE: positions left open at a1, a2" "the store keeps what was left open"
run 0 "squareoff after the drill" "$PHALANX" -c "squareoff acct:a1,acct:a2"
finish
