#!/bin/sh
# Runs stopped while they work, against phalanx sim answering slowly:
#  - a schedule's timeout ends a RUNNING run as TIMED_OUT: the command on
#    the wire finishes, no later command of its batch runs, and the
#    timeline reads PENDING, RUNNING, TIMED_OUT;
#  - `run cancel` of a RUNNING run (from another process) ends it as
#    CANCELLED the same way: no order is sent after the cancel.
. "$(dirname "$0")/lib.sh"
fresh_db

start_sim --users 1 --seed 5 --tick-ms 20 --cash 1000000000 --rate-limit 0
{
	echo "broker add sim kind kite url $simbase api-key k"
	echo "account add p1 broker sim user-id $(sim_user 1 user_id) api-key $(sim_user 1 api_key) access-token $(sim_user 1 access_token)"
} >"$TMPDIR/reg.phx"
run 0 "account" "$PHALANX" batch "$TMPDIR/reg.phx"
run 0 "instruments NFO" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
[ -n "$FUT" ] && ok "a NIFTY future: $FUT" || fail "a NIFTY future"

# Four orders, one after another; each waits for the broker's answer.
for n in 1 2 3 4; do
	echo "buy $FUT 1 lots to acct:p1 tag step$n"
done >"$TMPDIR/four.phx"
run 0 "schedule with a timeout" "$PHALANX" -c "schedule add short cron \"0 3 1 1 *\" batch $TMPDIR/four.phx timeout 2s"
run 0 "schedule without one" "$PHALANX" -c "schedule add long cron \"0 3 1 1 *\" batch $TMPDIR/four.phx"
sim_faults '{"latency_ms": 1500}'

# state_after RUN STATE: fan-outs made after the run's event STATE.
after() {
	sql "select count(*) from fanouts where created_at > (select ts from run_events where run_id = $1 and state = '$2')"
}
timeline() {
	sql "select string_agg(state, ',' order by ts, id) from run_events where run_id = $1"
}

# --- TIMED_OUT ----------------------------------------------------------
f0=$(sql "select count(*) from fanouts")
"$PHALANX" -c "schedule run short" >"$TMPDIR/short.out" 2>&1
rc=$?
[ "$rc" -ne 0 ] && ok "a timed-out run does not succeed (exit $rc)" || fail "a timed-out run does not succeed"
r=$(sql "select max(id) from runs where ref = 'short'")
same "$(sql "select state from runs where id = $r")" TIMED_OUT "the run TIMED_OUT"
same "$(timeline "$r")" "PENDING,RUNNING,TIMED_OUT" "its timeline"
same "$(after "$r" TIMED_OUT)" 0 "no order after the timeout"
n=$(($(sql "select count(*) from fanouts") - f0))
[ "$n" -ge 1 ] && [ "$n" -le 2 ] && ok "the batch stopped at its timeout: $n of 4 orders sent" ||
	fail "the batch stopped at its timeout" "$n of 4 sent"
out=$("$PHALANX" -c "run show $r" 2>&1)
has "TIMED_OUT" "run show gives the end"
out=$("$PHALANX" -c "run logs $r" 2>&1)
has "timed out" "run logs say why it stopped"
hasnt "step4" "run logs: the last command never ran"

# --- run cancel of a RUNNING run ----------------------------------------
f0=$(sql "select count(*) from fanouts")
"$PHALANX" -c "schedule run long" >"$TMPDIR/long.out" 2>&1 &
runner=$!
i=0
while [ "$(sql "select count(*) from runs where ref = 'long' and state = 'RUNNING'")" != 1 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
r=$(sql "select max(id) from runs where ref = 'long'")
# Once its first order is on the wire.
i=0
while [ "$(sql "select count(*) from fanouts")" = "$f0" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
same "$(sql "select state from runs where id = $r")" RUNNING "the run is RUNNING, an order in flight"
run 0 "run cancel a RUNNING run" "$PHALANX" -c "run cancel $r"
i=0
while kill -0 $runner 2>/dev/null && [ $i -lt 150 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 $runner 2>/dev/null && fail "the cancelled run's process ends" || ok "the cancelled run's process ends"
wait $runner 2>/dev/null
same "$(sql "select state from runs where id = $r")" CANCELLED "the run is CANCELLED"
same "$(timeline "$r")" "PENDING,RUNNING,CANCELLED" "its timeline"
same "$(after "$r" CANCELLED)" 0 "no order after the cancel"
n=$(($(sql "select count(*) from fanouts") - f0))
[ "$n" -ge 1 ] && [ "$n" -le 2 ] && ok "the batch stopped at the cancel: $n of 4 orders sent" ||
	fail "the batch stopped at the cancel" "$n of 4 sent"
sleep 2
same "$(($(sql "select count(*) from fanouts") - f0))" "$n" "and none later"
run 1 "cancel it again" "$PHALANX" -c "run cancel $r"
has "CANCELLED already" "a second cancel says why"
out=$("$PHALANX" -c "run logs $r" 2>&1)
has "cancelled on request" "run logs say why it stopped"
finish
