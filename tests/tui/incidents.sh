#!/bin/sh
# The RMS in the console at 80x24: a breach (an OPEN incident) flashes in
# the header until acknowledged; failed alert deliveries show there too;
# the matrix's RMS column shows the effective state and the share of the
# MTM loss limit used; view 4 lists the incidents with the selected one's
# timeline and the alerts sent about it; a, n, R and S ask first and run
# the incident commands (cancel sends nothing; sign-off keeps its rules).
# The console delivers alerts itself: no phalanx serve runs here.
. "$(dirname "$0")/lib.sh"
fresh_db
SRC=${PHALANX_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
ME=$(id -un)

python3 "$SRC/tests/notify_fake.py" --secret s >"$TMPDIR/fake.out" 2>"$TMPDIR/fake.err" &
fakepid=$!
trap 'kill $fakepid 2>/dev/null; T kill-server >/dev/null 2>&1' EXIT
i=0
while [ $i -lt 100 ] && ! grep -q http "$TMPDIR/fake.out"; do
	sleep 0.1
	i=$((i + 1))
done
HP=$(sed -n 's/.*"http": \([0-9]*\).*/\1/p' "$TMPDIR/fake.out")
[ -n "$HP" ] && ok "fake webhook receiver" || fail "fake webhook receiver" "$(cat "$TMPDIR/fake.err")"

"$PHALANX" batch /dev/stdin >"$TMPDIR/setup.out" 2>&1 <<EOF
broker add paper1 kind paper
account add alice broker paper1 tags desk
account add bob broker paper1 tags desk
rms apply intraday-scalper to acct:alice
channel add good kind webhook url http://127.0.0.1:$HP/hook secret s
channel add dead kind webhook url http://127.0.0.1:1/hook secret s
EOF
same "$?" 0 "accounts, the scalper template on alice, two channels"
# Alice has lost 17,500 of her 25,000 MTM loss limit: 70%.
sql "insert into positions (account_id, exchange, symbol, product, qty,
       avg_price, last_price, realised_pnl, unrealised_pnl)
     select id, 'NFO', 'NIFTY26DECFUT', 'MIS', 75, 26400, 26166.67, 0,
       -17500 from accounts where name = 'alice'" >/dev/null
INC=$(sql "insert into incidents (severity, scope_kind, scope_name, rule, summary)
     values ('critical', 'account', 'alice', 'mtm-loss', 'MTM loss 26,000 over 25,000') returning id")
sql "insert into incident_events (incident_id, kind, actor, message)
     values ($INC, 'breach', 'rms', 'mtm-loss breached: loss 26000.00 of 25000.00')" >/dev/null
INC2=$(sql "insert into incidents (severity, scope_kind, scope_name, rule, summary, state)
     values ('warning', 'account', 'bob', 'max-drawdown', 'drawdown 9,000 over 8,000', 'ACKNOWLEDGED') returning id")
run 0 "an rms alert about the incident, to both channels" \
	"$PHALANX" -c "notify send critical \"MTM loss on alice\" source rms scope acct:alice ref INC-$INC to good,dead"
same "$(sql "select count(*) from notification_deliveries where state = 'PENDING'")" 2 "nothing delivers it yet"

# The incidents here are made by hand: another session holds the RMS
# duty, so the console's own monitors do not open one for alice's loss.
psql "$PHALANX_DSN" -qAtc "select pg_advisory_lock(1885893240, 1), pg_sleep(900)" >/dev/null 2>&1 &
dutypid=$!
trap 'kill $fakepid $dutypid 2>/dev/null; T kill-server >/dev/null 2>&1' EXIT
i=0
while [ "$(sql "select count(*) from pg_locks where database = (select oid from pg_database where datname = current_database()) and locktype = 'advisory' and classid = 1885893240 and objid = 1 and granted")" != 1 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done

tui_session 80 24
keys "clear; \"$PHALANX\" -o notify.max_attempts=1 -o notify.poll_ms=200 -o rms.signoff_users=$ME,ops2 tui; echo \"tui-exit=\$?\"" Enter
wait_for "Accounts 2 of 2" "console up"

# ---- the console delivers, the header shows what failed ----
i=0
while [ "$(sql "select count(*) from notification_deliveries d join notifications n on n.id = d.notification_id where n.title = 'MTM loss on alice' and d.state in ('SENT', 'FAILED')")" != 2 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
same "$(sql "select string_agg(d.channel_name || ':' || d.state, ',' order by d.channel_name) from notification_deliveries d join notifications n on n.id = d.notification_id where n.title = 'MTM loss on alice'")" \
	"dead:FAILED,good:SENT" "the console's own worker delivered (no daemon runs)"
same "$(sql "select count(distinct a.worker) from notification_attempts a")" 1 "one worker: the console's"
wait_for "alerts: 1 failed" "the header counts the failed delivery"

# ---- the breach flashes in the header; the matrix shows the loss used ----
wait_for "BREACH #$INC alice" "the header names the breach"
# The segment's look (the escapes before BREACH) must take two values: a
# loaded machine may redraw late, so watch for up to five seconds.
look() {
	T capture-pane -p -e -t tui | sed -n '1s/.*IST.*kill: [a-z]*\(.*\) *BREACH.*/\1/p'
}
a=$(look)
b=$a
i=0
while [ "$b" = "$a" ] && [ $i -lt 50 ]; do
	sleep 0.1
	b=$(look)
	i=$((i + 1))
done
[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] &&
	ok "the breach flashes (the segment's look changes each second)" ||
	fail "the breach flashes" "$(T capture-pane -p -e -t tui | sed -n 1p)"
wait_for "70%" "the matrix shows the share of the loss limit used"
line=$(screen | grep ' alice ')
case "$line" in
*"ACT "*"70%"*) ok "alice: ACTIVE, 70% of the MTM loss limit, as a bar" ;;
*) fail "alice: ACTIVE, 70% of the MTM loss limit" "$line" ;;
esac
case "$line" in
*"███▌"*) ok "the bar fills 3.5 of 5 cells" ;;
*) fail "the bar fills 3.5 of 5 cells" "$line" ;;
esac
case "$(screen | grep ' bob ')" in
*"ACT  "*) ok "bob: no loss limit, the state alone" ;;
*) fail "bob: no loss limit, the state alone" "$(screen | grep ' bob ')" ;;
esac
same "$(sql "select count(*) from incidents where state = 'OPEN'")" 1 "one incident open"
no_cut_numbers "the matrix with the RMS bar at 80x24"
layout_intact "the matrix with the RMS bar at 80x24" 24

