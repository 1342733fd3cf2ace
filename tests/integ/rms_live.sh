#!/bin/sh
# The RMS at work against phalanx sim: the pre-trade guard on every leg
# (REDUCING refuses an increasing order and passes a reducing one, the
# verdict shown by --dry-run and stored on the leg), an MTM loss crossing
# that leaves the account flat and HALTED with one incident listing every
# order, a trailing lock that fires after activation and not before, a
# hedge's strikes and quantities, and a kill -9 of the RMS owner
# mid-breach taken over by another process without a second response.
. "$(dirname "$0")/lib.sh"
fresh_db
start_sim --users 6 --seed 7 --tick-ms 50 --fill-lots 100
. "$(dirname "$0")/rms_common"

{
	echo "broker add sim kind kite url $simbase api-key $(sim_user 1 api_key)"
	for n in 1 2 3 4 5 6; do
		echo "account add r$n broker sim user-id $(sim_user $n user_id) capital 1000000 api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
	done
} >"$TMPDIR/accounts.phx"
run 0 "six accounts" "$PHALANX" batch "$TMPDIR/accounts.phx"
run 0 "instruments load" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
LOT=$(sql "select lot_size from instruments where tradingsymbol = '$FUT'")

price "$FUT" 20000

# -- the guard: REDUCING passes only what shrinks |position| ----------------
run 0 "r3 buys 2 lots" "$PHALANX" -c "buy $FUT 2 lots to acct:r3 product nrml"
run 0 "r3 is REDUCING" "$PHALANX" -c "rms reduce acct:r3 reason \"too big\""
run 0 "dry run of an increasing order" "$PHALANX" -c \
	"buy $FUT 1 lots to acct:r3 product nrml --dry-run"
has "denied by RMS reducing" "--dry-run shows the guard's verdict"
run 1 "an increasing order is refused" "$PHALANX" -c \
	"buy $FUT 1 lots to acct:r3 product nrml"
has "DENIED" "the leg is DENIED"
fid=$(sql "select max(id) from fanouts")
same "$(sql "select state from orders where fanout_id = $fid")" DENIED "stored DENIED"
same "$(sql "select message like 'RMS reducing:%' from orders where fanout_id = $fid")" t \
	"the refusing rule is stored on the leg"
run 0 "fanout show" "$PHALANX" -c "fanout show $fid"

has "RMS pass" "fanout show prints the RMS time"
run 0 "a reducing order passes" "$PHALANX" -c "sell $FUT 1 lots to acct:r3 product nrml"
has "COMPLETED" "the reducing sell completed"
run 1 "past flat is not reducing" "$PHALANX" -c "sell $FUT 2 lots to acct:r3 product nrml"
run 0 "r3 ACTIVE again" "$PHALANX" -c "rms resume acct:r3 reason ok"

# -- the guard's limits not loaded yet: a fan-out waits for them ------------
# (as a command does when it reaches the guard before the store has
# answered the RMS: a slow store at start).  Up to 3 s, then refused.
run 0 "a buy while the limits load (400 ms)" env PHALANX_TEST_RMS_LOAD_MS=400 \
	"$PHALANX" -c "buy $FUT 1 lots to acct:r4 product nrml"
has "COMPLETED" "waits for them and completes"
run 0 "a dry run while the limits load" env PHALANX_TEST_RMS_LOAD_MS=400 \
	"$PHALANX" -c "buy $FUT 1 lots to acct:r3 product nrml --dry-run"
hasnt "not-loaded" "judged by the limits once loaded"
has "pass" "which pass it"
run 1 "a buy while the limits never load (5 s)" env PHALANX_TEST_RMS_LOAD_MS=5000 \
	"$PHALANX" -c "buy $FUT 1 lots to acct:r4 product nrml"
has "the RMS has not loaded the limits yet" "refused after 3 s, saying why"
run 0 "a squareoff while the limits never load" env PHALANX_TEST_RMS_LOAD_MS=5000 \
	"$PHALANX" -c "squareoff acct:r4"
has "COMPLETED" "an exit is never held back"
same "$(sql "select extract(epoch from t_rms - t_intent) < 2.5 from fanouts where id = (select max(id) from fanouts)")" t \
	"nor waits for the limits (judged well before the 3 s a buy waits)"

# -- a limit per order from a template ---------------------------------------
run 0 "a small template" "$PHALANX" -c "rms template add small max-lots-per-order 2"
run 0 "bound to r5" "$PHALANX" -c "rms apply small to acct:r5"
run 1 "3 lots at r5 refused" "$PHALANX" -c "buy $FUT 3 lots to acct:r5 product nrml"
same "$(sql "select message from orders where fanout_id = (select max(id) from fanouts)")" \
	"RMS max-lots-per-order: max-lots-per-order 2: this order is 3 lots" \
	"the rule and the values are named"

