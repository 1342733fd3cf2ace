#!/bin/sh
# Notification delivery on loopback (issue 11): outbox row -> delivered
# p50/p99 through phalanx serve to a webhook receiver (target p99 < 200
# ms), and a burst of 1,000 alerts into a channel limited to 30 a second,
# with the most the receiver saw in any one second.  Prints figures; never
# fails on a time.  NOTIFY_BENCH_N and NOTIFY_BENCH_BURST resize it.
set -u
PHALANX=${PHALANX:-$PHALANX_SRCDIR/phalanx}
N=${NOTIFY_BENCH_N:-300}
BURST=${NOTIFY_BENCH_BURST:-1000}
export PHALANX_MASTER_KEY=00000000000000000000000000000000000000000000000000000000000000aa
export XDG_CONFIG_HOME="$TMPDIR/config"
db=b_notify_sh_$$
psql "$PHALANX_BENCH_DSN" -qAtc "drop database if exists $db" >/dev/null 2>&1
psql "$PHALANX_BENCH_DSN" -qAtc "create database $db" >/dev/null
PHALANX_DSN=$(echo "$PHALANX_BENCH_DSN" | sed "s/dbname=[^ ]*/dbname=$db/")
export PHALANX_DSN
sql() { psql "$PHALANX_DSN" -qAtc "$1"; }

python3 "$PHALANX_SRCDIR/tests/notify_fake.py" --secret s >"$TMPDIR/fake.out" 2>"$TMPDIR/fake.err" &
fakepid=$!
servepid=
trap 'kill $fakepid $servepid 2>/dev/null' EXIT
i=0
while [ $i -lt 100 ] && ! grep -q http "$TMPDIR/fake.out"; do
	sleep 0.1
	i=$((i + 1))
done
HP=$(sed -n 's/.*"http": \([0-9]*\).*/\1/p' "$TMPDIR/fake.out")
FAKE="http://127.0.0.1:$HP"

"$PHALANX" batch /dev/stdin >/dev/null <<EOF || exit 1
channel add fast kind webhook url $FAKE/fast secret s rate 6000
channel add slow kind webhook url $FAKE/burst secret s rate 1800
EOF
"$PHALANX" -o notify.poll_ms=1000 serve --listen 127.0.0.1:0 \
	>"$TMPDIR/serve.out" 2>"$TMPDIR/serve.err" &
servepid=$!
sleep 1

wait_sent() {
	i=0
	while [ "$(sql "select count(*) from notification_deliveries d join notify_channels c on c.id = d.channel_id where c.name = '$1' and d.state = 'SENT'")" -lt "$2" ] &&
	    [ $i -lt "$3" ]; do
		sleep 0.2
		i=$((i + 1))
	done
}

# ---- one alert at a time, 20 ms apart: row -> accepted by the receiver ----
i=1
while [ $i -le "$N" ]; do
	echo "select notify_enqueue('critical', 'rms', 'acct:a1', 'latency $i', '', null, '[]', '{fast}');"
	echo "select pg_sleep(0.02);"
	i=$((i + 1))
done | psql "$PHALANX_DSN" -qAt >/dev/null
wait_sent fast "$N" 300
sql "select 'row -> delivered over loopback: ' || count(*) || ' alerts, p50 '
	|| percentile_disc(0.5) within group (order by latency_ms) || ' ms, p99 '
	|| percentile_disc(0.99) within group (order by latency_ms) || ' ms, max '
	|| max(latency_ms) || ' ms (target p99 < 200 ms)'
	from notification_deliveries where channel_name = 'fast' and state = 'SENT'"

# ---- a burst into a channel limited to 30 a second ----
t0=$(date +%s.%N)
sql "do \$\$ begin for i in 1..$BURST loop
	perform notify_enqueue('warning', 'rms', 'acct:a2', 'burst ' || i, '',
	    null, '[]', '{slow}');
	end loop; end \$\$" >/dev/null
t1=$(date +%s.%N)
wait_sent slow "$BURST" $((BURST / 4 + 300))
curl -s "$FAKE/_log" | python3 -c "
import json, sys
t = sorted(e['t'] for e in json.load(sys.stdin) if e.get('path') == '/burst')
j = 0
most = 0
for i in range(len(t)):
    while t[i] - t[j] >= 1.0:
        j += 1
    most = max(most, i - j + 1)
span = t[-1] - t[0] if len(t) > 1 else 0
print('burst of %d alerts (queued in %.2f s) to a 30/s channel: delivered %d in %.1f s, %.1f/s on average, at most %d in any one second (limit 30)'
      % ($BURST, $t1 - $t0, len(t), span, (len(t) - 1) / span if span else 0, most))
"
kill $servepid
wait $servepid 2>/dev/null
servepid=
psql "$PHALANX_BENCH_DSN" -qAtc "drop database $db with (force)" >/dev/null 2>&1
exit 0
