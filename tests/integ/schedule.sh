#!/bin/sh
# The scheduler in phalanx serve, on a test clock (schedule.test_clock:
# one cron minute per real second): an every-minute schedule fires once a
# minute and only one daemon fires; a daemon killed with -9 and started
# again with its clock replaying the same minutes fires none of them twice;
# catch-up none|last|all of the fires missed while no daemon ran; a run
# still going makes concurrency skip skip, queue queue, and is failed when
# its process is gone; run cancel; an alert rule on failed runs enqueues a
# notification.
. "$(dirname "$0")/lib.sh"
fresh_db

ist_now() {
	TZ=Asia/Kolkata date -d "@$1" +%Y-%m-%dT%H:%M:%S
}
T0=$(date +%s)
pids=
trap 'kill $pids 2>/dev/null' EXIT INT TERM

# serve NAME CLOCK: a daemon with the test clock at CLOCK, 60x.
serve() {
	"$PHALANX" -o "schedule.test_clock=$2*60" -o schedule.tick_ms=100 \
	    -o notify.worker=false -o exec.reconcile_s=0 serve \
	    --listen 127.0.0.1:0 >"$TMPDIR/$1.out" 2>"$TMPDIR/$1.err" &
	eval "$1=\$!"
	pids="$pids $!"
}