# An override lifts the limit until it expires, and then not.
soon=$(TZ=Asia/Kolkata date -d '+6 seconds' +%H:%M:%S)
run 0 "override r5 to 5 lots" "$PHALANX" -c \
	"rms override acct:r5 max-lots-per-order 5 until $soon reason \"block trade\""
run 0 "3 lots pass under the override" "$PHALANX" -c "sell $FUT 3 lots to acct:r5 product nrml"
sleep 7
run 1 "refused again once it expired" "$PHALANX" -c "buy $FUT 3 lots to acct:r5 product nrml"
has "max-lots-per-order 2" "the template's limit is back"

# -- monitors in the daemon ---------------------------------------------------
run 0 "loss template" "$PHALANX" -c \
	"rms template add loss mtm-loss 5000 on-mtm-loss squareoff"
run 0 "trail template" "$PHALANX" -c \
	"rms template add trail trail-activate 3000 trail-by 1000 on-trail-by squareoff"
run 0 "bind loss to r1" "$PHALANX" -c "rms apply loss to acct:r1"
run 0 "bind trail to r2" "$PHALANX" -c "rms apply trail to acct:r2"
run 0 "r1 and r2 buy 1 lot" "$PHALANX" -c \
	"buy $FUT 1 lots to acct:r1,acct:r2 product nrml"

start_serve() {
	"$PHALANX" -o rms.monitor_ms=150 -o exec.reconcile_s=1 serve \
	    --listen 127.0.0.1:0 >"$TMPDIR/serve$1.out" 2>"$TMPDIR/serve$1.err" &
	eval "serve$1=\$!"
}
start_serve A
sleep 1
wait_for "select count(*) from rms_watches where scope_name in ('r1','r2') and started" 2 10 ||
	fail "the daemon runs the monitors" "$(cat "$TMPDIR/serveA.err")"

# r2: profit 1950 then back to 0 -- the lock is not armed, nothing fires.
price "$FUT" 20030
sleep 0.6
price "$FUT" 20000
sleep 0.6
same "$(sql "select count(*) from incidents where scope_name = 'r2'")" 0 \
	"the trailing lock does not fire before activation"

# r1: a loss of 6500 against a limit of 5000.
price "$FUT" 19900
if wait_for "select trading_state from accounts where name = 'r1'" HALTED 10; then
	ok "r1 HALTED after the loss"
else
	fail "r1 HALTED after the loss" "$got"
fi
wait_for "select count(*) from positions p join accounts a on a.id = p.account_id where a.name = 'r1' and p.qty <> 0" 0 10
same "$got" 0 "r1 is flat in the store"
same "$(sim_positions 1 | grep -o '"quantity":[0-9-]*' | grep -vc '"quantity":0')" 0 "r1 is flat at the broker"
same "$(sql "select count(*) from incidents where scope_name = 'r1'")" 1 "one incident"
same "$(sql "select rule || ' ' || state from incidents where scope_name = 'r1'")" "mtm-loss OPEN" \
	"for mtm-loss, open"
inc=$(sql "select id from incidents where scope_name = 'r1'")
wait_for "select count(*) from incident_events where incident_id = $inc and kind = 'order'" \
	"$(sql "select count(*) from orders o join fanouts f on f.id = o.fanout_id where f.source = 'rms' and o.account_id = (select id from accounts where name = 'r1')")" 10
same "$(sql "select count(*) from incident_events where incident_id = $inc and kind = 'order'")" 1 \
	"the timeline lists the square-off order"
run 0 "incident show" "$PHALANX" -c "incident show $inc"
has "SELL $FUT $LOT r1: FILLED" "with its fill"
has "r1 is HALTED" "and the state change"
same "$(sql "select count(*) from notifications where source = 'rms'")" 1 "one alert in the outbox"

# The price wobbles on past the line: the crossing fired once.
price "$FUT" 19850
sleep 0.6
price "$FUT" 19950
sleep 0.6
same "$(sql "select count(*) from incident_events where incident_id = $inc and kind = 'breach'")" 1 \
	"one crossing fires once"
same "$(sql "select count(*) from fanouts where source = 'rms'")" 1 "one square-off"

