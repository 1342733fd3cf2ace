#!/bin/sh
# Several daemons on one store: the same backlog of webhook signals posted
# round-robin to one phalanx serve, then to three, each with a home of its
# own, all on one PostgreSQL.  Intake is on any daemon; the queued
# signals are claimed with FOR UPDATE SKIP LOCKED, so the three share the
# execution.  Paper accounts fill at once, so what is measured is
# phalanx's own work: accept, claim, fan-out, store.  Prints signals per
# second end to end and how the work was shared; never fails on a time.
#   DAEMONS_SIGNALS (default 600) signals over 12 strategies and symbols.
set -u
PHALANX=${PHALANX:-$PHALANX_SRCDIR/phalanx}
K=${DAEMONS_SIGNALS:-600}
NSTRAT=12
export PHALANX_MASTER_KEY=00000000000000000000000000000000000000000000000000000000000000aa
export XDG_CONFIG_HOME="$TMPDIR/config"
sql() { psql "$PHALANX_DSN" -qAtc "$1"; }

pids=
stop_all() {
	# shellcheck disable=SC2086 # a list of pids
	[ -n "$pids" ] && kill $pids 2>/dev/null
	for p in $pids; do wait "$p" 2>/dev/null; done
	pids=
}
trap stop_all EXIT INT TERM

# A fresh store with NSTRAT paper accounts, strategies and connectors.
setup() {
	db=bench_daemons_$1
	psql "$PHALANX_BENCH_DSN" -qAtc "drop database if exists $db" >/dev/null 2>&1
	psql "$PHALANX_BENCH_DSN" -qAtc "create database $db" >/dev/null
	PHALANX_DSN=$(echo "$PHALANX_BENCH_DSN" | sed "s/dbname=[^ ]*/dbname=$db/")
	export PHALANX_DSN
	export PHALANX_HOME="$TMPDIR/home.setup"
	{
		echo "broker add pp kind paper"
		j=1
		while [ $j -le $NSTRAT ]; do
			echo "account add p$j broker pp"
			echo "strategy add s$j target acct:p$j"
			echo "connector add c$j dialect tradingview strategy s$j token bench-token-$j"
			j=$((j + 1))
		done
	} >"$TMPDIR/reg.phx"
	"$PHALANX" batch "$TMPDIR/reg.phx" >/dev/null
	"$PHALANX" -c "instruments load exchange NFO" >/dev/null
}

# start N: N daemons, each in its own home; sets ports.
start() {
	ports=
	d=1
	while [ "$d" -le "$1" ]; do
		PHALANX_HOME="$TMPDIR/home.$1.$d" "$PHALANX" \
		    -o exec.rate_per_sec=1000 -o hook.dedupe_s=0 \
		    -o notify.worker=false serve --listen 127.0.0.1:0 \
		    >"$TMPDIR/serve.$1.$d.out" 2>"$TMPDIR/serve.$1.$d.err" &
		pids="$pids $!"
		p=
		while [ -z "$p" ]; do
			sleep 0.05
			p=$(sed -n 's/^{"listening":"127\.0\.0\.1:\([0-9]*\)"}$/\1/p' \
			    "$TMPDIR/serve.$1.$d.out")
		done
		ports="$ports $p"
		d=$((d + 1))
	done
}

# post: K signals, strategy i's on its own symbol, round-robin over the
# daemons from 8 threads; prints the seconds the posting took.
post() {
	# shellcheck disable=SC2086 # one argument per port
	python3 - "$K" "$NSTRAT" "$SYMS" $ports <<'PY'
import sys, time, json, threading, http.client
k, nstrat, syms, ports = int(sys.argv[1]), int(sys.argv[2]), \
    sys.argv[3].split(","), [int(p) for p in sys.argv[4:]]
jobs = list(range(k))
lock = threading.Lock()
bad = []
def worker(w):
    conns = {}
    while True:
        with lock:
            if not jobs:
                break
            i = jobs.pop(0)
        s = i % nstrat
        port = ports[i % len(ports)]
        body = json.dumps({"passphrase": "bench-token-%d" % (s + 1),
            "ticker": syms[s % len(syms)], "exchange": "NFO",
            "action": "buy" if (i // nstrat) % 2 == 0 else "sell",
            "contracts": "1", "id": "sig-%d" % i})
        c = conns.get(port) or http.client.HTTPConnection("127.0.0.1", port)
        conns[port] = c
        c.request("POST", "/hook/c%d" % (s + 1), body,
            {"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        if r.status != 200:
            bad.append(r.status)
t0 = time.time()
ts = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
for t in ts: t.start()
for t in ts: t.join()
print("%.3f %d" % (time.time() - t0, len(bad)))
PY
}

# wait_done: until every signal left the queue (at most 10 minutes).
wait_done() {
	i=0
	while [ "$(sql "select count(*) from signals where status in ('RECEIVED', 'QUEUED', 'EXECUTING')")" != 0 ] &&
	    [ $i -lt 6000 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

echo "several daemons, one store: $K webhook signals over $NSTRAT strategies (one symbol each, run in order per strategy), paper accounts"
for n in 1 3; do
	setup "$n"
	SYMS=$(sql "select string_agg(tradingsymbol, ',') from (select tradingsymbol from instruments where instrument_type = 'FUT' and exchange = 'NFO' order by name, expiry limit $NSTRAT) s")
	start "$n"
	t0=$(date +%s.%N)
	# shellcheck disable=SC2046 # two figures, as $1 and $2
	set -- $(post)
	wait_done
	t1=$(date +%s.%N)
	done_n=$(sql "select count(*) from signals where status = 'DONE'")
	other=$(sql "select coalesce(string_agg(status || ' ' || c, ', '), 'none') from (select status, count(*) c from signals where status <> 'DONE' group by status) s")
	share=$(sql "select string_agg(c::text, '/' order by c desc) from (select count(*) c from runs where kind = 'webhook' group by owner) s")
	awk -v n="$n" -v k="$K" -v p="$1" -v bad="$2" -v t0="$t0" -v t1="$t1" \
	    -v d="$done_n" -v o="$other" -v s="$share" -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
		printf "  %d daemon%s: posted in %.2f s (%d refused), all run in %.2f s: %.0f signals/s end to end; %s DONE, not done: %s; runs per daemon %s; load %s\n",
		    n, n == 1 ? " " : "s", p, bad, t1 - t0, k / (t1 - t0), d, o, s, l }'
	stop_all
done
exit 0
