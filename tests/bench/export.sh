#!/bin/sh
# Export benchmark: a CSV export of 1,000,000 order events beside
# `psql \copy` of the same SELECT to CSV (target: phalanx >= 70% of
# psql's rate), and a 100-page PDF (target < 2 s).  Times are wall
# clock of the whole command, process start and connection included;
# the start-up of a trivial command is printed for reference.  Prints
# figures; never fails on a time.
set -u
PHALANX=${PHALANX:-$PHALANX_SRCDIR/phalanx}
EVENTS=${PHALANX_BENCH_EVENTS:-1000000}
export PHALANX_MASTER_KEY=00000000000000000000000000000000000000000000000000000000000000aa
export XDG_CONFIG_HOME="$TMPDIR/config"
mkdir -p "$XDG_CONFIG_HOME"

psql "$PHALANX_BENCH_DSN" -qAtc "drop database if exists bench_export" >/dev/null 2>&1
psql "$PHALANX_BENCH_DSN" -qAtc "create database bench_export" >/dev/null
PHALANX_DSN=$(echo "$PHALANX_BENCH_DSN" | sed "s/dbname=[^ ]*/dbname=bench_export/")
export PHALANX_DSN
sql() { psql "$PHALANX_DSN" -qAtc "$1"; }

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | xargs printf '%.3f'; }

{
	echo "broker add z kind paper"
	i=1
	while [ $i -le 100 ]; do
		echo "account add a$i broker z user-id U$i"
		i=$((i + 1))
	done
} | "$PHALANX" batch - >/dev/null || { echo "bench: registry failed" >&2; exit 1; }

t0=$(now)
sql "INSERT INTO orders (id, account_id, client_tag, broker_order_id, state, side, symbol, exchange, product, order_type, qty, filled_qty, avg_price, created_at)
 SELECT g, 1 + g % 100, 'b' || g, 'BO' || g, 'FILLED', CASE WHEN g % 2 = 0 THEN 'BUY' ELSE 'SELL' END, 'NIFTY25DECFUT', 'NFO', 'NRML', 'MARKET', 75, 75, 26000 + g % 100, timestamptz '2026-11-02 09:15+05:30'
 FROM generate_series(1, 100000) g;
INSERT INTO order_events (ts, order_id, state, broker_status, filled_qty, latency_us, message)
 SELECT timestamptz '2026-11-02 09:15+05:30' + g * interval '2 ms', 1 + g % 100000, 'OPEN', 'OPEN', 0, 200 + g % 5000,
  CASE WHEN g % 10 = 0 THEN 'ack, with \"quotes\"' END
 FROM generate_series(1, $EVENTS) g;
INSERT INTO order_events (ts, order_id, state, latency_us)
 SELECT timestamptz '2026-11-03 09:15+05:30' + g * interval '1 s', 1 + g % 100000, 'FILLED', 300 + g % 7000
 FROM generate_series(1, 4900) g;
ANALYZE;"
t1=$(now)
echo "seeded $EVENTS order events (+4900 on another day) in $(secs "$t0" "$t1") s"

t0=$(now)
"$PHALANX" -c "broker list" >/dev/null
t1=$(now)
start=$(secs "$t0" "$t1")
echo "start-up of a trivial command:          $start s"

# The SELECT export events runs (db/store_export.c), target all.
SEL="SELECT e.ts, e.id AS event_id, e.order_id, a.name AS account, a.user_id AS client_code, b.name AS broker, o.client_tag, o.broker_order_id, o.symbol, e.state, e.broker_status, e.filled_qty, e.latency_us, e.message FROM order_events e JOIN orders o ON o.id = e.order_id JOIN accounts a ON a.id = o.account_id JOIN brokers b ON b.id = a.broker_id WHERE e.ts >= '2026-11-02'::date::timestamptz AND e.ts < '2026-11-03'::date::timestamptz ORDER BY e.ts, e.id"

best_px=999999
best_psql=999999
for run in 1 2 3; do
	t0=$(now)
	PGTZ=Asia/Kolkata psql "$PHALANX_DSN" -qc "\\copy ($SEL) to '$TMPDIR/psql.csv' with (format csv, header true)"
	t1=$(now)
	"$PHALANX" -c "export events from 2026-11-02 to 2026-11-02 format csv to $TMPDIR/px.csv" >"$TMPDIR/px.out"
	t2=$(now)
	p=$(secs "$t0" "$t1")
	x=$(secs "$t1" "$t2")
	printf 'run %s: psql \\copy %s s, phalanx export %s s\n' "$run" "$p" "$x"
	best_psql=$(echo "if ($p < $best_psql) $p else $best_psql" | bc -l)
	best_px=$(echo "if ($x < $best_px) $x else $best_px" | bc -l)
done
rows=$(sed -n 's/^# rows: \([0-9]*\).*/\1/p' "$TMPDIR/px.csv")
psql_rows=$(($(wc -l <"$TMPDIR/psql.csv") - 1))
echo "rows: phalanx $rows, psql $psql_rows (psql counts physical lines)"
echo "bytes: phalanx $(wc -c <"$TMPDIR/px.csv") (header + CRLF), psql $(wc -c <"$TMPDIR/psql.csv")"
printf 'CSV export of %s events: phalanx %.3f s (%.0f rows/s), psql \\copy %.3f s (%.0f rows/s)\n' \
	"$rows" "$best_px" "$(echo "$rows / $best_px" | bc -l)" "$best_psql" "$(echo "$rows / $best_psql" | bc -l)"
printf 'phalanx / psql rate: %.0f%% (target >= 70%%)\n' "$(echo "100 * $best_psql / $best_px" | bc -l)"
"$PHALANX" export verify "$TMPDIR/px.csv" | cut -c1-80

best=999999
bestcpu=0
for run in 1 2 3; do
	/usr/bin/time -f '%e %U %S' -o "$TMPDIR/time" "$PHALANX" -c \
	    "export events from 2026-11-03 to 2026-11-03 format pdf to $TMPDIR/px.pdf" >/dev/null
	read -r x u s <"$TMPDIR/time"
	if [ "$(echo "$x < $best" | bc -l)" = 1 ]; then
		best=$x
		bestcpu=$(echo "$u + $s" | bc -l)
	fi
done
pages=$(pdfinfo "$TMPDIR/px.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
printf 'PDF of 4900 events: %s pages, %s bytes, best of 3: %.3f s wall, %.3f s CPU of phalanx (target < 2 s)\n' \
	"${pages:-?}" "$(wc -c <"$TMPDIR/px.pdf")" "$best" "$bestcpu"
printf 'load average while measuring: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