# r2: up 3900 arms the lock; giving back 1300 of it fires.
price "$FUT" 20060
sleep 0.6
same "$(sql "select count(*) from incidents where scope_name = 'r2'")" 0 "armed, not fired"
same "$(sql "select trail_armed from rms_watches where scope_name = 'r2'")" t "the lock is armed"
# rms state in another process: the owner's live values, and % used.
sleep 1.2	# the owner stores its live values each second at most
run 0 "rms state of r2" "$PHALANX" -c "rms state acct:r2"
has "live: the daemon's monitor at" "rms state reads the owner's live values"
has "3900.00 (armed)" "the trailing lock's activation: its live MTM, armed"
has "130.00% used" "and the % of it used"
run 0 "rms state --json" "$PHALANX" --json -c "rms state acct:r2"
has '"live":' "the live values in --json"
price "$FUT" 20040
if wait_for "select count(*) from incidents where scope_name = 'r2' and rule = 'trail-by'" 1 10; then
	ok "the trailing lock fires after activation"
else
	fail "the trailing lock fires after activation" "$got"
fi
wait_for "select count(*) from positions p join accounts a on a.id = p.account_id where a.name = 'r2' and p.qty <> 0" 0 10
same "$got" 0 "r2 squared off"

# r6: short 2 lots of a call; a loss buys the call two strikes up.
CE=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'CE' and expiry = (select min(expiry) from instruments where name = 'NIFTY' and instrument_type = 'CE') order by abs(strike - 20000) limit 1")
HEDGE=$(sql "select tradingsymbol from (select tradingsymbol, strike, row_number() over (order by strike) n from instruments where name = 'NIFTY' and instrument_type = 'CE' and expiry = (select expiry from instruments where tradingsymbol = '$CE')) x where n = (select n + 2 from (select tradingsymbol, row_number() over (order by strike) n from instruments where name = 'NIFTY' and instrument_type = 'CE' and expiry = (select expiry from instruments where tradingsymbol = '$CE')) y where tradingsymbol = '$CE')")
price "$CE" 100
run 0 "hedge template" "$PHALANX" -c "rms template add hedger mtm-loss 1000 on-mtm-loss hedge"
run 0 "r6 sells 2 lots of $CE" "$PHALANX" -c "sell $CE 2 lots to acct:r6 product nrml"
run 0 "bind hedger to r6" "$PHALANX" -c "rms apply hedger to acct:r6"
sleep 0.6
price "$CE" 150
if wait_for "select count(*) from orders o join fanouts f on f.id = o.fanout_id where f.source = 'rms' and o.account_id = (select id from accounts where name = 'r6') and o.state = 'FILLED'" 1 10; then
	ok "the hedge filled"
else
	fail "the hedge filled" "$got"
fi
same "$(sql "select o.side || ' ' || o.symbol || ' ' || o.qty from orders o join fanouts f on f.id = o.fanout_id where f.source = 'rms' and o.account_id = (select id from accounts where name = 'r6')")" \
	"BUY $HEDGE $((2 * LOT))" "the call two strikes up, as many lots as are short"
same "$(sql "select trading_state from accounts where name = 'r6'")" ACTIVE "a hedge does not halt"

# -- kill -9 of the RMS owner mid-breach ---------------------------------------
start_serve B
sleep 0.5
run 0 "r4 buys 2 lots" "$PHALANX" -c "buy $FUT 2 lots to acct:r4 product nrml"
run 0 "bind loss to r4" "$PHALANX" -c "rms apply loss to acct:r4"
sleep 0.5
sim_faults '{"hold": true}'	# the square-off's acks never come back
price "$FUT" 19900
wait_for "select count(*) from fanouts where source = 'rms' and target = 'acct:r4'" 1 10
same "$got" 1 "A started the square-off"
sleep 0.3
kill -9 "$serveA"
wait "$serveA" 2>/dev/null
sim_faults '{"hold": false}'
if wait_for "select count(*) from positions p join accounts a on a.id = p.account_id where a.name = 'r4' and p.qty <> 0" 0 15; then
	ok "r4 flat after the owner died"
else
	fail "r4 flat after the owner died" "$got"
fi
sleep 1
same "$(sql "select count(*) from fanouts where source = 'rms' and target = 'acct:r4'")" 1 \
	"B did not square off again"
same "$(sql "select count(*) from incident_events e join incidents i on i.id = e.incident_id where i.scope_name = 'r4' and e.kind = 'breach'")" 1 \
	"nor record the breach again"
same "$(sim_positions 4 | grep -o '"quantity":[0-9-]*' | grep -vc '"quantity":0')" 0 "r4 is flat at the broker"
same "$(sql "select count(*) from pg_locks where database = (select oid from pg_database where datname = current_database()) and locktype = 'advisory' and classid = 1885893240 and objid = 1 and granted")" 1 \
	"B holds the RMS duty"
kill "$serveB"
wait "$serveB" 2>/dev/null
finish
