#!/bin/sh
# The time-series evaluation behind docs/timeseries.md: the same order
# events and equity points loaded into (1) a plain PostgreSQL table,
# (2) PostgreSQL native partitions by day kept by pg_partman, (3)
# ClickHouse (MergeTree partitioned by day) when clickhouse-server is
# installed; TimescaleDB is tried with CREATE EXTENSION and reported as
# missing when it is not installable.  Prints ingest rate, the console's
# queries cold (first run after a server restart, OS cache dropped when
# allowed) and warm (best of 5), and the disk used.
#   sh scripts/timeseries-eval.sh      (as root or a user that can run
#                                       initdb; needs postgresql-15-partman)
# Scale: EVENTS (default 10000000), ACCOUNTS (500), DAYS (30),
# POINTS_PER_DAY (375: one a minute over the session).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
EVENTS=${EVENTS:-10000000}
ACCOUNTS=${ACCOUNTS:-500}
DAYS=${DAYS:-30}
POINTS_PER_DAY=${POINTS_PER_DAY:-375}
W=${WORKDIR:-$(mktemp -d /tmp/phalanx-tseval.XXXXXX)}
mkdir -p "$W"
chmod 755 "$W"
CH_PORT=${CH_PORT:-19000}
CH_HTTP=${CH_HTTP:-18123}

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | xargs printf '%.3f'; }
ms() { echo "($2 - $1) * 1000" | bc -l | xargs printf '%.1f'; }
say() { printf '%s\n' "$*"; }

pg_stop() { sh "$top/scripts/pg-temp.sh" stop "$W/pg" fast >/dev/null 2>&1 || true; }
ch_stop() { [ -n "${chpid:-}" ] && kill "$chpid" 2>/dev/null && wait "$chpid" 2>/dev/null || true; chpid=; }
trap 'pg_stop; ch_stop' EXIT INT TERM
drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null && echo dropped || echo kept; }

DSN=$(sh "$top/scripts/pg-temp.sh" start "$W/pg")
# pg-temp runs with fsync off, as ClickHouse does by default: ingest
# figures compare the engines' work, not the disk's flushes.
q() { psql "$DSN" -qAtX -c "$(printf "%s" "$1" | tr "\n\t" "  ")"; }

say "scale: $EVENTS order events over $DAYS days, $ACCOUNTS accounts x $DAYS days x $POINTS_PER_DAY equity points"
say "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# -- the data, generated once as CSV ----------------------------------------
t0=$(now)
q "\\copy (SELECT timestamptz '2026-10-01 09:15+05:30' + (g::float8 / $EVENTS * $DAYS * 86400) * interval '1 s' AS ts,
	g AS id, 1 + g / 10 AS order_id, (ARRAY['SUBMITTED','OPEN','FILLED','CANCELLED','REJECTED'])[1 + g % 5] AS state,
	CASE WHEN g % 5 < 2 THEN 150 + (g::bigint * 7919) % 20000 END AS latency_us
	FROM generate_series(1, $EVENTS) g) TO '$W/events.csv' WITH (FORMAT csv)"
q "\\copy (SELECT timestamptz '2026-10-01 09:15+05:30' + d * interval '1 day' + p * interval '1 minute' * (375.0 / $POINTS_PER_DAY) AS ts,
	a AS account_id, round((1000000 + 5000 * sin(a + d + p / 50.0))::numeric, 2) AS equity,
	round((2000 * sin(a + d))::numeric, 2) AS realised, round((3000 * cos(a + p / 30.0))::numeric, 2) AS unrealised,
	round((200000 + 100 * a)::numeric, 2) AS margin_used
	FROM generate_series(0, $DAYS - 1) d, generate_series(0, $POINTS_PER_DAY - 1) p, generate_series(1, $ACCOUNTS) a) TO '$W/equity.csv' WITH (FORMAT csv)"
