#!/bin/sh
# No incident is lost and no response runs twice when the RMS owner dies
# between its response's fan-out and the breach record: the pass's
# breaches are journaled (rms_breach_intents) with its watches before the
# responses, and the process that takes the duty over records them.
#  1. serve A, with the test-only PHALANX_TEST_RMS_DIE=unrecorded, squares
#     d1 off and is SIGKILLed once that fan-out is done, the breach not
#     recorded; serve B takes the duty over: one incident with the breach,
#     the alert and the order A placed, d1 HALTED, no second square-off.
#  2. an intent whose response placed nothing (its owner died first, as
#     one left in the store here): the next owner records it and runs the
#     square-off once.
. "$(dirname "$0")/lib.sh"
fresh_db
start_sim --users 2 --seed 7 --tick-ms 50 --fill-lots 100 --cash 5000000
. "$(dirname "$0")/rms_common"

{
	echo "broker add sim kind kite url $simbase api-key $(sim_user 1 api_key)"
	for n in 1 2; do
		echo "account add d$n broker sim user-id $(sim_user $n user_id) capital 1000000 api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
	done
} >"$TMPDIR/accounts.phx"
run 0 "two accounts" "$PHALANX" batch "$TMPDIR/accounts.phx"
run 0 "instruments load" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
LOT=$(sql "select lot_size from instruments where tradingsymbol = '$FUT'")

# Each owner in turn, on check.sh's start_serve ($servepid; one log,
# serve.err, the owners' lines one after another).
owner() {
	start_serve -o rms.monitor_ms=150 -o exec.reconcile_s=1
}

price "$FUT" 26000
run 0 "loss template" "$PHALANX" -c "rms template add loss mtm-loss 5000 on-mtm-loss squareoff"
run 0 "d1 buys 2 lots" "$PHALANX" -c "buy $FUT 2 lots to acct:d1 product nrml"
run 0 "bind loss to d1" "$PHALANX" -c "rms apply loss to acct:d1"

# -- 1. the owner dies after its fan-out, before the breach record --------------
export PHALANX_TEST_RMS_DIE=unrecorded
owner
serveA=$servepid
unset PHALANX_TEST_RMS_DIE
wait_for "select count(*) from rms_watches where scope_name = 'd1' and started" 1 10 ||
	fail "A runs the monitors" "$(cat "$TMPDIR/serve.err")"
price "$FUT" 25950	# d1: -6500 against 5000
i=0
while kill -0 "$serveA" 2>/dev/null && [ $i -lt 150 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 "$serveA" 2>/dev/null; then
	fail "A died after its square-off" "$(tail -5 "$TMPDIR/serve.err")"
else
	ok "A died after its square-off"
fi
wait "$serveA" 2>/dev/null
has_a=$(grep -c "dying as asked" "$TMPDIR/serve.err")
same "$has_a" 1 "A died where the test asked it to"
same "$(sql "select count(*) from fanouts where source = 'rms' and tag like 'rms:%:q'")" 1 \
	"A's square-off is stored, tagged with its breach"
same "$(sql "select count(*) from incidents")" 0 "its breach is not recorded yet"
same "$(sql "select count(*) from rms_breach_intents where recorded_at is null")" 1 \
	"but journaled as an intent"
intent=$(sql "select id from rms_breach_intents")
same "$(sql "select tag from fanouts where source = 'rms'")" "rms:$intent:q" "the tag names the intent"

owner
serveB=$servepid
if wait_for "select count(*) from incidents where scope_name = 'd1'" 1 15; then
	ok "B recorded the incident A left"
else
	fail "B recorded the incident A left" "$got $(tail -5 "$TMPDIR/serve.err")"
fi
inc=$(sql "select id from incidents where scope_name = 'd1'")
same "$(sql "select rule || ' ' || state from incidents where id = $inc")" "mtm-loss OPEN" "for mtm-loss"
same "$(sql "select count(*) from rms_breach_intents where recorded_at is null")" 0 \
	"the intent is marked recorded"
same "$(sql "select count(*) from incident_events where incident_id = $inc and kind = 'breach'")" 1 \
	"the breach on its timeline, once"
same "$(sql "select count(*) from incident_events where incident_id = $inc and kind = 'order'")" 1 \
	"with the order A placed"
same "$(sql "select count(*) from notifications where source = 'rms'")" 1 "one alert"
wait_for "select trading_state from accounts where name = 'd1'" HALTED 10
same "$got" HALTED "d1 HALTED, as a square-off leaves it"
wait_for "select count(*) from positions p join accounts a on a.id = p.account_id where a.name = 'd1' and p.qty <> 0" 0 10
same "$got" 0 "d1 flat"
run 0 "incident show" "$PHALANX" -c "incident show $inc"
has "placed before the RMS owner died" "the timeline says who placed it"
# (as the store had it when B took over: A died before its fills were
# written; the reconciler settles the order itself)
has "SELL $FUT $((2 * LOT)) d1: " "and the order"
price "$FUT" 25900
sleep 0.8
same "$(sql "select count(*) from fanouts where source = 'rms'")" 1 "no second square-off"
same "$(sql "select count(*) from incident_events where kind = 'breach'")" 1 "nor a second breach"
grep -q "left by an RMS owner that died" "$TMPDIR/serve.err" ||
	fail "B logs the take-over" "$(tail -5 "$TMPDIR/serve.err")"
kill "$serveB"
wait "$serveB" 2>/dev/null

# -- 2. an intent whose response never started ---------------------------------
price "$FUT" 26000
run 0 "d2 buys 1 lot" "$PHALANX" -c "buy $FUT 1 lots to acct:d2 product nrml"
run 0 "bind loss to d2" "$PHALANX" -c "rms apply loss to acct:d2"
day=$(TZ=Asia/Kolkata date +%F)
bit=10	# mtm-loss's bit (enum rms_limit_id RL_MTM_LOSS)
sql "insert into rms_watches (scope_kind, scope_name, day, started, breached) values ('account', 'd2', '$day', true, 1 << $bit)" >/dev/null
sql "insert into rms_breach_intents (id, day, breaches, actor, front) values ('0123456789ab', '$day', '[{\"kind\":\"account\",\"name\":\"d2\",\"rule\":\"mtm-loss\",\"bit\":$bit,\"severity\":\"critical\",\"summary\":\"mtm-loss 5000: day MTM -6500\",\"values\":{},\"response\":\"squareoff\"}]', 'rms', 'daemon')" >/dev/null
owner
serveC=$servepid
if wait_for "select count(*) from positions p join accounts a on a.id = p.account_id where a.name = 'd2' and p.qty <> 0" 0 15; then
	ok "C ran the square-off that never started"
else
	fail "C ran the square-off that never started" "$got $(tail -5 "$TMPDIR/serve.err")"
fi
same "$(sql "select count(*) from incidents where scope_name = 'd2'")" 1 "one incident"
same "$(sql "select count(*) from fanouts where source = 'rms' and tag = 'rms:0123456789ab:q'")" 1 \
	"one square-off, tagged with the intent"
wait_for "select trading_state from accounts where name = 'd2'" HALTED 10
same "$got" HALTED "d2 HALTED"
sleep 0.8
same "$(sql "select count(*) from fanouts where source = 'rms' and target like '%d2%'")" 1 "and only one"
kill "$serveC"
wait "$serveC" 2>/dev/null
finish