# ---- view 4: the incidents and the selected one's timeline ----
keys 4
wait_for "MTM loss 26,000 over 25,000" "view 4 lists the incidents"
wait_for "#$INC OPEN critical account:alice mtm-loss" "the timeline is the open incident's"
wait_for "breach  rms: mtm-loss breached" "with its breach event"
wait_for "to good (webhook http://127.0.0.1:$HP) SENT" "and the alert sent, to whom"
wait_for "to dead (webhook http://127.0.0.1:1) FAILED" "and the one that failed"
layout_intact "view 4 at 80x24" 24
no_cut_numbers "view 4 at 80x24"
out=$(screen)
hasnt "/hook" "a webhook's path is never shown"

# a, then no: nothing changes.
keys a
wait_for "Runs: incident ack $INC" "a asks first, naming the command"
keys n
wait_for "cancelled: nothing was sent" "n cancels"
same "$(sql "select state from incidents where id = $INC")" OPEN "still OPEN"
# a, then Y: acknowledged; the flashing stops.
keys a
wait_for "Runs: incident ack $INC" "a asks again"
keys Y
wait_for "#$INC ACKNOWLEDGED" "acknowledged"
same "$(sql "select state || ' ' || acked_by from incidents where id = $INC")" "ACKNOWLEDGED $ME" \
	"the incident command ran: state and who"
wait_gone "BREACH" "the header stops flashing once acknowledged"

# n: a note typed in the bottom line, then confirmed.
keys n
wait_for "note for #$INC:" "n asks for the note"
keys "called the client, \"hedged\"" Enter
wait_for 'Runs: incident note' "the note is confirmed first"
keys Y
wait_for 'note    '"$ME"': called the client, "hedged"' "the note is on the timeline, quotes intact"

# R resolves; S signs off: not by the resolver.
keys R
wait_for "Runs: incident resolve $INC" "R asks first"
keys Y
wait_for "#$INC RESOLVED" "resolved"
keys S
wait_for "sign-off note for #$INC:" "S asks for a note"
keys "reviewed" Enter
wait_for "Runs: incident signoff $INC note" "then confirms"
keys Y
wait_for "was resolved by $ME" "the resolver may not sign off"
same "$(sql "select state from incidents where id = $INC")" RESOLVED "still RESOLVED"
sql "update incidents set resolved_by = 'ops2' where id = $INC" >/dev/null
keys S
wait_for "sign-off note for #$INC:" "S again"
keys "reviewed with ops2" Enter
wait_for "Runs: incident signoff $INC note" "confirms"
keys Y
wait_for "#$INC SIGNED_OFF" "signed off"
same "$(sql "select signed_by || ': ' || note from signoffs where incident_id = $INC")" "$ME: reviewed with ops2" \
	"the sign-off is stored with who and the note"

# The other incident (listed first now: it is not resolved): k selects it.
keys k
wait_for "#$INC2 ACKNOWLEDGED warning account:bob max-drawdown" "k selects the other incident"
layout_intact "view 4 after the actions" 24

keys q
wait_for "tui-exit=0" "the console quits cleanly"
tui_finish
