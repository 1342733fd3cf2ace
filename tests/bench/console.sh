#!/bin/sh
# The console under load: 1,000 accounts with a position and an order
# each, and a generator writing 2,000 order_events a second with a NOTIFY
# for every one (as the fan-out does).  The console runs in tmux at
# 120x40; its CPU share is read from /proc/PID/stat over a window on the
# matrix and on the feed, its memory from /proc/PID/status.  Prints
# figures; never fails on a time.  Targets: < 20% of one core, < 64 MiB.
set -u
PHALANX=${PHALANX:-$PHALANX_SRCDIR/phalanx}
DSN=${PHALANX_BENCH_DSN:?PHALANX_BENCH_DSN names the bench cluster}
ACCOUNTS=${PHALANX_BENCH_ACCOUNTS:-1000}
RATE=${PHALANX_BENCH_EVENTS:-2000}
WINDOW=${PHALANX_BENCH_WINDOW:-10}
export PHALANX_MASTER_KEY=00000000000000000000000000000000000000000000000000000000000000aa
export XDG_CONFIG_HOME="$TMPDIR/config"
export PHALANX_HOME="${PHALANX_HOME:-$TMPDIR/home}"
export LANG=C.UTF-8
mkdir -p "$PHALANX_HOME" "$XDG_CONFIG_HOME"

command -v tmux >/dev/null 2>&1 || { echo "console: tmux missing, skipped"; exit 0; }

db=bench_console_$$
psql "$DSN" -qAtc "drop database if exists $db" >/dev/null 2>&1
psql "$DSN" -qAtc "create database $db" >/dev/null
PHALANX_DSN=$(echo "$DSN" | sed "s/dbname=[^ ]*/dbname=$db/")
export PHALANX_DSN
sql() { psql "$PHALANX_DSN" -qAtc "$1"; }

sock="phalanx-bench-$$"
genpid=
cleanup() {
	[ -n "$genpid" ] && kill "$genpid" 2>/dev/null
	tmux -L "$sock" kill-server >/dev/null 2>&1
}
trap cleanup EXIT INT TERM

# The registry through the command language; orders and positions by SQL.
{
	echo "broker add paper1 kind paper"
	echo "broker add paper2 kind paper"
	i=1
	while [ "$i" -le "$ACCOUNTS" ]; do
		printf 'account add a%04d broker paper%d tags g%d\n' "$i" \
		    $((i % 2 + 1)) $((i % 20))
		i=$((i + 1))
	done
} >"$TMPDIR/reg.phx"
"$PHALANX" batch "$TMPDIR/reg.phx" >/dev/null || {
	echo "console: registering $ACCOUNTS accounts failed" >&2
	exit 1
}
sql "insert into fanouts (who, source, intent, target, side, symbol, qty)
       values ('bench', 'cli', 'order', 'all', 'BUY', 'NIFTY25DECFUT', 1);
     insert into orders (fanout_id, account_id, client_tag, state, side,
       symbol, exchange, product, order_type, qty)
       select 1, id, 'bench' || id, 'OPEN', 'BUY', 'NIFTY25DECFUT', 'NFO',
         'MIS', 'MARKET', 75 from accounts;
     insert into positions (account_id, exchange, symbol, product, qty,
       avg_price, last_price, unrealised_pnl)
       select id, 'NFO', 'NIFTY25DECFUT', 'MIS', 75, 24000,
         24000 + id % 200, 75 * (id % 200) from accounts;" >/dev/null

# The generator: batches every 100 ms, one NOTIFY per event.
gen_secs=$((WINDOW * 3 + 10))
batch=$((RATE / 10))
cat >"$TMPDIR/gen.sql" <<SQL
DO \$\$
DECLARE
	ids	bigint[];
	t0	timestamptz;
	oid	bigint;
	n	bigint := 0;
	st	text;
BEGIN
	SELECT array_agg(id) INTO ids FROM orders;
	FOR b IN 1..$((gen_secs * 10)) LOOP
		t0 := clock_timestamp();
		FOR i IN 1..$batch LOOP
			oid := ids[1 + n % array_length(ids, 1)];
			st := (ARRAY['SUBMITTED', 'OPEN', 'PARTIALLY_FILLED',
			    'FILLED'])[1 + n % 4];
			INSERT INTO order_events (order_id, state, filled_qty,
			    latency_us) VALUES (oid, st, (n % 4) * 25,
			    800 + n % 9000);
			PERFORM pg_notify('phalanx_events', json_build_object(
			    'order_id', oid, 'state', st, 'n', n)::text);
			n := n + 1;
		END LOOP;
		COMMIT;
		PERFORM pg_sleep(greatest(0, 0.1 -
		    extract(epoch FROM clock_timestamp() - t0)));
	END LOOP;
END
\$\$;
SQL

tmux -L "$sock" new-session -d -s b -x 120 -y 40 "exec '$PHALANX' tui"
pid=$(tmux -L "$sock" display-message -p -t b '#{pane_pid}')
i=0
until tmux -L "$sock" capture-pane -p -t b | grep -q "of $ACCOUNTS"; do
	i=$((i + 1))
	if [ "$i" -gt 200 ]; then
		echo "console: the console did not show the matrix" >&2
		tmux -L "$sock" capture-pane -p -t b >&2
		exit 1
	fi
	sleep 0.1
done

tck=$(getconf CLK_TCK)
ticks() { sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }'; }
rss_kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$pid/status"; }

# cpu SECONDS: percent of one core used over the next SECONDS.
cpu() {
	a=$(ticks)
	t0=$(date +%s.%N)
	sleep "$1"
	b=$(ticks)
	t1=$(date +%s.%N)
	echo "$a $b $t0 $t1 $tck" | awk '{ printf "%.1f", ($2 - $1) / $5 / ($4 - $3) * 100 }'
}

idle=$(cpu 3)
psql "$PHALANX_DSN" -qAt -f "$TMPDIR/gen.sql" >/dev/null 2>&1 &
genpid=$!
sleep 2
before=$(sql "select count(*) from order_events")
t0=$(date +%s.%N)
matrix=$(cpu "$WINDOW")
tmux -L "$sock" send-keys -t b 2
sleep 1
feed=$(cpu "$WINDOW")
after=$(sql "select count(*) from order_events")
t1=$(date +%s.%N)
rate=$(echo "$before $after $t0 $t1" | awk '{ printf "%.0f", ($2 - $1) / ($4 - $3) }')
shown=$(tmux -L "$sock" capture-pane -p -t b | sed -n 's/.*Execution feed  \([0-9]*\) events.*/\1/p')
rss=$(rss_kib VmRSS)
hwm=$(rss_kib VmHWM)
kill "$genpid" 2>/dev/null
genpid=

echo "console: $ACCOUNTS accounts, $rate events/s written (target $RATE/s), one NOTIFY each"
echo "  idle, matrix          cpu ${idle}% of one core"
echo "  matrix under load     cpu ${matrix}% of one core"
echo "  feed under load       cpu ${feed}% of one core"
echo "$rss $hwm" | awk '{ printf "  memory                rss %.1f MiB (peak %.1f MiB)\n", $1 / 1024, $2 / 1024 }'
echo "  feed counted ${shown:-?} events; the store had $after"
echo "  targets: < 20% of one core, < 64 MiB"
tmux -L "$sock" send-keys -t b q
exit 0
