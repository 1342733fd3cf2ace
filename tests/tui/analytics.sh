#!/bin/sh
# Views 3 and 7 at 80x24: the equity curve with its max drawdown marked
# and a crosshair whose values are the points', moved by Left and Right;
# the Analytics view's panels (PnL, exposure heatmap, options, SLA)
# switched by key, none breaking the layout or cutting a number.
. "$(dirname "$0")/lib.sh"

fresh_db
"$PHALANX" -c "broker add paper1 kind paper" >/dev/null 2>&1
"$PHALANX" -c "account add alice broker paper1 capital 1000000" >/dev/null 2>&1
"$PHALANX" -c "account add bob broker paper1 capital 500000" >/dev/null 2>&1
sql "insert into instruments (instrument_token, tradingsymbol, name, expiry, lot_size, instrument_type, segment, exchange)
     values (1, 'NIFTY26DECFUT', 'NIFTY', '2026-12-29', 65, 'FUT', 'NFO-FUT', 'NFO'),
            (2, 'BANKNIFTY26DECFUT', 'BANKNIFTY', '2026-12-29', 35, 'FUT', 'NFO-FUT', 'NFO')" >/dev/null
pos() {
	sql "insert into positions (account_id, exchange, symbol, product, qty,
	       avg_price, last_price, realised_pnl, unrealised_pnl)
	     select id, 'NFO', '$2', 'NRML', $3, $4, $5, 0, ($5 - $4) * $3
	     from accounts where name = '$1'" >/dev/null
}
pos alice NIFTY26DECFUT 130 26370 26380
pos bob NIFTY26DECFUT -65 26390 26380
pos alice BANKNIFTY26DECFUT 35 59210 59110
same "$(sql "select count(*) > 0 from equity_points where reason = 'fill'")" t "positions moving snapshot equity"
# A known curve for the firm: up to 12 L, down to 9 L (a 25% drawdown), 11 L.
sql "delete from equity_points; delete from equity_rollups" >/dev/null
i=4
for v in 1000000 1200000 900000 1100000; do
	sql "insert into equity_points (ts, scope, name, equity, realised, unrealised, margin_used, reason)
	     values (now() - interval '$((i * 15)) minutes', 'firm', 'firm', $v, 0, $v - 1000000, 0, 'manual')" >/dev/null
	i=$((i - 1))
done

tui_session 80 24
keys "clear; \"$PHALANX\" -o analytics.snapshot_s=0 tui; echo \"tui-exit=\$?\"" Enter
wait_for "Accounts 2 of 2" "console up"
keys 3
wait_for "(25.00%)" "view 3 marks the max drawdown, 25% of the peak"
wait_for "equity 11,00,000.00" "the crosshair starts on the newest point"
layout_intact "the equity view at 80x24" 24
no_cut_numbers "the equity view"
keys Left
wait_for "equity 9,00,000.00 realised 0.00 unrealised -1,00,000.00 trough" "Left moves to the trough, its values under the chart"
keys Left
wait_for "equity 12,00,000.00 realised 0.00 unrealised 2,00,000.00 peak" "and to the peak"
keys Right Right Right
wait_for "equity 11,00,000.00" "Right comes back, and stops at the newest"

keys 7
wait_for "p PnL" "7 opens the Analytics view"
wait_for "no fills today" "the PnL panel: no fills yet"
keys x
wait_for "Exposure: net lots" "x shows the heatmap"
wait_for "BANKNIFTY" "an underlying per column"
out=$(screen)
case "$(printf '%s\n' "$out" | grep ' BANKNIFTY ')" in
*BANKNIFTY*" NIFTY"*) ok "columns by notional: BANKNIFTY (20.7 L), then NIFTY (17.1 L)" ;;
*) fail "columns by notional" "$out" ;;
esac
line=$(printf '%s\n' "$out" | grep 'alice')
case "$line" in
*1.0*2.0*) ok "alice: 1 lot BANKNIFTY, 2 lots NIFTY ($line)" ;;
*) fail "alice: 2 lots NIFTY, 1 lot BANKNIFTY" "$out" ;;
esac
line=$(printf '%s\n' "$out" | grep 'bob')
case "$line" in
*-1.0*) ok "bob: short a lot of NIFTY" ;;
*) fail "bob: short a lot of NIFTY" "$out" ;;
esac
layout_intact "the heatmap at 80x24" 24
keys m
wait_for "net notional" "m: notional"
no_cut_numbers "the heatmap's notional"
keys s
wait_for "no orders today" "s shows the SLA panel"
keys g
wait_for "no unexpired options of NIFTY" "g: options say why there is no chain" 100
layout_intact "the options panel at 80x24" 24
keys p
wait_for "no fills today" "p comes back to PnL"
keys q
wait_for "tui-exit=0" "q quits"
tui_finish