wait_for() {	# wait_for SQL VALUE SECONDS
	i=0
	while [ "$(sql "$1")" != "$2" ] && [ $i -lt $(($3 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

runs_of() {
	sql "select count(*) from runs where ref = '$1' and kind = 'schedule'"
}

# Fires are recorded one minute apart, each once, all of them succeeded.
contiguous() {
	sql "select count(*) = count(distinct fire_at) and
	    max(fire_at) - min(fire_at) = (count(*) - 1) * interval '1 minute'
	    from runs where ref = '$1' and kind = 'schedule'"
}

run 0 "schedule add every" "$PHALANX" -c 'schedule add every cron "* * * * *" run "fanouts last 1"'
run 2 "a bad cron is refused" "$PHALANX" -c 'schedule add bad cron "* 25 * * *" run positions'
has "hour field: values run from 0 to 23" "the cron error names the field"

# The trading calendar: shipped, listed, replaced by year from a file.
out=$("$PHALANX" -c "calendar list year 2026")
has "2026-12-25  Christmas" "the NSE holidays of 2026 ship with phalanx"
cat >"$TMPDIR/nse-2027.txt" <<'EOF2'
# NSE 2027 (test data)
2027-01-26 Republic Day
2027-03-22 Holi
EOF2
run 0 "calendar load" "$PHALANX" -c "calendar load $TMPDIR/nse-2027.txt"
has "2 holidays loaded for 2027" "calendar load says what it loaded"
printf '2027-02-30 Nonsense\n' >"$TMPDIR/bad.txt"
run 1 "a calendar with an impossible date" "$PHALANX" -c "calendar load $TMPDIR/bad.txt"
has "line 1: expected \"YYYY-MM-DD holiday name\" with a real date" "the bad line is named"
same "$(sql "select count(*) from market_holidays where extract(year from day) = 2027")" 2 \
	"a bad file loads nothing"
same "$(sql "select count(*) from market_holidays where extract(year from day) = 2026")" 16 \
	"other years are kept"
run 1 "an alert rule to an unknown channel" "$PHALANX" -c "alert rule add x when run-failed notify nowhere"
has "no channel nowhere" "the unknown channel is named"
run 0 "alert rule add run-longer-than" "$PHALANX" -c "alert rule add slow when run-longer-than 5m severity info"
out=$("$PHALANX" -c "alert rule list")
has "run-longer-than" "alert rule list"
run 0 "alert rule rm" "$PHALANX" -c "alert rule rm slow"

serve A "$(ist_now "$T0")"
serve B "$(ist_now "$T0")"
wait_for "select count(*) >= 4 from runs where ref = 'every'" t 15
same "$(sql "select count(*) >= 4 from runs where ref = 'every'")" t \
	"an every-minute schedule fired at least 4 times in 4 test minutes"
same "$(contiguous every)" t "one run per minute, none twice, none skipped"
same "$(sql "select count(distinct owner) from runs where ref = 'every'")" 1 \
	"two daemons, one scheduler"
same "$(sql "select count(*) from runs where ref = 'every' and state in ('FAILED', 'CANCELLED', 'TIMED_OUT')")" 0 \
	"no run failed"
out=$("$PHALANX" -c "run logs $(sql "select min(id) from runs where ref = 'every'")")
has "> fanouts last 1" "the run's log holds the command it ran"

# Kill both hard; restart one with the clock replaying the same minutes.
kill -9 $A $B
wait $A $B 2>/dev/null
n1=$(runs_of every)
last1=$(sql "select max(fire_at) from runs where ref = 'every'")
serve C "$(ist_now "$T0")"
sleep 3
same "$(runs_of every)" "$n1" "a restarted daemon replaying fired minutes fires none again"
wait_for "select count(*) > $n1 from runs where ref = 'every'" t 15
same "$(sql "select count(*) > $n1 from runs where ref = 'every'")" t "then it fires the new minutes"
same "$(contiguous every)" t "across the restart: one run per minute, none twice, none lost"
same "$(sql "select count(*) from runs where ref = 'every' and fire_at <= '$last1'")" "$n1" \
	"the minutes before the restart still have exactly one run each"
kill $C
wait $C 2>/dev/null

# Catch-up: made now, fired by a daemon whose clock says 30 minutes on.
run 0 "pause every" "$PHALANX" -c "schedule pause every"
for p in none last all; do
	run 0 "schedule add catch$p" "$PHALANX" -c "schedule add catch$p cron \"* * * * *\" run \"fanouts last 1\" concurrency queue catchup $p"
done
# Half past a minute, so no fire falls on the line between missed and due.
start=$(ist_now $(((T0 + 30 * 60) / 60 * 60 + 30)))
serve D "$start"
sleep 2
cut="'$(echo "$start" | tr T ' ')+05:30'::timestamptz - interval '60 seconds'"
same "$(sql "select count(*) from runs where ref = 'catchnone' and fire_at < $cut")" 0 \
	"catchup none: no missed fire runs"
same "$(sql "select count(*) from runs where ref = 'catchlast' and fire_at < $cut")" 1 \
	"catchup last: only the latest missed fire runs"
same "$(sql "select count(*) from runs where ref = 'catchall' and fire_at < $cut")" \
	"$(sql "select count(*) from generate_series(date_trunc('minute', (select created_at from schedules where name = 'catchall')) + interval '1 minute', $cut - interval '1 second', interval '1 minute')")" \
	"catchup all: every missed fire runs"
same "$(sql "select count(*) > 0 from runs where ref = 'catchnone' and fire_at >= $cut")" t \
	"catchup none: the fires after the start run"
out=$("$PHALANX" -c "schedule list")
has "paused" "schedule list shows the paused schedule"
has "catchall" "schedule list shows every schedule"
for p in none last all; do
	run 0 "schedule rm catch$p" "$PHALANX" -c "schedule rm catch$p"
done
kill $D
wait $D 2>/dev/null

# A run that is still going: a RUNNING row whose lock a session holds.
run 0 "alert rule on failed runs" "$PHALANX" -c "alert rule add failures when run-failed severity critical"
run 0 "schedule add held (skip)" "$PHALANX" -c 'schedule add held cron "* * * * *" run "fanouts last 1"'
run 0 "schedule add queued (queue)" "$PHALANX" -c 'schedule add queued cron "* * * * *" run "fanouts last 1" concurrency queue'
# One psql session holds both runs' locks until the test lets go; the
# lock is taken before the rows commit, so no sweep sees them unlocked.
run_held=1000001
run_queued=1000002
mkfifo "$TMPDIR/hold"
psql "$PHALANX_DSN" -qAt <"$TMPDIR/hold" >/dev/null 2>&1 &
pids="$pids $!"
exec 3>"$TMPDIR/hold"
cat >&3 <<SQL
begin;
select pg_advisory_lock(1886548066, $run_held);
select pg_advisory_lock(1886548066, $run_queued);
insert into runs (id, kind, ref, schedule_id, command, state, started_at, created_by)
    select case name when 'held' then $run_held else $run_queued end,
    'manual', name, id, 'fanouts', 'RUNNING', now(), 'test'
    from schedules where name in ('held', 'queued');
commit;
SQL
wait_for "select count(*) from runs where id > 1000000" 2 5
serve E "$start"
sleep 3
same "$(runs_of held)" 0 "concurrency skip: no fire while a run is going"
q=$(runs_of queued)
[ "$q" -ge 2 ] && ok "concurrency queue: fires wait ($q queued)" || fail "concurrency queue: fires wait" "$q"
same "$(sql "select count(*) from runs where ref = 'queued' and kind = 'schedule' and state <> 'PENDING'")" 0 \
	"queued fires wait PENDING behind the running one"
pend=$(sql "select min(id) from runs where ref = 'queued' and state = 'PENDING'")
follow=$(sql "select max(id) from runs where ref = 'queued' and state = 'PENDING'")
"$PHALANX" -c "run logs $follow --follow" >"$TMPDIR/follow.out" 2>&1 &
followpid=$!
pids="$pids $followpid"
run 0 "run cancel a queued run" "$PHALANX" -c "run cancel $pend"
same "$(sql "select state from runs where id = $pend")" CANCELLED "the cancelled run never starts"
run 1 "cancel it again" "$PHALANX" -c "run cancel $pend"
has "CANCELLED already" "a second cancel says why"
# Its process goes away.
echo '\q' >&3
exec 3>&-
wait_for "select state from runs where id = $run_held" FAILED 15
same "$(sql "select outcome from runs where id = $run_held")" "interrupted: the process running it stopped" \
	"a run whose process is gone is failed"
wait_for "select count(*) > 0 from runs where ref = 'held' and kind = 'schedule' and state = 'SUCCEEDED'" t 10
same "$(sql "select count(*) > 0 from runs where ref = 'held' and kind = 'schedule' and state = 'SUCCEEDED'")" t \
	"then the skipped schedule fires again"
wait_for "select count(*) > 0 from runs where ref = 'queued' and kind = 'schedule' and state = 'SUCCEEDED'" t 10
same "$(sql "select count(*) > 0 from runs where ref = 'queued' and kind = 'schedule' and state = 'SUCCEEDED'")" t \
	"and the queued runs start"
i=0
while kill -0 $followpid 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
out=$(cat "$TMPDIR/follow.out")
has "# > fanouts last 1" "run logs --follow: waits for a queued run and prints its lines"
has "run $follow SUCCEEDED" "and ends with the run"
wait_for "select count(*) from notifications where origin = 'alert:failures'" 2 10
same "$(sql "select count(*) from notifications where origin = 'alert:failures' and severity = 'critical' and source = 'workflow'")" 2 \
	"alert rule run-failed: one notification per failed run"
out=$("$PHALANX" -c "run show $run_held")
has "PENDING" "run show: the timeline"
has "FAILED" "run show: the end"
kill $E
wait $E 2>/dev/null
finish
