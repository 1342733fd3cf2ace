#!/bin/sh
# The firm's book (view 6) at 80x24 and 160x48: one row per instrument
# whose net quantity, MTM and account count are the sums of the accounts'
# positions, expandable to the accounts, filtered by group, and s asking
# to square the instrument off in exactly the accounts that hold it.  Big
# money stays whole or compacts with its sign; no number is ever cut.
. "$(dirname "$0")/lib.sh"

fresh_db
"$PHALANX" -c "broker add paper1 kind paper" >/dev/null 2>&1
"$PHALANX" -c "account add alice broker paper1 tags scalpers,family" >/dev/null 2>&1
"$PHALANX" -c "account add bob broker paper1 tags scalpers" >/dev/null 2>&1
"$PHALANX" -c "account add carol broker paper1 tags hni" >/dev/null 2>&1
"$PHALANX" -c "account add dave broker paper1 tags hni" >/dev/null 2>&1
pos() {
	sql "insert into positions (account_id, exchange, symbol, product, qty,
	       avg_price, last_price, realised_pnl, unrealised_pnl)
	     select id, 'NFO', '$2', '$3', $4, $5, $6, $7, $8
	     from accounts where name = '$1'"
}
pos alice NIFTY26DECFUT MIS 130 26370.70 26379.85 -334.75 1189.50
pos bob NIFTY26DECFUT MIS 65 26371.10 26379.85 0 568.75
pos carol NIFTY26DECFUT NRML -195 26390.00 26379.85 10282000.55 1979.25
pos alice BANKNIFTY26DECFUT MIS 35 59210.00 59110.40 0 -3486.00
pos dave BANKNIFTY26DECFUT MIS 0 59200.00 59110.40 -1391.25 0
same "$(sql "select sum(qty) from positions where symbol = 'NIFTY26DECFUT'")" 0 \
    "NIFTY is flat across accounts (130 + 65 - 195)"

tui_session 80 24
keys "clear; \"$PHALANX\" tui; echo \"tui-exit=\$?\"" Enter
wait_for "Accounts 4 of 4" "console up"
keys 6
wait_for "Book: 2 instruments" "6 opens the book across accounts"
out=$(screen)
no_cut_numbers "the book at 80x24"
layout_intact "the book at 80x24" 24

# The NIFTY row: net 0 over three accounts; MTM the sum of theirs.
line=$(screen | grep ' NIFTY26DECFUT ')
want_mtm=$(sql "select to_char(sum(unrealised_pnl), 'FM9,999.00') from positions where symbol = 'NIFTY26DECFUT'")
case "$line" in
*" 3 "*" 0 "*"$want_mtm"*) ok "NIFTY: 3 accounts, net 0, MTM $want_mtm" ;;
*) fail "NIFTY: 3 accounts, net 0, MTM $want_mtm" "$line" ;;
esac
line=$(screen | grep ' BANKNIFTY26DECFUT ')
case "$line" in
*" 1 "*" 35 "*"-3,486.00"*) ok "BANKNIFTY: one account holds 35" ;;
*) fail "BANKNIFTY: one account holds 35" "$line" ;;
esac
# Realised 1,02,82,000.55 - 334.75 does not fit beside the rest at 80.
case "$(screen | grep ' NIFTY26DECFUT ')" in
*"1,02,81,665.80"*|*"1.03 Cr"*) ok "big realised PnL whole or compacted" ;;
*) fail "big realised PnL whole or compacted" "$(screen)" ;;
esac

# Enter opens the accounts; their quantities add up to the row's.
keys g j Enter
wait_for "alice MIS" "Enter shows the accounts under the instrument"
out=$(screen)
has "bob MIS" "bob listed under the instrument"
has "carol NRML" "carol listed under the instrument"
sum=0
for q in $(screen | grep -E '^ +(alice|bob|carol) (MIS|NRML)' | awk '{ print $3 }'); do
	sum=$((sum + q))
done
same "$sum" 0 "the accounts' quantities sum to the net"
no_cut_numbers "the expanded book"

# s on the instrument: every account that holds it, with quantities.
keys s
wait_for "Runs: squareoff" "s asks before squaring off the instrument"
out=$(screen)
has "3 accounts" "the confirmation counts three accounts"
has "alice" "names alice"
has "SELL 130 NIFTY26DECFUT" "closes alice's 130 with a sell"
has "BUY 195 NIFTY26DECFUT" "closes carol's short 195 with a buy"
has "symbol NIFTY26DECFUT" "the command names only that instrument"
inbox=$(screen | grep -E '│.*BANKNIFTY|\|.*BANKNIFTY' || true)
same "$inbox" "" "the confirmation leaves BANKNIFTY alone"
no_cut_numbers "the instrument square-off confirmation"
keys n
wait_for "cancelled: nothing was sent" "n cancels"
same "$(sql "select count(*) from fanouts")" 0 "nothing was sent"

# Group filter: hni holds carol's NIFTY and dave's flat BANKNIFTY.
keys t t
wait_for "group hni" "t filters by group"
line=$(screen | grep ' NIFTY26DECFUT ')
case "$line" in
*" 1 "*" -195 "*) ok "group hni: one account, net -195" ;;
*) fail "group hni: one account, net -195" "$(screen)" ;;
esac
keys t t
wait_for "group filter: none" "t comes back to every group"

# 160x48: everything whole.
tui_resize 160 48
wait_for "Book: 2 instruments" "book at 160x48"
no_cut_numbers "the book at 160x48"
layout_intact "the book at 160x48" 48
out=$(screen)
has "1,02,81,665.80" "realised PnL whole at 160 columns"
# The matrix header carries the firm's MTM and realised PnL of the day.
keys 1
wait_for "realised" "the header shows the firm's realised PnL"
first=$(screen | head -n 1)
case "$first" in
*"MTM "*"realised "*) ok "header: MTM and realised ($first)" ;;
*) fail "header: MTM and realised" "$first" ;;
esac
keys q
wait_for "tui-exit=0" "q quits"
tui_finish
