#!/bin/sh
# Golden screens: the console's every view (1-8) and its main dialogs
# (help, the square-off and kill confirmations, the command bar) at 80x24
# and 160x48, captured under tmux (capture-pane -p: the text, no colours)
# and compared with tests/tui/golden/*.txt; a mismatch prints a unified
# diff.  The store is `phalanx demo seed --seed 42` with the display clock
# frozen (PHALANX_FAKE_NOW), so every number and time on the screens is
# the seed's.  Nothing moves underneath: no simulator, no marks
# (exec.mtm_ms=0), no snapshots, no delivery worker, and a stand-in
# daemon (a psql session) holds the RMS, reconcile, scheduler and snapshot
# duties so the console takes none of them -- it only reads, which the
# test checks at the end.
#
# Masked: nothing.  The screens carry no PID, port, path or real time;
# the one thing that moved with the monotonic clock (the feed's rate
# sparkline counting the history loaded at start) now counts only events
# that arrive.
#
# Re-record on purpose, after a change to what the console shows:
#   make golden            (or: sh tests/tui/golden.sh --record, with
#                           PHALANX and PHALANX_TEST_DSN set as run.sh does)
# then read `git diff tests/tui/golden` before committing it.
record=${PHALANX_GOLDEN_RECORD:-}
[ "${1:-}" = "--record" ] && record=1
. "$(dirname "$0")/lib.sh"
gold=$(cd "$(dirname "$0")" && pwd)/golden
mkdir -p "$gold"

export PHALANX_FAKE_NOW=2026-03-05T11:40:00+05:30

fresh_db
run 0 "demo seed into an empty store" "$PHALANX" demo seed --seed 42 \
    --accounts 6 --days 30
has "6 accounts" "the seed says what it wrote"

# The stand-in daemon: it holds the duties until its input closes.
mkfifo "$TMPDIR/duties"
psql "$PHALANX_DSN" -qAt <"$TMPDIR/duties" >"$TMPDIR/duties.out" 2>&1 &
dutypid=$!
exec 9>"$TMPDIR/duties"
echo "SELECT pg_advisory_lock(1885893240, 0), pg_advisory_lock(1885893240, 1),
    pg_advisory_lock(1885893240, 21), pg_advisory_lock(1886548065, 0);" >&9
trap 'exec 9>&-; T kill-server >/dev/null 2>&1; wait $dutypid 2>/dev/null' EXIT
i=0
while [ $i -lt 100 ]; do
	held=$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
	    AND database = (SELECT oid FROM pg_database
	        WHERE datname = current_database())
	    AND granted AND pid <> pg_backend_pid()
	    AND classid IN (1885893240, 1886548065)")
	[ "$held" = 4 ] && break
	sleep 0.1
	i=$((i + 1))
