#!/bin/sh
# The Runs view (8) at 80x24 with a daemon firing an every-minute schedule
# on a test clock: the schedule with its next fire, the connectors and
# strategies with their last signal and state (a webhook posted while the
# view is open shows without a key), runs arriving live (NOTIFY, no key
# pressed), the selected run's log, Tab to the log, a schedule paused
# from the command bar, and a clean frame throughout.
. "$(dirname "$0")/lib.sh"

fresh_db
"$PHALANX" -c 'schedule add every cron "* * * * *" run "fanouts last 1"' >/dev/null &&
	ok "schedule added" || fail "schedule added"
"$PHALANX" -c 'schedule add eod cron "20 15 * * mon-fri" run "positions" trading-days' >/dev/null &&
	ok "a trading-days schedule added" || fail "a trading-days schedule added"
"$PHALANX" -c 'strategy add trend target all' >/dev/null &&
	"$PHALANX" -c 'connector add tv dialect tradingview strategy trend token tv-secret-0001' >/dev/null &&
	ok "a strategy and its connector" || fail "a strategy and its connector"
"$PHALANX" -o "schedule.test_clock=$(TZ=Asia/Kolkata date +%Y-%m-%dT%H:%M:%S)*60" \
    -o schedule.tick_ms=100 -o notify.worker=false serve --listen 127.0.0.1:0 \
    >"$TMPDIR/serve.out" 2>"$TMPDIR/serve.err" &
servepid=$!
trap 'kill $servepid 2>/dev/null; T kill-server >/dev/null 2>&1' EXIT

tui_session 80 24
keys "clear; \"$PHALANX\" tui; echo \"tui-exit=\$?\"" Enter
wait_for "1 Matrix" "console up"
keys 8
wait_for "Next fire (IST)" "the Runs view shows the schedules"
wait_for "every" "with the every-minute schedule"
wait_for "Last signal (IST)" "and the feeds: connectors and strategies"
wait_for "no signal yet" "connector tv has had no signal yet"
out=$(screen)
has "tradingview" "the connector's dialect"
has "strategy" "the strategy it feeds, as a row of its own"
sport=$(sed -n 's/^{"listening":"127\.0\.0\.1:\([0-9]*\)"}$/\1/p' "$TMPDIR/serve.out")
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
    -d '{"passphrase":"tv-secret-0001","ticker":"NOSUCH26DECFUT","action":"buy","contracts":"1"}' \
    "http://127.0.0.1:$sport/hook/tv")
same "$code" 200 "a signal posted to tv while the view is open"
today=$(TZ=Asia/Kolkata date +%Y-%m-%d)
i=0
while [ $i -lt 100 ] && ! screen | grep -q "^ *tv .*$today .*FAILED"; do
	sleep 0.1
	i=$((i + 1))
done
screen | grep -q "^ *tv .*$today .*FAILED" &&
	ok "its last signal time and state (unknown symbol: FAILED) show, no key pressed" ||
	fail "its last signal time and state show, no key pressed" "$(screen)"
layout_intact "runs view with the feeds" 24
wait_for " 15:20 " "the trading-days schedule's next fire is at 15:20 IST"
wait_for "SUCCEEDED" "runs arrive while the view is open"
first=$(sql "select min(id) from runs")
wait_for "> fanouts last 1" "the selected run's log shows the command it ran"
wait_for "1 command succeeded" "and its outcome"
n1=$(sql "select count(*) from runs")
sleep 3
n2=$(sql "select count(*) from runs")
[ "$n2" -gt "$n1" ] && ok "the daemon keeps firing ($n1 -> $n2)" || fail "the daemon keeps firing" "$n1 -> $n2"
newest=$(sql "select max(id) from runs")
wait_for "Log of run $newest" "the view follows the newest run without a key" 50
keys j
sleep 0.5
pinned=$(screen | sed -n 's/^Log of run \([0-9]*\) .*/\1/p')
sleep 2
out=$(screen)
has "Log of run $pinned " "j leaves the newest run: the log stays on run $pinned"
[ "$pinned" -lt "$(sql "select max(id) from runs")" ] && ok "while newer runs arrive" ||
	fail "while newer runs arrive" "$pinned"
layout_intact "runs view" 24
no_cut_numbers "the runs view"
keys Tab
wait_for "(following)" "Tab moves to the log, which follows"
keys Tab j
keys : "schedule pause every" Enter
wait_for "schedule every paused" "pause from the command bar"
keys Escape
wait_for "paused" "the view shows the schedule paused"
layout_intact "runs view after a command" 24
keys q
wait_for "tui-exit=0" "q quits"
kill $servepid
tui_finish
