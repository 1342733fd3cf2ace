#!/bin/sh
# A broker that hands out an order id it gave before (a simulator
# restarted with the same --order-seq against the same store): the
# console's screen stays clean (no "duplicate key" written over it), the
# feed says what happened, and the order keeps its events and its fill,
# matched by client tag.  Then the default: a restarted simulator's ids
# never repeat.
. "$(dirname "$0")/lib.sh"

fresh_db
start_sim --users 2 --seed 7 --order-seq 1 --tick-ms 50
port=$simport
{
	echo "broker add s1 kind kite url $simbase api-key $(sim_user 1 api_key)"
	for n in 1 2; do
		echo "account add a$n broker s1 user-id $(sim_user $n user_id) api-key $(sim_user $n api_key) access-token $(sim_user $n access_token) api-secret $(sim_user $n api_secret)"
	done
	echo "instruments load exchange NFO"
} | "$PHALANX" batch - >/dev/null 2>&1
fut=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
[ -n "$fut" ] && ok "instruments loaded ($fut)" || fail "instruments loaded"

tui_session 80 24
keys "clear; \"$PHALANX\" tui; echo \"tui-exit=\$?\"" Enter
wait_for "Accounts 2 of 2" "console up"
keys : "buy $fut 1 lots to all" Enter
wait_for "COMPLETED: 2 order(s), 0 failed" "first buy completes"
keys Escape
ids1=$(sql "select string_agg(broker_order_id, ',' order by broker_order_id) from orders")

# The same simulator again, same seed, same sequence, same port.
kill "$simpid"
wait "$simpid" 2>/dev/null
start_sim --users 2 --seed 7 --order-seq 1 --tick-ms 50 --listen "127.0.0.1:$port"
same "$simport" "$port" "the simulator is back on its port"
keys : "buy $fut 1 lots to all" Enter
wait_for "buy: " "second buy answers"
sleep 2
keys Escape
keys 1
sleep 1
layout_intact "matrix after a reused broker id" 24
keys 2
wait_for "reused order id" "the feed says the broker reused an order id"
layout_intact "feed after a reused broker id" 24
no_cut_numbers "the feed after a reused broker id"
n=$(sql "select count(*) from orders where fanout_id = (select max(id) from fanouts) and state = 'FILLED'")
same "$n" 2 "the second buy's orders filled all the same"
n=$(sql "select count(*) from orders o where fanout_id = (select max(id) from fanouts) and exists (select 1 from order_events e where e.order_id = o.id and e.state = 'FILLED')")
same "$n" 2 "their FILLED events are stored"
n=$(sql "select count(*) from orders where fanout_id = (select max(id) from fanouts) and broker_order_id is null")
same "$n" 2 "the reused ids stay with the first orders"
same "$(sql "select string_agg(broker_order_id, ',' order by broker_order_id) from orders where broker_order_id is not null")" "$ids1" \
    "the first orders keep their ids"
log="$PHALANX_HOME/console.log"
grep -q "reused order id" "$log" && ok "the warning is in the console log" ||
    fail "the warning is in the console log" "$(cat "$log" 2>/dev/null)"

# Default: the sequence starts from the clock; a restart gives new ids.
kill "$simpid"
wait "$simpid" 2>/dev/null
start_sim --users 2 --seed 7 --tick-ms 50 --listen "127.0.0.1:$port"
keys : "buy $fut 1 lots to all" Enter
wait_for "COMPLETED: 2 order(s), 0 failed" "a buy on a restarted default simulator completes"
n=$(sql "select count(*) from orders where fanout_id = (select max(id) from fanouts) and broker_order_id is not null")
same "$n" 2 "its ids are new, and stored"
keys Escape q
wait_for "tui-exit=0" "q quits"
kill "$simpid" 2>/dev/null
tui_finish