done
same "$held" 4 "a stand-in daemon holds the four duties"
nevents=$(sql "SELECT count(*) FROM order_events")
before=$(sql "SELECT (SELECT count(*) FROM incidents) || ' '
    || (SELECT count(*) FROM equity_points) || ' '
    || (SELECT count(*) FROM order_events) || ' '
    || (SELECT count(*) FROM notifications) || ' '
    || (SELECT max(updated_at) FROM positions) || ' '
    || (SELECT count(*) FROM positions WHERE qty <> 0)")

# settle: the screen, once two captures 0.3 s apart agree (in $out).
settle() {
	prev=
	i=0
	while [ $i -lt 50 ]; do
		out=$(screen)
		[ "$out" = "$prev" ] && return 0
		prev=$out
		sleep 0.3
		i=$((i + 1))
	done
	fail "the screen settles" "$out"
}

# golden NAME: compare the settled screen with golden/NAME.txt.
golden() {
	settle
	printf '%s\n' "$out" >"$TMPDIR/$1.txt"
	if [ -n "$record" ] && [ "$failures" -gt 0 ]; then
		fail "$1 not recorded: something failed before it"
		return
	fi
	if [ -n "$record" ]; then
		cp "$TMPDIR/$1.txt" "$gold/$1.txt"
		ok "recorded $1"
		return
	fi
	if [ ! -f "$gold/$1.txt" ]; then
		fail "$1: no tests/tui/golden/$1.txt (make golden records it)" \
		    "$out"
		return
	fi
	if d=$(diff -u "$gold/$1.txt" "$TMPDIR/$1.txt"); then
		ok "$1 is its golden screen"
	else
		fail "$1 differs from tests/tui/golden/$1.txt" "$d"
	fi
}

# screens COLS ROWS: a console started at that size, every view and
# dialog.
screens() {
	sz="$1x$2"
	tui_resize "$1" "$2"
	keys "clear; \"$PHALANX\" -o exec.mtm_ms=0 -o analytics.snapshot_s=0 \
-o notify.worker=false tui; echo \"tui-exit=\$?\"" Enter
	wait_for "Accounts 6 of 6" "$sz: console up on the seeded store"
	wait_for "BREACH #1 ravi" "$sz: the open breach in the header"
	golden "$sz-1-matrix"
	keys 2
	wait_for "Execution feed  $nevents events" "$sz: the feed read all $nevents events"
	golden "$sz-2-feed"
	keys 3
	wait_for "max drawdown" "$sz: the equity curve"
	wait_for "paper-hni" "$sz: PnL by broker"
	golden "$sz-3-equity"
	keys 4
	wait_for "05 Mar 11:15:02" "$sz: the open incident's timeline"
	golden "$sz-4-rms"
	keys 5
	wait_for "ravi  positions 2" "$sz: ravi's positions and orders"
	golden "$sz-5-positions"
	keys 6
	wait_for "Book: 2 instruments" "$sz: the firm's book"
	golden "$sz-6-book"
	keys 7
	wait_for "Charges" "$sz: PnL by account"
	wait_for "kavya" "$sz: every account's PnL"
	golden "$sz-7-analytics"
	keys 8
	wait_for "Log of run 7" "$sz: the newest run's log"
	wait_for "1 command succeeded" "$sz: its outcome"
	golden "$sz-8-runs"
	keys 1 '?'
	wait_for "─ Keys ─" "$sz: help"
	golden "$sz-help"
	keys Escape
	wait_gone "─ Keys ─" "$sz: Esc closes help"
	keys : "buy NIFTY26MARFUT 1 lots to group:scalpers --dry-run"
	wait_for ":buy NIFTY26MARFUT 1 lots" "$sz: the command bar"
	golden "$sz-command-bar"
	keys Escape
	wait_gone ":buy NIFTY26MARFUT" "$sz: Esc leaves the command bar"
	keys s
	wait_for "Confirm? [y/N]" "$sz: square-off confirmation"
	golden "$sz-confirm-squareoff"
	keys Escape
	wait_for "cancelled: nothing was sent" "$sz: Esc cancels it"
	keys K
	wait_for "KILL SWITCH" "$sz: kill confirmation"
	golden "$sz-confirm-kill"
	keys Escape
	wait_gone "KILL SWITCH" "$sz: Esc cancels the kill"
	keys q
	wait_for "tui-exit=0" "$sz: q quits"
}

tui_session 80 24
screens 80 24
screens 160 48

after=$(sql "SELECT (SELECT count(*) FROM incidents) || ' '
    || (SELECT count(*) FROM equity_points) || ' '
    || (SELECT count(*) FROM order_events) || ' '
    || (SELECT count(*) FROM notifications) || ' '
    || (SELECT max(updated_at) FROM positions) || ' '
    || (SELECT count(*) FROM positions WHERE qty <> 0)")
same "$after" "$before" "the consoles only read: incidents, equity, events, alerts, marks and open positions as seeded (the cancelled dialogs closed nothing)"
[ -n "$record" ] && echo "golden screens recorded in $gold"
tui_finish
