#!/bin/sh
# pg_partman keeps the equity partitions where it is installed (Debian's
# postgresql-15-partman, scripts/deps.sh): the first upkeep hands the
# table over (phalanx's day partitions renamed to partman's, the rows
# waiting in the default partition moved into theirs, no point lost or
# counted twice in the rollups), later ones run partman's maintenance
# with phalanx's retention.  Without the extension phalanx keeps them
# itself (analytics_book.sh).
. "$(dirname "$0")/lib.sh"
fresh_db
run 0 "migrate" "$PHALANX" db migrate
sql "CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman" >/dev/null 2>"$TMPDIR/ext.err" ||
	{ fail "CREATE EXTENSION pg_partman (postgresql-15-partman, scripts/deps.sh)" "$(cat "$TMPDIR/ext.err")"; finish; exit 1; }
ok "pg_partman $(sql "select extversion from pg_extension where extname = 'pg_partman'") on the test cluster"
same "$(sql "select phalanx_equity_storage()")" partitioned "native partitions"
today=$(date -u +%Y%m%d)
same "$(sql "select count(*) from pg_class where relname = 'equity_points_p$today'")" 1 "phalanx made today's partition at migration"

# Points 20 days back and 6 days ahead: no partition for either, so they
# wait in the default partition.  Each inserted point reached its rollups.
pt() { echo "('$1', 'firm', 'firm', $2, 0, 0, 0, 'manual')"; }
old=$(date -u -d '20 days ago' +%Y-%m-%dT12:00Z)
ahead=$(date -u -d '6 days' +%Y-%m-%dT12:00Z)
sql "insert into equity_points (ts, scope, name, equity, realised, unrealised, margin_used, reason) values
 $(pt "$old" 100), $(pt "$ahead" 200), $(pt "$(date -u +%Y-%m-%dT%H:%M:%SZ)" 300)" >/dev/null
same "$(sql "select count(*) from equity_points_default")" 2 "two points wait in the default partition"
same "$(sql "select sum(n) from equity_rollups where width = '1m' and scope = 'firm'")" 3 "three points rolled up"

out=$(sql "select action || ' ' || object from phalanx_equity_maintain(30)")
has "handed to pg_partman equity_points" "the first upkeep hands the table to pg_partman"
has "kept by pg_partman" "and says who keeps it"
same "$(sql "select partition_type || ' ' || partition_interval || ' ' || retention from partman.part_config where parent_table = 'public.equity_points'")" \
	"native 1 day 30 days" "partman's config: daily, phalanx's retention"
same "$(sql "select count(*) from pg_class where relname ~ '^equity_points_p[0-9]{8}$'")" 0 "phalanx's partition names are gone"
same "$(sql "select count(*) from pg_class where relname = 'equity_points_p$(date -u +%Y_%m_%d)'")" 1 "today's partition under partman's name"
oldp=equity_points_p$(date -u -d '20 days ago' +%Y_%m_%d)
aheadp=equity_points_p$(date -u -d '6 days' +%Y_%m_%d)
same "$(sql "select count(*) from equity_points_default")" 0 "the default partition is empty"
same "$(sql "select count(*) from $oldp") $(sql "select count(*) from $aheadp")" "1 1" \
	"the waiting points are in partitions of their days"
same "$(sql "select count(*) from equity_points")" 3 "no point lost"
same "$(sql "select sum(n) from equity_rollups where width = '1m' and scope = 'firm'")" 3 "none counted twice in the rollups"
same "$(sql "select count(*) from pg_class where relname = 'equity_points_p$(date -u -d '2 days' +%Y_%m_%d)'")" 1 \
	"partman made the partitions ahead"

# New points go where partman put the partitions; a snapshot still works.
same "$(sql "select phalanx_equity_snapshot('manual') > 0")" t "a snapshot after the hand-over"
same "$(sql "select count(*) from equity_points_default")" 0 "and lands in today's partition"

# Retention: 10 days drops the partition 20 days back, through partman.
out=$(sql "select action || ' ' || object from phalanx_equity_maintain(10)")
has "kept by pg_partman" "later upkeep: partman's maintenance"
has "dropped $oldp" "past the retention partman drops the partition"
hasnt "handed to" "the hand-over happens once"
same "$(sql "select retention from partman.part_config where parent_table = 'public.equity_points'")" "10 days" \
	"the retention follows phalanx's setting"
same "$(sql "select count(*) from pg_class where relname = '$oldp'")" 0 "the old partition is gone"
same "$(sql "select count(*) from equity_points")" 3 "the rest kept (today's two, the one ahead)"

# Through phalanx itself: the snapshot owner's upkeep (serve) runs it.
"$PHALANX" -o analytics.snapshot_s=1 -o analytics.retention_days=7 serve --listen 127.0.0.1:0 \
	>"$TMPDIR/serve.out" 2>"$TMPDIR/serve.err" &
servepid=$!
trap 'kill $servepid 2>/dev/null' EXIT INT TERM
i=0
while [ $i -lt 100 ] && [ "$(sql "select retention from partman.part_config where parent_table = 'public.equity_points'")" != "7 days" ]; do
	sleep 0.2
	i=$((i + 1))
done
same "$(sql "select retention from partman.part_config where parent_table = 'public.equity_points'")" "7 days" \
	"serve's upkeep hands analytics.retention_days to partman"
kill $servepid
wait $servepid 2>/dev/null
finish
