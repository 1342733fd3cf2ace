#!/bin/sh
# The router under the sim's fault injection: on-fail retry through 5xx
# and 429 (attempts counted, nothing doubled), the per-account token
# bucket at exec.rate_per_sec, and a hostile mix (30% rejects, timeouts
# and 5xx) where every leg the report calls FILLED is filled at the sim
# and every other leg is named as failed.
. "$(dirname "$0")/lib.sh"
fresh_db
N=8
start_sim --users $N --seed 51 --tick-ms 20 --fill-lots 1000 --cash 10000000000

{
	echo "broker add sim kind kite url $simbase api-key $(sim_user 1 api_key)"
	n=1
	while [ $n -le $N ]; do
		echo "account add f$n broker sim user-id $(sim_user $n user_id) priority $n api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
		n=$((n + 1))
	done
} >"$TMPDIR/accounts.phx"
run 0 "accounts" "$PHALANX" batch "$TMPDIR/accounts.phx"
run 0 "instruments load" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
BNF=$(sql "select tradingsymbol from instruments where name = 'BANKNIFTY' and instrument_type = 'FUT' order by expiry limit 1")

sim_book() {
	curl -s -H 'X-Kite-Version: 3' \
	    -H "Authorization: token $(sim_user "$1" api_key):$(sim_user "$1" access_token)" \
	    "$simbase/orders" | sed 's/},{/}\n{/g'
}

