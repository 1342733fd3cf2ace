#!/bin/sh
# Two RMS responses against phalanx sim, each from a template: a scale-out
# that cuts every position of the breached accounts by scaleout-pct in
# whole lots (4, 3 and 1 lots at 50% leave 2, 1 and 0: the nearest whole
# lot, a half rounded up, never past flat), firing once per crossing with
# its orders on the incident's timeline; and a hedge at a target premium
# (hedge-premium): for a short call, a short put and a short future, the
# strike of the same underlying and expiry whose live premium is the
# highest at or below the target, as many lots as are short.  Bad values
# of the new keys are refused and change nothing.
. "$(dirname "$0")/lib.sh"
fresh_db
start_sim --users 6 --seed 7 --tick-ms 50 --fill-lots 100 --cash 5000000
. "$(dirname "$0")/rms_common"

{
	echo "broker add sim kind kite url $simbase api-key $(sim_user 1 api_key)"
	n=1
	for a in s1 s2 s3 h1 h2 h3; do
		echo "account add $a broker sim user-id $(sim_user $n user_id) capital 10000000 api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
		n=$((n + 1))
	done
} >"$TMPDIR/accounts.phx"
run 0 "six accounts" "$PHALANX" batch "$TMPDIR/accounts.phx"
run 0 "instruments load" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
LOT=$(sql "select lot_size from instruments where tradingsymbol = '$FUT'")
EXP=$(sql "select expiry from instruments where tradingsymbol = '$FUT'")

# -- the grammar: scaleout, scaleout-pct, hedge-premium ------------------------
run 0 "a scale-out template" "$PHALANX" -c \
	"rms template add cut mtm-loss 1000 on-mtm-loss scaleout scaleout-pct 50%"
run 0 "rms template show cut" "$PHALANX" -c "rms template show cut"
has "on breach: scaleout" "the response is shown"
has "scaleout-pct             50" "and its percentage"
for bad in "scaleout-pct -5" "scaleout-pct 150" "scaleout-pct NaN" "scaleout-pct 0" \
	"hedge-premium 0" "hedge-premium -20" "hedge-premium NaN" "on-mtm-loss scale"; do
	run 2 "refused: $bad" "$PHALANX" -c "rms template set cut $bad"
done
run 2 "scaleout-pct over 100" "$PHALANX" -c "rms template set cut scaleout-pct 100.5"
has "scaleout-pct: at most 100" "the error names the key and the bound"
run 2 "premium 0" "$PHALANX" -c "rms template set cut hedge-premium 0"
has "hedge-premium: must be above 0" "the error names the key"
run 2 "not an override" "$PHALANX" -c \
	"rms override acct:s1 scaleout-pct 10 until 15:00 reason x"
same "$(sql "select max(version) from rms_templates where name = 'cut'")" 1 \
	"the refused values changed nothing"
run 0 "rms template --json" "$PHALANX" --json -c "rms template show cut"
has '"scaleout-pct":"50"' "stored as the key"

# -- scale-out: 4, 3 and 1 lots at 50% ----------------------------------------
price "$FUT" 26000
run 0 "s1 buys 4 lots" "$PHALANX" -c "buy $FUT 4 lots to acct:s1 product nrml"
run 0 "s2 buys 3 lots" "$PHALANX" -c "buy $FUT 3 lots to acct:s2 product nrml"
run 0 "s3 buys 1 lot" "$PHALANX" -c "buy $FUT 1 lots to acct:s3 product nrml"
run 0 "bind cut" "$PHALANX" -c "rms apply cut to acct:s1,acct:s2,acct:s3"

# A pinned price is quoted with the time it was pinned: not stale here.
start_serve -o rms.monitor_ms=150 -o exec.reconcile_s=1 -o rms.quote_stale_s=900
wait_for "select count(*) from rms_watches where scope_name in ('s1','s2','s3') and started" 3 10 ||
	fail "the daemon runs the monitors" "$(cat "$TMPDIR/serve.err")"

price "$FUT" 25980	# s1 -5200, s2 -3900, s3 -1300: each past 1000
if wait_for "select count(*) from orders o join fanouts f on f.id = o.fanout_id where f.source = 'rms' and o.state = 'FILLED'" 3 10; then
	ok "the scale-out filled"
else
	fail "the scale-out filled" "$got $(tail -5 "$TMPDIR/serve.err")"
fi
same "$(sim_qty 1 "$FUT")" $((2 * LOT)) "s1: 4 lots cut to 2 at the broker"
same "$(sim_qty 2 "$FUT")" $((1 * LOT)) "s2: 3 lots cut to 1 (1.5 lots rounds up to 2 closed)"
same "$(sim_qty 3 "$FUT")" 0 "s3: 1 lot closed (half a lot rounds up)"
same "$(sql "select string_agg(a.name || ' ' || o.side || ' ' || o.qty, ',' order by a.name) from orders o join fanouts f on f.id = o.fanout_id join accounts a on a.id = o.account_id where f.source = 'rms'")" \
	"s1 SELL $((2 * LOT)),s2 SELL $((2 * LOT)),s3 SELL $LOT" "the orders placed, per account"
