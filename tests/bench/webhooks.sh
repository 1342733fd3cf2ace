#!/bin/sh
# Webhook benchmark against phalanx serve and phalanx sim on loopback,
# with an open-loop load generator (tests/bench/hook_load.c, built here
# with cc and libevent; else tests/bench/hook_load.py, needing python3):
#  1. (run second) accept latency (request -> 200 with the payload and its signal
#     stored and queued) at 2,000 requests/s for 5 s, open loop over 16
#     keep-alive connections, de-duplication off (hook.dedupe_s=0: every
#     payload is stored and queued in full, no shortcut) and every signal
#     executed by the same daemon meanwhile;
#  2. (run first, on an idle daemon) signal received -> first order on the wire, from the stored
#     payload's time to the fan-out's first send (broker latency is not in
#     it: the sim answers after 50 ms, after the send), 80 signals at
#     8/s (the RMS lets an account place 10 orders a second) over ten
#     symbols: signals of one strategy and symbol run in arrival order,
#     each after the one before it is answered, so a stream on one
#     symbol would measure the broker's latency, queued.
#  3. (run last) the accept alone: the same load on an accepting front
#     (hook.execute=false) with the executing daemon stopped.
#  The load average is printed with each figure: the machine is shared.
#  PHALANX_HOOK_ACCEPT_DEPTH=1 compares the accept without pipeline mode.
#  Prints figures; never fails on a time.
set -u
PHALANX=${PHALANX:-$PHALANX_SRCDIR/phalanx}
RATE=${PHALANX_BENCH_HOOK_RATE:-2000}
SECS=${PHALANX_BENCH_HOOK_SECS:-5}
export PHALANX_MASTER_KEY=00000000000000000000000000000000000000000000000000000000000000aa
export XDG_CONFIG_HOME="$TMPDIR/config"
db=bench_webhooks
psql "$PHALANX_BENCH_DSN" -qAtc "drop database if exists $db" >/dev/null 2>&1
psql "$PHALANX_BENCH_DSN" -qAtc "create database $db" >/dev/null
PHALANX_DSN=$(echo "$PHALANX_BENCH_DSN" | sed "s/dbname=[^ ]*/dbname=$db/")
export PHALANX_DSN
sql() { psql "$PHALANX_DSN" -qAtc "$1"; }

out="$TMPDIR/sim.out"
"$PHALANX" sim --listen 127.0.0.1:0 --rate-limit 0 --tick-ms 50 --users 2 \
    --cash 100000000000 >"$out" 2>/dev/null &
simpid=$!
servepid=
trap 'kill $simpid $servepid 2>/dev/null' EXIT INT TERM
port=
while [ -z "$port" ]; do
	sleep 0.05
	port=$(sed -n 's/^{"listening":"127\.0\.0\.1:\([0-9]*\)"}$/\1/p' "$out")
done
{
	echo "broker add sim kind kite url http://127.0.0.1:$port api-key x"
	awk -F'"' '/user_id/ { printf "account add u%s broker sim user-id %s api-key %s access-token %s\n", NR, $4, $8, $16 }' "$out"
	echo "broker add pp kind paper"
	echo "account add paper1 broker pp"
	echo "strategy add flood target acct:paper1"
	echo "strategy add timed target acct:u1"
	echo "connector add flood dialect tradingview strategy flood token bench-token-1"
	echo "connector add timed dialect tradingview strategy timed token bench-token-2"
} >"$TMPDIR/reg.phx"
"$PHALANX" batch "$TMPDIR/reg.phx" >/dev/null
"$PHALANX" -c "instruments load exchange NFO" >/dev/null
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
SYMS=$(sql "select tradingsymbol from instruments where exchange = 'NFO' and instrument_type = 'FUT' order by name, expiry limit 10")
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# The load generator: hook_load.c where it builds (cc and libevent's
# headers), else hook_load.py -- which, on this 2-core machine, spends
# more CPU per request than the daemon and cannot keep 2,000/s itself
# when the machine is busy (measured against a trivial responder).
LOAD="$TMPDIR/hook_load"
# shellcheck disable=SC2046 # pkg-config's flags are words, split on purpose
if ! ${CC:-cc} -std=c11 -D_DEFAULT_SOURCE -O2 -o "$LOAD" "$PHALANX_SRCDIR/tests/bench/hook_load.c" \
    $(pkg-config --cflags --libs libevent 2>/dev/null || echo -levent) 2>/dev/null; then
	LOAD="python3 $PHALANX_SRCDIR/tests/bench/hook_load.py"