# no_dups FANOUT: each of the fan-out's tags is at the sim at most once.
no_dups() {
	d=0
	for row in $(sql "select a.name || ':' || o.client_tag from orders o join accounts a on a.id = o.account_id where o.fanout_id = $1"); do
		n=${row%%:*}
		n=${n#f}
		c=$(sim_book "$n" | grep -c "\"tag\":\"${row#*:}\"")
		[ "$c" -gt 1 ] && d=$((d + 1))
	done
	same "$d" 0 "$2"
}

# -- on-fail retry through 5xx -------------------------------------------
# Half of all requests fail (500/503).  A place that got a 5xx is looked
# up by tag; absent, it is sent again after a backoff.
sim_faults '{"error_pct": 50}'
run 0 "retry through 5xx" "$PHALANX" -o exec.retry_max=12 -o exec.reconcile_deadline_ms=20000 \
	-c "buy $FUT 1 lots to all on-fail retry"
sim_faults '{"error_pct": 0}'
fid=$(sql "select max(id) from fanouts")
same "$(sql "select count(*) from orders where fanout_id = $fid and state = 'FILLED'")" $N "every leg filled in the end"
retries=$(sql "select count(*) from order_events e join orders o on o.id = e.order_id where o.fanout_id = $fid and e.message like 'attempt % failed%'")
if [ "$retries" -ge 1 ]; then ok "attempts counted: $retries retries recorded"; else fail "5xx caused retries" "$retries"; fi
no_dups $fid "retry never doubled an order at the broker"
run 0 "flat again" "$PHALANX" -c "squareoff all"

# -- 429 from the sim is honoured ------------------------------------------
# The sim takes 3 orders a second per key; phalanx may send 10: the rest
# are refused with 429 and sent again after a backoff, under best-effort too.
sim_faults '{"rate_limit": 3}'
run 0 "7 slices into a 3/s limit" "$PHALANX" -o exec.retry_max=12 --json -c "buy $FUT 189 lots to acct:f1"
sim_faults '{"rate_limit": 10}'
fid=$(sql "select max(id) from fanouts")
same "$(sql "select count(*) from orders where fanout_id = $fid and state = 'FILLED'")" 7 "all 7 slices filled"
r429=$(sql "select count(*) from order_events e join orders o on o.id = e.order_id where o.fanout_id = $fid and e.message like '%Too many requests%'")
if [ "$r429" -ge 1 ]; then ok "429s recorded and retried ($r429)"; else fail "the sim's 429 was met" "$r429"; fi
same "$(sim_book 1 | grep -c '"status":"COMPLETE"')" "$(sim_book 1 | grep -c '"tag":"P')" "each of f1's orders at the sim filled"
run 0 "flat again" "$PHALANX" -c "squareoff acct:f1"

# -- the token bucket at exec.rate_per_sec ---------------------------------
# 10 slices of BANKNIFTY (freeze 900 = 30 lots) to one account at 4/s:
# a burst of 4, then one every 250 ms: at least 1.5 s first to last send.
run 0 "10 slices at 4/s" "$PHALANX" -o exec.rate_per_sec=4 --json -c "buy $BNF 300 lots to acct:f2"
span=$(echo "$out" | sed 's/.*"first_send":\([0-9-]*\),"last_send":\([0-9-]*\).*/\1 \2/' | awk '{print int(($2 - $1) / 1000)}')
if [ "$span" -ge 1450 ]; then ok "throttled: first to last send $span ms"; else fail "the bucket paces 4/s" "$span ms"; fi
fid=$(sql "select max(id) from fanouts")
same "$(sql "select count(*) from orders where fanout_id = $fid")" 10 "10 slices"
run 0 "two accounts at 4/s" "$PHALANX" -o exec.rate_per_sec=4 --json -c "buy $FUT 27 lots to acct:f3,acct:f4"
span=$(echo "$out" | sed 's/.*"first_send":\([0-9-]*\),"last_send":\([0-9-]*\).*/\1 \2/' | awk '{print int(($2 - $1) / 1000)}')
if [ "$span" -lt 200 ]; then ok "buckets are per account: one order each goes at once ($span ms)"; else fail "per-account buckets" "$span ms"; fi
run 0 "flat again" "$PHALANX" -c "squareoff all"

# -- a hostile mix: the report agrees with the sim --------------------------
sim_faults '{"reject_pct": 30, "timeout_pct": 30, "error_pct": 30}'
"$PHALANX" -o broker.timeout_ms=400 -o exec.reconcile_deadline_ms=4000 --json \
	-c "buy $FUT 1 lots to all" >"$TMPDIR/mix.out" 2>&1
rc=$?
sim_faults '{"reject_pct": 0, "timeout_pct": 0, "error_pct": 0}'
out=$(cat "$TMPDIR/mix.out")
fid=$(sql "select max(id) from fanouts")
nfilled=$(sql "select count(*) from orders where fanout_id = $fid and state = 'FILLED'")
if [ "$nfilled" -lt $N ]; then
	same "$rc" 1 "a fan-out with failed legs exits 1"
	has '"ok":false' "--json says not ok"
else
	same "$rc" 0 "every leg filled: exit 0"
fi
bad=0
for row in $(sql "select a.name || ':' || o.client_tag || ':' || o.state from orders o join accounts a on a.id = o.account_id where o.fanout_id = $fid"); do
	n=${row%%:*}
	n=${n#f}
	rest=${row#*:}
	tag=${rest%%:*}
	st=${rest#*:}
	at=$(sim_book "$n" | grep "\"tag\":\"$tag\"")
	case "$st" in
	FILLED) echo "$at" | grep -q '"status":"COMPLETE"' || { bad=$((bad + 1)); echo "# $row not COMPLETE at the sim"; } ;;
	*) [ "$st" != UNKNOWN ] && echo "$at" | grep -q '"status":"COMPLETE"' &&
		{ bad=$((bad + 1)); echo "# $row filled at the sim"; }
	   case "$out" in *"\"failed_accounts\":"*"\"f$n\""*) ;; *) bad=$((bad + 1)); echo "# f$n not named failed" ;; esac ;;
	esac
done
same "$bad" 0 "every FILLED leg is filled at the sim, every other is named failed"
no_dups $fid "no order doubled under the hostile mix"
run 0 "flat again" "$PHALANX" -c "squareoff all"
run 0 "positions" "$PHALANX" --json -c "positions all"
same "$(echo "$out" | grep -o '"qty":[0-9-]*' | grep -vc '"qty":0')" 0 "every account flat at the end"
finish
