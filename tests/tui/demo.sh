#!/bin/sh
# The quickstart demo as a trader meets it, at 80x24 and at 160x48: the
# demo started twice in a row on the same store with a buy each time and
# no error (a restarted simulator's order ids never repeat), no number cut
# on any view, no stray text over the screen when the engine logs (the
# simulator killed under the console), and the first q quitting after a
# square-off confirmed with Y.
. "$(dirname "$0")/lib.sh"

fresh_db
# A free port for the demo's simulator: the one a throwaway sim was given.
start_sim
port=$simport
kill "$simpid"
wait "$simpid" 2>/dev/null
trap 'T kill-server >/dev/null 2>&1' EXIT
trap 'exit 1' INT TERM
demo() {
	keys "clear; PHALANX_DEMO_PORT=$port sh \"$PHALANX_SRCDIR/scripts/demo.sh\"; echo \"demo-exit=\$?\"" Enter
}

tui_session 80 24
demo
wait_for "Accounts 6 of 6" "the demo opens the console on six accounts" 300
fut=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
[ -n "$fut" ] && ok "the demo loaded NIFTY futures ($fut)" || fail "the demo loaded NIFTY futures"

# A fan-out at 80x24: its result box fits, its numbers whole.
keys : "buy $fut 1 lots to all" Enter
wait_for "buy: done" "first demo: buy to all runs"
wait_for "COMPLETED: 6 order(s), 0 failed" "first demo: six orders, none failed"
no_cut_numbers "the fan-out result at 80x24"
layout_intact "fan-out result 80x24" 24
out=$(screen)
has "Esc or Enter: close" "the result box says how to close it"
keys Escape
wait_gone "COMPLETED" "Esc closes the result"

for v in 1 2 5; do
	keys "$v"
	sleep 1
	no_cut_numbers "view $v at 80x24"
	layout_intact "view $v at 80x24" 24
done
keys 1

# 9: a square-off confirmed with Y, then one q quits.
keys g s
wait_for "Runs: squareoff acct:ravi" "s asks before squaring off ravi"
no_cut_numbers "the square-off confirmation"
keys Y
wait_for "squareoff: " "the confirmed square-off ran"
keys q
wait_for "demo-exit=0" "the first q after a confirmed square-off quits"

# Second demo on the same store: the simulator restarts with the same
# seed; its ids must not collide with the first run's.
demo
wait_for "Accounts 6 of 6" "the demo starts a second time" 300
keys : "buy $fut 1 lots to all" Enter
wait_for "buy: done" "second demo: buy to all runs"
wait_for "COMPLETED: 6 order(s), 0 failed" "second demo: six orders, none failed"
layout_intact "second demo after buy" 24
out=$(screen)
hasnt "duplicate" "no duplicate broker order id"
hasnt "not stored" "every broker order id stored"
keys Escape
n=$(sql "select count(*) from orders where broker_order_id is not null")
d=$(sql "select count(distinct broker_order_id) from orders")
same "$d" "$n" "broker order ids are distinct across the two demos"
# The seeded history's fan-outs carry a tag or a strategy; the buys
# typed here neither.
# COMPLETED is every broker's acknowledgement; a fill follows at the
# simulator's next tick and reaches the store when the fill watch reads
# it, which on a loaded machine can be a few seconds later.
i=0
while :; do
	n=$(sql "select count(*) from orders o join fanouts f on f.id = o.fanout_id where f.intent = 'order' and o.state = 'FILLED' and o.broker_order_id is not null and f.tag is null and f.strategy_id is null")
	[ "$n" = 12 ] || [ "$i" -ge 100 ] && break
	i=$((i + 1))
	sleep 0.1
done
same "$n" 12 "both demos' twelve buys filled with their broker ids"

# 160x48: every view, numbers whole.
tui_resize 160 48
for v in 1 2 5 1; do
	keys "$v"
	sleep 1
	no_cut_numbers "view $v at 160x48"
	layout_intact "view $v at 160x48" 48
done
tui_resize 80 24

# The simulator dies under the console: the engine's warnings go to the
# log and the feed, never over the screen.
simpid=
for d in /proc/[0-9]*; do
	case "$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)" in
	*" sim --listen 127.0.0.1:$port "*) simpid=${d#/proc/}; break ;;
	esac
done
if [ -n "$simpid" ]; then
	kill "$simpid"
	ok "simulator stopped under the console"
else
	fail "simulator stopped under the console: not found"
fi
keys : "buy $fut 1 lots to all" Enter
wait_for "buy: " "a buy against the dead simulator answers"
sleep 6
keys 1
sleep 1
layout_intact "matrix with the simulator down" 24
keys 2
sleep 1
layout_intact "feed with the simulator down" 24
log="$PHALANX_HOME/console.log"
[ -s "$log" ] && ok "the engine's warnings went to $log" ||
    fail "the engine's warnings went to the console log" "$(ls -la "$PHALANX_HOME")"
keys q
wait_for "demo-exit=0" "q quits the demo"

tui_finish
