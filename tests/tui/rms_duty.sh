#!/bin/sh
# The RMS duty passes from a console to a daemon started after it: the
# console (in tmux) runs the monitors while it is alone and answers a
# breach; a `phalanx serve` started later asks for
# the duty, the console lets it go, and from then on exactly one process
# holds it -- the daemon, which answers the next breach and does not
# answer the console's one again.
. "$(dirname "$0")/lib.sh"
fresh_db
export PHALANX_TEST_DSN
start_sim --users 2 --seed 11 --tick-ms 50 --fill-lots 100

{
	echo "broker add sim kind kite url $simbase api-key $(sim_user 1 api_key)"
	for n in 1 2; do
		echo "account add d$n broker sim user-id $(sim_user $n user_id) capital 1000000 api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
	done
} >"$TMPDIR/accounts.phx"
run 0 "two accounts" "$PHALANX" batch "$TMPDIR/accounts.phx"
run 0 "instruments load" "$PHALANX" -c "instruments load exchange NFO"
expiry="(select min(expiry) from instruments where name = 'NIFTY' and instrument_type = 'FUT')"
NF=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' and expiry = $expiry")
BF=$(sql "select tradingsymbol from instruments where name = 'BANKNIFTY' and instrument_type = 'FUT' and expiry = $expiry")

price() {
	curl -s -X POST -d "{\"instrument\":\"NFO:$1\",\"price\":\"$2\"}" \
	    "$simbase/sim/price" >/dev/null
}

wait_sql() {	# SQL WANT SECONDS
	i=0
	got=
	while [ $i -lt $(($3 * 10)) ]; do
		got=$(sql "$1")
		[ "$got" = "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

owners="select count(*) from pg_locks where database = (select oid from pg_database where datname = current_database()) and locktype = 'advisory' and classid = 1885893240 and objid = 1 and granted"
price "$NF" 20000
price "$BF" 45000
run 0 "d1 buys NIFTY" "$PHALANX" -c "buy $NF 1 lots to acct:d1 product nrml"
run 0 "d2 buys BANKNIFTY" "$PHALANX" -c "buy $BF 1 lots to acct:d2 product nrml"
run 0 "a loss template" "$PHALANX" -c \
	"rms template add loss mtm-loss 1000 on-mtm-loss squareoff"
run 0 "bound to both" "$PHALANX" -c "rms apply loss to acct:d1,acct:d2"

# The console, alone: it takes the duty.
tui_session 120 40
keys "clear; \"$PHALANX\" -o rms.monitor_ms=100 tui 2>$TMPDIR/tui.err; echo \"tui-exit=\$?\"" Enter
wait_for "Accounts 2 of 2" "console up"
servepid=
trap 'kill $servepid $simpid 2>/dev/null; T kill-server >/dev/null 2>&1' EXIT
if wait_sql "select count(*) from rms_live where front = 'console'" 2 15; then
	ok "the console runs the monitors"
else
	fail "the console runs the monitors" "$(screen)"
fi
same "$(sql "$owners")" 1 "one owner"

# A breach while the console holds the duty: the console answers it.
price "$NF" 19900
if wait_sql "select trading_state from accounts where name = 'd1'" HALTED 10; then
	ok "d1 HALTED by the console's response"
else
	fail "d1 HALTED by the console's response" "$got"
fi
wait_sql "select count(*) from fanouts where source = 'rms' and target = 'acct:d1'" 1 10
same "$got" 1 "the console squared d1 off"
same "$(sql "select front from audit_log where action = 'rms.breach' and detail->>'scope' = 'account:d1'")" \
	console "the breach recorded by the console"

# The daemon starts: it asks, the console lets go, the daemon takes it.
"$PHALANX" -o rms.monitor_ms=100 serve --listen 127.0.0.1:0 \
    >"$TMPDIR/serve.out" 2>"$TMPDIR/serve.err" &
servepid=$!
if wait_sql "select count(*) from rms_live where front = 'daemon' and marked_at > now() - interval '1 second'" 2 15; then
	ok "the daemon took the duty"
else
	fail "the daemon took the duty" "$(cat "$TMPDIR/serve.err")"
fi
sleep 1.5
same "$(sql "$owners")" 1 "exactly one owner"
same "$(sql "select count(*) from rms_live where front = 'console' and marked_at > now() - interval '1 second'")" 0 \
	"the console's monitors stopped"
same "$(sql "select count(*) from fanouts where source = 'rms' and target = 'acct:d1'")" 1 \
	"the daemon did not square d1 off again"
same "$(sql "select count(*) from incident_events e join incidents i on i.id = e.incident_id where i.scope_name = 'd1' and e.kind = 'breach'")" 1 \
	"nor record d1's breach again"

# The next breach is the daemon's.
price "$BF" 44800
if wait_sql "select trading_state from accounts where name = 'd2'" HALTED 10; then
	ok "d2 HALTED by the daemon's response"
else
	fail "d2 HALTED by the daemon's response" "$got"
fi
wait_sql "select count(*) from fanouts where source = 'rms' and target = 'acct:d2'" 1 10
same "$got" 1 "one square-off of d2"
same "$(sql "select front from audit_log where action = 'rms.breach' and detail->>'scope' = 'account:d2'")" \
	daemon "the breach recorded by the daemon"
wait_sql "select count(*) from positions where qty <> 0" 0 10
same "$got" 0 "both accounts flat"
sleep 0.5
same "$(sql "select count(*) from fanouts where source = 'rms'")" 2 "two responses in all, none run twice"

# The daemon goes: the console takes the duty back.
kill $servepid
wait $servepid 2>/dev/null
servepid=
if wait_sql "select count(*) from rms_live where front = 'console' and marked_at > now() - interval '1 second'" 2 15; then
	ok "the console takes the duty back when the daemon is gone"
else
	fail "the console takes the duty back when the daemon is gone" "$(screen)"
fi
same "$(sql "$owners")" 1 "one owner again"
keys q
wait_for "tui-exit=0" "the console quits cleanly"
tui_finish
