#!/bin/sh
# The full-screen console under tmux: the matrix, the views, the command
# bar, the square-off dialog (cancel and confirm), the feed following a
# NOTIFY from another process, help, a resize to 80x24, quitting back to a
# sane shell, the ASCII fallback, and a clear failure without a store.
# Polls the pane with a bounded retry loop; never sleeps for long.
. "$(dirname "$0")/../integ/lib.sh"

command -v tmux >/dev/null 2>&1 || { echo "tmux is not installed"; exit 1; }

fresh_db
"$PHALANX" -c "broker add paper1 kind paper" >/dev/null 2>&1
"$PHALANX" -c "account add alice broker paper1 tags scalpers,family" >/dev/null 2>&1
"$PHALANX" -c "account add bob broker paper1 tags scalpers" >/dev/null 2>&1
"$PHALANX" -c "account add carol broker paper1" >/dev/null 2>&1
same "$(sql "select count(*) from accounts")" 3 "three accounts registered"

# Sanitizer reports go to files, checked at the end.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$TMPDIR/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$TMPDIR/ubsan"
export LANG=C.UTF-8
unset LC_ALL
# The first-start walkthrough has its own test (tour.sh).
export PHALANX_TOUR=off
sock="phalanx-tui-$$"
T() { tmux -L "$sock" "$@"; }
trap 'T kill-server >/dev/null 2>&1' EXIT INT TERM

screen() { T capture-pane -p -t tui; }
keys() { T send-keys -t tui "$@"; }

# wait_for TEXT DESCRIPTION: poll the pane for up to 15 s.
wait_for() {
	i=0
	while [ $i -lt 150 ]; do
		out=$(screen)
		case "$out" in *"$1"*) ok "$2"; return 0 ;; esac
		sleep 0.1
		i=$((i + 1))
	done
	fail "$2: no \"$1\" on the screen" "$out"
	return 1
}

# wait_gone TEXT DESCRIPTION
wait_gone() {
	i=0
	while [ $i -lt 150 ]; do
		out=$(screen)
		case "$out" in *"$1"*) ;; *) ok "$2"; return 0 ;; esac
		sleep 0.1
		i=$((i + 1))
	done
	fail "$2: \"$1\" is still on the screen" "$out"
	return 1
}

# modes TAG: the shell's icanon/echo settings, as "icanon echo ".  The
# marker is split in the command so that only the output matches it.
modes() {
	keys "stty -a | tr -s ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)\$' | tr '\\n' ' '; echo '<-' '$1'" Enter
	wait_for "<- $1" "shell answers ($1)"
	modes=$(screen | grep -- "<- $1" | tail -n 1 | sed "s/<- $1//; s/^[$] *//")
}

# child_of PID: a child process of PID (from /proc; procps may be absent).
child_of() {
	for d in /proc/[0-9]*; do
		[ "$(sed 's/.*) //' "$d/stat" 2>/dev/null | cut -d' ' -f2)" = "$1" ] &&
		    { echo "${d#/proc/}"; return; }
	done
}

# A shell in the pane, so that what is left after quitting can be seen.
T new-session -d -s tui -x 120 -y 40 "env PS1='$ ' sh"
T set-option -t tui remain-on-exit on >/dev/null
modes before
before=$modes
case "$before" in *icanon*echo*) ok "shell in cooked mode" ;; *) fail "shell in cooked mode" "$before" ;; esac
keys "clear; \"$PHALANX\" tui; echo \"tui-exit=\$?\"" Enter

# 1. The matrix lists the accounts.
wait_for "store ok" "header shows the store"
wait_for "carol" "matrix lists the accounts"
out=$(screen)
has "alice" "alice listed"
has "family,scalpers" "tags listed"
has "1 Matrix" "tab line names the views"
has "IST" "header has the IST clock"
has "kill: none" "header shows the kill state"
first=$(screen | head -n 1)
case "$first" in *phalanx*) ok "header on the first line" ;; *) fail "header on the first line" "$first" ;; esac

# 2. Switching views and back.
keys 2
wait_for "Execution feed" "2 opens the feed"
keys 3
wait_for "Equity, firm" "3 opens the equity view (the firm's curve)"
wait_for "7 days (IST)" "it names its period"
keys 4
wait_for "No RMS incidents" "4 opens the RMS timeline with its empty state"
keys 5
wait_for "positions 0" "5 opens positions and orders"
keys F1
wait_for "Accounts 3 of 3" "F1 goes back to the matrix"

# 3. The command bar.
keys :
keys "account list"
wait_for ":account list" "command bar shows the line being typed"
keys Enter
wait_for "USER ID" "account list result shown in a popup"
wait_for "account list: done" "result in the message line"
keys Escape
wait_gone "USER ID" "popup closed"
keys : "account lis" Tab
wait_for ":account list" "Tab completes a command word"
keys Escape
wait_gone ":account list" "Esc leaves the command bar"