chmod 644 "$W"/*.csv
say "generated $(wc -l <"$W/events.csv") events, $(wc -l <"$W/equity.csv") equity points in $(secs "$t0" "$(now)") s"

# -- PostgreSQL: plain and pg_partman ---------------------------------------
q "CREATE TABLE ev_plain (ts timestamptz NOT NULL, id bigint NOT NULL, order_id bigint NOT NULL, state text NOT NULL, latency_us bigint, PRIMARY KEY (ts, id));
CREATE INDEX ON ev_plain USING brin (ts); CREATE INDEX ON ev_plain (order_id, ts);
CREATE TABLE eq_plain (ts timestamptz NOT NULL, account_id bigint NOT NULL, equity numeric(18,2), realised numeric(18,2), unrealised numeric(18,2), margin_used numeric(18,2), PRIMARY KEY (account_id, ts));
CREATE INDEX ON eq_plain USING brin (ts);"
partman=yes
if q "CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman" 2>"$W/partman.err"; then
	q "CREATE TABLE ev_part (LIKE ev_plain) PARTITION BY RANGE (ts);
	CREATE TABLE eq_part (LIKE eq_plain) PARTITION BY RANGE (ts);
	SELECT partman.create_parent('public.ev_part', 'ts', 'native', 'daily', p_start_partition := '2026-09-30', p_premake := $DAYS + 2);
	SELECT partman.create_parent('public.eq_part', 'ts', 'native', 'daily', p_start_partition := '2026-09-30', p_premake := $DAYS + 2);
	ALTER TABLE ev_part ADD PRIMARY KEY (ts, id); CREATE INDEX ON ev_part USING brin (ts); CREATE INDEX ON ev_part (order_id, ts);
	ALTER TABLE eq_part ADD PRIMARY KEY (account_id, ts); CREATE INDEX ON eq_part USING brin (ts);" >/dev/null
else
	partman=no
	say "pg_partman: not installed ($(head -1 "$W/partman.err"))"
fi
if q "CREATE EXTENSION timescaledb" 2>"$W/tsdb.err"; then
	say "timescaledb: installed (not measured by this script)"
else
	say "timescaledb: cannot be loaded: $(head -1 "$W/tsdb.err")"
fi

# Server-side times (psql's \timing), not psql's start-up.
tq() { psql "$DSN" -qAtX -c '\timing on' "$@" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'; }
load_pg() {	# TABLE FILE
	t=$(tq -c "COPY $1 FROM '$2' WITH (FORMAT csv)" -c "CHECKPOINT" | paste -sd+ | bc -l)
	n=$(wc -l <"$2")
	say "ingest $1: $n rows in $(printf '%.0f' "$t") ms = $(echo "$n * 1000 / $t" | bc) rows/s (COPY + CHECKPOINT)"
}
load_pg ev_plain "$W/events.csv"
load_pg eq_plain "$W/equity.csv"
if [ $partman = yes ]; then
	load_pg ev_part "$W/events.csv"
	load_pg eq_part "$W/equity.csv"
fi
q "VACUUM ANALYZE" >/dev/null

size_pg() { q "SELECT pg_size_pretty(coalesce((SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('$1')), pg_total_relation_size('$1')))"; }
say "disk ev_plain $(size_pg ev_plain), eq_plain $(size_pg eq_plain)"
[ $partman = yes ] && say "disk ev_part $(size_pg ev_part), eq_part $(size_pg eq_part) ($(q "SELECT count(*) FROM pg_partition_tree('ev_part')") - 1 partitions)"

# The console's queries.  END is the last day of the data.
END="timestamptz '2026-10-01 09:15+05:30' + interval '$DAYS days'"
pg_queries() {	# SUFFIX
	s=$1
	cat <<EOF2
equity-curve-1acct-30d|SELECT date_trunc('hour', ts) h, avg(equity) FROM eq_$s WHERE account_id = 42 AND ts >= $END - interval '30 days' GROUP BY 1 ORDER BY 1
firm-daily-range-30d|SELECT date_trunc('day', ts) d, account_id, min(equity), max(equity) FROM eq_$s WHERE ts >= $END - interval '30 days' GROUP BY 1, 2
sla-latency-7d|SELECT date_trunc('day', ts) d, percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY latency_us) FROM ev_$s WHERE ts >= $END - interval '7 days' AND latency_us IS NOT NULL GROUP BY 1 ORDER BY 1
blotter-last-100|SELECT * FROM ev_$s WHERE ts >= $END - interval '1 hour' ORDER BY ts DESC, id DESC LIMIT 100
one-order|SELECT * FROM ev_$s WHERE order_id = 123457 ORDER BY ts
EOF2
}

time_pg() {	# SUFFIX LABEL
	sh "$top/scripts/pg-temp.sh" stop "$W/pg" fast >/dev/null
	caches=$(drop_caches)
	DSN=$(sh "$top/scripts/pg-temp.sh" start "$W/pg")
	pg_queries "$1" | while IFS='|' read -r name sql; do
		tq -c "$sql" -c "$sql" -c "$sql" -c "$sql" -c "$sql" -c "$sql" >"$W/times"
		cold=$(sed -n 1p "$W/times")
		best=$(sed 1d "$W/times" | sort -g | head -1)
		printf '%-12s %-24s cold %9.1f ms   warm %9.1f ms   (OS cache %s)\n' "$2" "$name" "$cold" "$best" "$caches"
	done
}
time_pg plain pg-plain
[ $partman = yes ] && time_pg part pg-partman

# -- ClickHouse --------------------------------------------------------------
if ! command -v clickhouse-server >/dev/null 2>&1; then
	say "clickhouse: clickhouse-server is not installed"
	exit 0
fi
mkdir -p "$W/ch/data" "$W/ch/tmp" "$W/ch/log"
cat >"$W/ch/config.xml" <<EOF2
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$W/ch/log/server.log</log><errorlog>$W/ch/log/err.log</errorlog></logger>
  <tcp_port>$CH_PORT</tcp_port>
  <http_port>$CH_HTTP</http_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$W/ch/data/</path>
  <tmp_path>$W/ch/tmp/</tmp_path>
  <mark_cache_size>536870912</mark_cache_size>
  <users_config>$W/ch/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
</yandex>
EOF2
cat >"$W/ch/users.xml" <<'EOF2'
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
EOF2
ch_start() {
	clickhouse-server --config-file="$W/ch/config.xml" >"$W/ch/log/stdout" 2>&1 &
	chpid=$!
	i=0
	until clickhouse-client --port "$CH_PORT" -q "SELECT 1" >/dev/null 2>&1; do
		sleep 0.2; i=$((i + 1))
		if [ $i -gt 300 ]; then
			say "clickhouse: the server did not start: $(tail -3 "$W/ch/log/err.log" "$W/ch/log/stdout" 2>/dev/null)"
			exit 0
		fi
	done
	return 0
}
ch() { clickhouse-client --port "$CH_PORT" -q "$1"; }
ch_start
say "clickhouse: $(ch "SELECT version()")"
ch "CREATE TABLE ev (ts DateTime, id UInt64, order_id UInt64, state String, latency_us Nullable(UInt64)) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(ts) ORDER BY (ts, id)"
ch "CREATE TABLE eq (ts DateTime, account_id UInt64, equity Decimal(18,2), realised Decimal(18,2), unrealised Decimal(18,2), margin_used Decimal(18,2)) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(ts) ORDER BY (account_id, ts)"
# PostgreSQL's CSV timestamps carry an offset ClickHouse 18 does not
# parse: strip it (the data are generated in UTC already).
load_ch() {	# TABLE FILE
	sed 's/^\([0-9-]* [0-9:]*\)[.0-9]*+[0-9:]*,/\1,/' "$2" >"$W/ch.csv"
	t=$(clickhouse-client --port "$CH_PORT" --time -q "INSERT INTO $1 FORMAT CSV" <"$W/ch.csv" 2>&1 | tail -1)
	n=$(wc -l <"$2")
	say "ingest clickhouse $1: $n rows in $(echo "$t * 1000" | bc -l | xargs printf '%.0f') ms = $(echo "$n / $t" | bc) rows/s (timestamp rewrite not counted)"
}
PGTZ=UTC
export PGTZ
q "\\copy (SELECT * FROM ev_plain) TO '$W/events_utc.csv' WITH (FORMAT csv)"
q "\\copy (SELECT * FROM eq_plain) TO '$W/equity_utc.csv' WITH (FORMAT csv)"
load_ch ev "$W/events_utc.csv"
load_ch eq "$W/equity_utc.csv"
ch "OPTIMIZE TABLE ev FINAL" || true
ch "OPTIMIZE TABLE eq FINAL" || true
say "disk clickhouse ev $(du -sh "$W/ch/data/data/default/ev" | cut -f1), eq $(du -sh "$W/ch/data/data/default/eq" | cut -f1)"
CEND="toDateTime('2026-10-01 03:45:00') + $DAYS * 86400"
ch_queries() {
	cat <<EOF2
equity-curve-1acct-30d|SELECT toStartOfHour(ts) h, avg(equity) FROM eq WHERE account_id = 42 AND ts >= $CEND - 30 * 86400 GROUP BY h ORDER BY h
firm-daily-range-30d|SELECT toDate(ts) d, account_id, min(equity), max(equity) FROM eq WHERE ts >= $CEND - 30 * 86400 GROUP BY d, account_id
sla-latency-7d|SELECT toDate(ts) d, quantilesExact(0.5, 0.99)(latency_us) FROM ev WHERE ts >= $CEND - 7 * 86400 AND latency_us IS NOT NULL GROUP BY d ORDER BY d
blotter-last-100|SELECT * FROM ev WHERE ts >= $CEND - 3600 ORDER BY ts DESC, id DESC LIMIT 100
one-order|SELECT * FROM ev WHERE order_id = 123457 ORDER BY ts
EOF2
}
ch_stop
caches=$(drop_caches)
ch_start
ch_queries | while IFS='|' read -r name sql; do
	: >"$W/times"
	for i in 1 2 3 4 5 6; do
		clickhouse-client --port "$CH_PORT" --time -q "$sql" 2>>"$W/times" >/dev/null
	done
	cold=$(echo "$(sed -n 1p "$W/times") * 1000" | bc -l)
	best=$(echo "$(sed 1d "$W/times" | sort -g | head -1) * 1000" | bc -l)
	printf '%-12s %-24s cold %9.1f ms   warm %9.1f ms   (OS cache %s)\n' clickhouse "$name" "$cold" "$best" "$caches"
done
t0=$(now); ch "SELECT 1" >/dev/null; say "clickhouse-client start-up and a trivial query: $(ms "$t0" "$(now)") ms"
t0=$(now); q "SELECT 1" >/dev/null; say "psql start-up and a trivial query: $(ms "$t0" "$(now)") ms"