same "$(sql "select count(*) from fanouts where source = 'rms' and tag like 'rms:%:s'")" 1 \
	"one fan-out over the three, tagged with its breach"
same "$(sql "select string_agg(trading_state, ',' order by name) from accounts where name like 's%'")" \
	"ACTIVE,ACTIVE,ACTIVE" "a scale-out leaves the state alone"
inc=$(sql "select id from incidents where scope_name = 's2'")
wait_for "select count(*) from incident_events where incident_id = $inc and kind = 'order'" 1 10
same "$got" 1 "s2's timeline lists its order"
run 0 "incident show" "$PHALANX" -c "incident show $inc"
has "scale-out 50.00%: $FUT 3 -> 1 lot(s)" "the cut on the timeline"
has "SELL $FUT $((2 * LOT)) s2: FILLED" "with its fill"

# Past the line and back and forth: each crossing fired once.
price "$FUT" 25950
sleep 0.6
price "$FUT" 25970
sleep 0.6
same "$(sql "select count(*) from incident_events e join incidents i on i.id = e.incident_id where e.kind = 'breach' and i.scope_name like 's%'")" 3 \
	"one breach per account"
same "$(sql "select count(*) from fanouts where source = 'rms'")" 1 "one scale-out"
same "$(sql "select count(*) from rms_breach_intents where recorded_at is null")" 0 \
	"the breach intent is marked recorded by its record"

# -- hedge at a target premium --------------------------------------------------
# Premiums on the chain of $EXP: 305 at 26000, 20 less a strike away from
# it either side (so 25 and then 5 fourteen and fifteen strikes out), 1 past.
CE0=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'CE' and expiry = '$EXP' and strike = 26000")
PE0=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'PE' and expiry = '$EXP' and strike = 26000")
for j in $(seq 0 20); do
	p=$((305 - 20 * j))
	[ $p -lt 1 ] && p=1
	sym=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'CE' and expiry = '$EXP' and strike = $((26000 + 50 * j))")
	[ -n "$sym" ] && price "$sym" $p
	sym=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'PE' and expiry = '$EXP' and strike = $((26000 - 50 * j))")
	[ -n "$sym" ] && price "$sym" $p
done
CEH=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'CE' and expiry = '$EXP' and strike = 26750")
PEH=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'PE' and expiry = '$EXP' and strike = 25250")
[ -n "$CEH" ] && [ -n "$PEH" ] || fail "the chain reaches 25250 and 26750" "$CEH $PEH"
price "$FUT" 26010
run 0 "a premium hedge template" "$PHALANX" -c \
	"rms template add phedge mtm-loss 1000 on-mtm-loss hedge hedge-premium 20"
run 0 "rms template show phedge" "$PHALANX" -c "rms template show phedge"
has "hedge-premium            20" "the target premium is shown"
run 0 "h1 sells 2 lots of $CE0" "$PHALANX" -c "sell $CE0 2 lots to acct:h1 product nrml"
run 0 "h2 sells 1 lot of $PE0" "$PHALANX" -c "sell $PE0 1 lots to acct:h2 product nrml"
run 0 "h3 sells 3 lots of $FUT" "$PHALANX" -c "sell $FUT 3 lots to acct:h3 product nrml"
run 0 "bind phedge" "$PHALANX" -c "rms apply phedge to acct:h1,acct:h2,acct:h3"
sleep 0.8
price "$CE0" 400
price "$PE0" 400
price "$FUT" 26040
if wait_for "select count(*) from orders o join fanouts f on f.id = o.fanout_id join accounts a on a.id = o.account_id where f.source = 'rms' and a.name like 'h%' and o.state = 'FILLED'" 3 15; then
	ok "three hedges filled"
else
	fail "three hedges filled" "$got $(tail -5 "$TMPDIR/serve.err")"
fi
same "$(sql "select string_agg(a.name || ' ' || o.side || ' ' || o.symbol || ' ' || o.qty, ',' order by a.name) from orders o join fanouts f on f.id = o.fanout_id join accounts a on a.id = o.account_id where f.source = 'rms' and a.name like 'h%'")" \
	"h1 BUY $CEH $((2 * LOT)),h2 BUY $PEH $LOT,h3 BUY $CEH $((3 * LOT))" \
	"the strikes at or below 20 (not the 25 nearer it), as many lots as are short"
same "$(sql "select string_agg(scope_name || ' ' || rule, ',' order by scope_name) from incidents where scope_name like 'h%'")" \
	"h1 mtm-loss,h2 mtm-loss,h3 mtm-loss" "one incident each, for the loss"
inc=$(sql "select id from incidents where scope_name = 'h2' and rule = 'mtm-loss'")
wait_for "select count(*) from incident_events where incident_id = $inc and kind = 'order'" 1 10
run 0 "incident show h2" "$PHALANX" -c "incident show $inc"
has "hedge: buy 1 lot(s) of $PEH to cover short $PE0 (premium 5.00, the nearest at or below 20.00)" \
	"the timeline says why that strike"
kill "$servepid"
wait "$servepid" 2>/dev/null
finish