fi

# serve NAME OPTION...: a daemon (de-duplication off, no alert worker) in
# the background; servepid, and sport once it listens.
serve() {
	name=$1
	shift
	"$PHALANX" -o hook.dedupe_s=0 -o notify.worker=false "$@" \
	    serve --listen 127.0.0.1:0 >"$TMPDIR/$name.out" 2>"$TMPDIR/$name.err" &
	servepid=$!
	sport=
	while [ -z "$sport" ]; do
		sleep 0.05
		sport=$(sed -n 's/^{"listening":"127\.0\.0\.1:\([0-9]*\)"}$/\1/p' "$TMPDIR/$name.out")
	done
}
serve serve -o exec.rate_per_sec=1000

curl -s -X POST -d '{"latency_ms": 50}' "http://127.0.0.1:$port/sim/faults" >/dev/null
bodies=
for sym in $SYMS; do
	printf '{"passphrase":"bench-token-2","ticker":"%s","exchange":"NFO","action":"buy","contracts":"1"}' "$sym" >"$TMPDIR/timed-$sym.json"
	bodies="$bodies${bodies:+,}$TMPDIR/timed-$sym.json"
done
la_timed=$(loadavg)
$LOAD "http://127.0.0.1:$sport/hook/timed" 8 10 2 "$bodies" >/dev/null
# The timed strategy's signals run in order too: the last one must be done.
i=0
while [ "$(sql "select count(*) from signals s join strategies g on g.id = s.strategy_id where g.name = 'timed' and s.status in ('QUEUED', 'EXECUTING')")" != 0 ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "signal received -> first order on the wire (80 signals at 8/s over $(echo "$SYMS" | wc -w) symbols, sim answering after 50 ms; load average $la_timed):"
sql "select format('  %s signals: p50 %s ms  p99 %s ms  max %s ms  (target p99 < 10 ms)', count(*),
    round((percentile_cont(0.5) within group (order by d))::numeric, 2),
    round((percentile_cont(0.99) within group (order by d))::numeric, 2),
    round(max(d)::numeric, 2))
  from (select extract(epoch from f.t_first_send - p.ts) * 1000 as d
    from signals s join webhook_payloads p on p.id = s.payload_id
    join fanouts f on f.id = s.fanout_id join strategies g on g.id = s.strategy_id
    where g.name = 'timed' and f.t_first_send is not null) x"
# Where that time goes (p50 / p99 of each step): the accept's write
# (its start -> the claim: a signal that may run at once is claimed in
# the write that stores it, migration 0030) -> the fan-out's start (the
# commit, the answer to the daemon, the hand-over to the executor) ->
# its first send (the intent's write; the key lookup is skipped for a
# signal claimed as it was stored).  A signal that had to wait its turn
# is claimed by the executor in a round trip of its own, in the first
# step.
sql "select format('  of which: received -> stored and claimed p50 %s p99 %s ms; claimed -> fan-out started p50 %s p99 %s ms; started -> first send p50 %s p99 %s ms',
    round((percentile_cont(0.5) within group (order by a))::numeric, 2), round((percentile_cont(0.99) within group (order by a))::numeric, 2),
    round((percentile_cont(0.5) within group (order by b))::numeric, 2), round((percentile_cont(0.99) within group (order by b))::numeric, 2),
    round((percentile_cont(0.5) within group (order by c))::numeric, 2), round((percentile_cont(0.99) within group (order by c))::numeric, 2))
  from (select extract(epoch from s.t_started - p.ts) * 1000 as a,
      extract(epoch from f.t_intent - s.t_started) * 1000 as b,
      extract(epoch from f.t_first_send - f.t_intent) * 1000 as c
    from signals s join webhook_payloads p on p.id = s.payload_id
    join fanouts f on f.id = s.fanout_id join strategies g on g.id = s.strategy_id
    where g.name = 'timed' and f.t_first_send is not null) x"