# 4. Square-off dialog: n and Esc cancel, a deliberate yes runs it.
keys g s
wait_for "Runs: squareoff acct:alice" "s asks before squaring off alice"
out=$(screen)
has "Square off 1 account: alice" "dialog names the account"
has "open positions" "dialog names the positions"
has "[y/N]" "dialog defaults to no"
keys Enter
wait_for "cancelled: nothing was sent" "Enter alone cancels"
keys s
wait_for "Runs: squareoff acct:alice" "dialog again"
keys n
wait_for "cancelled: nothing was sent" "n cancels"
keys s
wait_for "Runs: squareoff acct:alice" "dialog again"
keys Escape
wait_gone "Runs: squareoff" "Esc cancels"
n=$(sql "select count(*) from fanouts")
same "$n" 0 "nothing was sent while the dialog said no"
keys s
wait_for "Runs: squareoff acct:alice" "dialog once more"
keys y
wait_for "[y/N] y" "y arms the confirmation"
keys Enter
wait_gone "Runs: squareoff" "dialog closed after yes"
# "squareoff: done ..." or "squareoff: <why not>" in the message line.
wait_for "squareoff: " "the confirmed command ran and its result is shown"
# Esc closes a result popup if there is one, and does nothing otherwise.
keys Escape
keys 1

# 5. The feed follows events written by another process (NOTIFY).
sql "insert into fanouts (who, source, intent, target, side, symbol, qty)
     values ('test', 'cli', 'order', 'acct:bob', 'BUY', 'NIFTY25DECFUT', 1);
     insert into orders (fanout_id, account_id, client_tag, state, side,
       symbol, exchange, product, order_type, qty, filled_qty)
     select max(f.id), (select id from accounts where name = 'bob'), 'tuitest1',
       'FILLED', 'BUY', 'NIFTY25DECFUT', 'NFO', 'MIS', 'MARKET', 75, 75
     from fanouts f;
     insert into order_events (order_id, state, filled_qty, latency_us)
     select id, 'FILLED', 75, 4200 from orders where client_tag = 'tuitest1';
     insert into positions (account_id, exchange, symbol, product, qty,
       avg_price, last_price, unrealised_pnl)
     select id, 'NFO', 'NIFTY25DECFUT', 'MIS', 75, 24000, 24100, 7500
     from accounts where name = 'bob';
     notify phalanx_events, '{\"order_id\":1,\"state\":\"FILLED\"}';
     notify phalanx_registry, '{}';" >/dev/null
keys 2
wait_for "NIFTY25DECFUT" "feed shows another process's event"
wait_for "4.2ms" "feed shows the latency"
keys 1
wait_for "7,500.00" "matrix shows the new MTM"

# 6. Help lists every key.
keys "?"
wait_for "Keys" "? opens the help"
out=$(screen)
has "square off the selected" "help lists s"
has "kill switch" "help lists K"
keys q
wait_gone "kill switch for the" "help closed"

# 7. Resize to 80x24: the header stays whole.
T resize-window -t tui -x 80 -y 24
i=0
while [ $i -lt 100 ]; do
	[ "$(screen | wc -l | tr -d ' ')" -eq 24 ] && break
	sleep 0.1
	i=$((i + 1))
done
wait_for "store ok" "header after resize"
first=$(screen | head -n 1)
case "$first" in
*phalanx*IST*"store ok"*kill*) ok "header intact at 80x24" ;;
*) fail "header intact at 80x24" "$first" ;;
esac
out=$(screen)
has "1 Matrix" "tab line after resize"
has "alice" "matrix after resize"

# 8. q quits and the shell is back, in cooked mode with echo.
keys q
wait_for "tui-exit=0" "q quits with status 0"
hasnt "Accounts 3 of 3" "the console's screen is gone"
modes after
same "$modes" "$before" "terminal modes restored"

# 8b. SIGTERM: a clean exit, the terminal restored.
keys "clear; \"$PHALANX\" tui; echo \"term-exit=\$?\"" Enter
wait_for "Accounts 3 of 3" "console started again"
shell_pid=$(T display-message -p -t tui '#{pane_pid}')
tui_pid=$(child_of "$shell_pid")
if [ -n "$tui_pid" ] && kill -TERM "$tui_pid"; then
	wait_for "term-exit=0" "SIGTERM quits cleanly"
else
	fail "SIGTERM quits cleanly: no console process under $shell_pid"
fi
modes term
same "$modes" "$before" "terminal modes restored after SIGTERM"

# 9. ASCII fallback in a non-UTF-8 locale: boxes drawn with + and -.
keys "clear; LC_ALL=C \"$PHALANX\" tui; echo \"ascii-exit=\$?\"" Enter
wait_for "Accounts 3 of 3" "console starts in the C locale"
keys "?"
wait_for "+- Keys" "ASCII box in the C locale"
keys q q
wait_for "ascii-exit=0" "quits from the ASCII console"

# 10. No store: a clear message and exit 3, no crash, terminal intact.
keys "clear; PHALANX_DSN='host=$TMPDIR/nothing-here port=1 dbname=none connect_timeout=2' \"$PHALANX\" tui; echo \"dead-exit=\$?\"" Enter
wait_for "dead-exit=" "console without a store exits"
out=$(screen)
has "dead-exit=3" "exit status 3 without a store"
has "store" "the message names the store"
hasnt "Segmentation" "no crash"
hasnt "AddressSanitizer" "no sanitizer report"

T kill-server >/dev/null 2>&1
for f in "$TMPDIR"/asan* "$TMPDIR"/ubsan*; do
	[ -f "$f" ] || continue
	fail "sanitizer report $f" "$(head -n 40 "$f")"
done
finish