printf '{"passphrase":"bench-token-1","ticker":"%s","exchange":"NFO","action":"buy","contracts":"1"}' "$FUT" >"$TMPDIR/flood.json"
$LOAD "http://127.0.0.1:$sport/hook/flood" 200 1 4 "$TMPDIR/flood.json" >/dev/null
echo "webhook accept: $RATE requests/s for $SECS s, 16 connections, each stored and queued before its 200, hook.accept_depth ${PHALANX_HOOK_ACCEPT_DEPTH:-2} (load average $(loadavg))"
$LOAD "http://127.0.0.1:$sport/hook/flood" "$RATE" "$SECS" 16 "$TMPDIR/flood.json" |
    awk '{ printf "  %s requests, %s answered 200: p50 %.2f ms  p99 %.2f ms  max %.2f ms  (target p99 < 5 ms)\n", $2, $4, $6 / 1000, $8 / 1000, $10 / 1000
	if ($11 == "late_p99_us") printf "  (the generator itself got to its requests late by p99 %.2f ms, max %.2f ms: the machine'"'"'s share of the figures above)\n", $12 / 1000, $14 / 1000 }'
# wrk (closed loop: each connection sends again once answered) says what
# the daemon serves flat out and how long each took.
if command -v wrk >/dev/null 2>&1; then
	{
		echo 'wrk.method = "POST"'
		echo 'wrk.headers["Content-Type"] = "application/json"'
		printf 'wrk.body = [[%s]]\n' "$(cat "$TMPDIR/flood.json")"
	} >"$TMPDIR/wrk.lua"
	echo "webhook accept flat out: wrk, 16 connections, 5 s (load average $(loadavg))"
	wrk -t 1 -c 16 -d 5s --latency -s "$TMPDIR/wrk.lua" "http://127.0.0.1:$sport/hook/flood" 2>/dev/null |
	    awk '/Requests\/sec/ { r = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 } / requests in / { n = $1 }
	        END { printf "  %s requests, %d/s: p50 %s  p99 %s\n", n, r, p50, p99 }'
else
	echo "  (no wrk: apt-get install wrk for the daemon's flat-out figure)"
fi
echo "  at the daemon (arrival -> answer): $(curl -s "http://127.0.0.1:$sport/metrics" | awk '/^phalanx_webhook_accept_seconds_bucket/ { n++; split($1, a, "\""); le[n] = a[2]; c[n] = $2 } /^phalanx_webhook_accept_seconds_count/ { t = $2 } END { for (i = 1; i <= n; i++) if (c[i] >= t * 0.99) { printf "p99 <= %s s over %d requests", le[i], t; exit } }'); payloads per store batch: $(sql "select round(avg(n), 1) || ' on average, ' || max(n) || ' at most' from (select count(*) n from webhook_payloads group by ts) x")"
# One strategy and one symbol run in order, one fan-out at a time: the
# flood is a backlog, worked off behind the answers.
echo "  signals of the flood run so far: $(sql "select count(*) from signals where status = 'DONE'") DONE, $(sql "select count(*) from signals where status in ('QUEUED', 'EXECUTING')") still queued (one strategy and symbol run in order)"


# The accept path alone: the executing daemon stopped, an accepting front
# (hook.execute=false) takes the same load and runs none of it -- what a
# front on a machine of its own answers, with the executing daemons
# elsewhere on the store.  Above, the machine's two cores also ran every
# signal meanwhile (the daemon, its store sessions), and that, not the
# accept, is most of the difference.
kill "$servepid" 2>/dev/null
wait "$servepid" 2>/dev/null
serve front -o hook.execute=false
$LOAD "http://127.0.0.1:$sport/hook/flood" 200 1 4 "$TMPDIR/flood.json" >/dev/null
before=$(sql "select count(*) from signals where status = 'QUEUED'")
echo "webhook accept, an accepting front (hook.execute=false: nothing executed meanwhile): $RATE requests/s for $SECS s, 16 connections (load average $(loadavg))"
$LOAD "http://127.0.0.1:$sport/hook/flood" "$RATE" "$SECS" 16 "$TMPDIR/flood.json" |
    awk '{ printf "  %s requests, %s answered 200: p50 %.2f ms  p99 %.2f ms  max %.2f ms  (target p99 < 5 ms)\n", $2, $4, $6 / 1000, $8 / 1000, $10 / 1000 }'
echo "  queued for the executing daemons: $(( $(sql "select count(*) from signals where status = 'QUEUED'") - before )) more signals"
