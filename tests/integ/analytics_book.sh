#!/bin/sh
# equity, pnl, exposure and sla against a seeded phalanx sim session with
# known trades: every figure is recomputed here, independently, from the
# orders the store recorded (python3, average cost per contract; charges
# from the published rates), and the rollups equal the raw points.
. "$(dirname "$0")/lib.sh"
fresh_db
start_sim --users 2 --seed 23 --tick-ms 0 --fill-lots 100 --cash 100000000

run 0 "registry" "$PHALANX" batch - <<EOF2
broker add sim kind kite url $simbase api-key $(sim_user 1 api_key)
account add k1 broker sim user-id $(sim_user 1 user_id) capital 500000 tags desk api-key $(sim_user 1 api_key) access-token $(sim_user 1 access_token)
account add k2 broker sim user-id $(sim_user 2 user_id) capital 300000 tags desk api-key $(sim_user 2 api_key) access-token $(sim_user 2 access_token)
instruments load exchange NFO
EOF2
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
tick() { curl -s -X POST "$simbase/sim/tick" >/dev/null; }

# The session: open, move the market, add, close part, close the rest.
run 0 "buy 2 lots" "$PHALANX" -c "buy $FUT 2 lots to all tag scalp"
tick; tick; tick
run 0 "buy 1 more in k1" "$PHALANX" -c "buy $FUT 1 lots to acct:k1 tag scalp"
tick; tick
run 0 "sell 2 lots" "$PHALANX" -c "sell $FUT 2 lots to all tag swing"
tick; tick; tick; tick
run 0 "sell 1 in k2 (goes short)" "$PHALANX" -c "sell $FUT 1 lots to acct:k2 tag swing"
filled=$(sql "select count(*) from orders where state = 'FILLED'")
same "$filled" 6 "six orders filled"

# The orders as the store has them, oldest first: the test's own ledger.
sql "select a.name, b.name, coalesce('tag:' || f.tag, 'untagged'), o.side, o.filled_qty, o.avg_price, o.product, o.id from orders o join accounts a on a.id = o.account_id join brokers b on b.id = a.broker_id left join fanouts f on f.id = o.fanout_id where o.filled_qty > 0 order by (select min(ts) from order_events e where e.order_id = o.id and e.state in ('FILLED', 'PARTIALLY_FILLED')), o.id" >"$TMPDIR/ledger"
cat >"$TMPDIR/pnl.py" <<'EOF3'
import sys, json
by = sys.argv[1]
got = json.load(open(sys.argv[2]))["data"]
rows = [l.split("|") for l in open(sys.argv[3]).read().split("\n") if l]
pos = {}
out = {}
charges = {}
for acct, brk, strat, side, qty, px, prod, oid in rows:
    qty = int(qty); px = float(px)
    g = {"account": acct, "broker": brk, "strategy": strat}[by]
    k = (strat if by == "strategy" else "", acct)
    q, a = pos.get(k, (0, 0.0))
    s = qty if side == "BUY" else -qty
    r = 0.0
    if q == 0 or (q > 0) == (s > 0):
        a = (a * abs(q) + px * abs(s)) / (abs(q) + abs(s))
    else:
        r = round((px - a) * min(abs(q), abs(s)) * (1 if q > 0 else -1), 2)
        a = px if abs(s) > abs(q) else (0 if abs(s) == abs(q) else a)
    pos[k] = (q + s, a)
    out[g] = out.get(g, 0.0) + r
    t = qty * px
    c = min(20, t * 0.0003)
    exch = t * 0.0000173
    sebi = t * 0.000001
    stt = 0 if side == "BUY" else t * 0.0002
    stamp = t * 0.00002 if side == "BUY" else 0
    gst = (round(c, 2) + round(exch, 2) + round(sebi, 2)) * 0.18
    charges[g] = charges.get(g, 0.0) + sum(round(x, 2) for x in (c, exch, sebi, stt, stamp, gst))
ok = True
for row in got["rows"]:
    g = row[by]
    if abs(row["realised"] - out.get(g, 0)) > 0.011 or abs(row["charges"] - charges.get(g, 0)) > 0.02:
        ok = False
        print("mismatch", g, row["realised"], out.get(g), row["charges"], charges.get(g), file=sys.stderr)
print(ok and len(got["rows"]) == len(out), sorted(out) == sorted(r[by] for r in got["rows"]))
EOF3
for by in account broker strategy; do
	run 0 "pnl by $by" "$PHALANX" --json -c "pnl by $by"
	printf '%s' "$out" >"$TMPDIR/pnl.json"
	same "$(python3 "$TMPDIR/pnl.py" $by "$TMPDIR/pnl.json" "$TMPDIR/ledger")" "True True" \
		"pnl by $by: realised and charges as computed here"
done
run 0 "pnl by account" "$PHALANX" --json -c "pnl by account"
same "$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)["data"]
print(" ".join("%s=%.2f" % (r["account"], r["realised"]) for r in d["rows"]))')" \
	"$(sql "select string_agg(a.name || '=' || to_char(sum_r, 'FM999999990.00'), ' ' order by a.name) from (select account_id, sum(realised_pnl) as sum_r from positions group by account_id) p join accounts a on a.id = p.account_id")" \
	"realised by account equals the positions table's"
run 0 "pnl by day as text" "$PHALANX" -c "pnl by day"
has "$(TZ=Asia/Kolkata date +%F)" "today's row"
has "TOTAL" "a total"
has "charges: estimated" "says charges are estimates"
run 0 "pnl of one account" "$PHALANX" --json -c "pnl acct:k2"
same "$(printf '%s' "$out" | python3 -c 'import json,sys; print([r["account"] for r in json.load(sys.stdin)["data"]["rows"]])')" "['k2']" "a target narrows the rows"
run 0 "pnl of an empty period" "$PHALANX" --json -c "pnl from 2020-01-01 to 2020-01-31"
has '"rows":[]' "no rows"
run 2 "a reversed period" "$PHALANX" -c "pnl from 2026-02-01 to 2026-01-01"
has "ends (2026-01-01) before it starts" "says so"
run 2 "half a period" "$PHALANX" -c "pnl from 2026-02-01"

# -- equity: one point per fill for the account, its broker and the firm --
n=$(sql "select count(*) from equity_points where reason = 'fill' and scope = 'account'")
same "$n" "$(sql "select count(*) from orders where filled_qty > 0")" "an account point at every fill"
run 0 "equity of k1" "$PHALANX" --json -c "equity acct:k1"
same "$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)["data"]
print(d["scope"], d["series"], "%.2f" % d["last"])')" \
	"account ['k1'] $(sql "select 500000 + sum(realised_pnl) + sum(unrealised_pnl) filter (where qty <> 0) from positions p join accounts a on a.id = p.account_id where a.name = 'k1'")" \
	"last equity = capital + realised + unrealised"
run 0 "equity of the firm" "$PHALANX" --json -c "equity"
printf '%s' "$out" >"$TMPDIR/eq.json"
same "$(python3 - "$TMPDIR/eq.json" <<'EOF3'
import json, sys
d = json.load(open(sys.argv[1]))["data"]
y = [p["equity"] for p in d["points"]]
peak, best, pk, tr = y[0], 0.0, 0, 0
for i, v in enumerate(y):
    if v > y[pk if best == 0 else pk]:
        pass
# independent max drawdown: max over i<j of y[i] - y[j]
dd = max([0.0] + [y[i] - y[j] for i in range(len(y)) for j in range(i + 1, len(y))])
m = d["max_drawdown"]
print(d["scope"], abs(m["amount"] - dd) < 0.005, len(y) > 0)
EOF3
)" "firm True True" "max drawdown as computed here"
run 0 "equity as text" "$PHALANX" -c "equity group:desk 1w"
has "Equity of group desk (2 accounts), 1w" "the group, two accounts"
run 0 "a group is the sum of its accounts" "$PHALANX" --json -c "equity group:desk"
same "$(printf '%s' "$out" | python3 -c 'import json,sys; print("%.2f" % json.load(sys.stdin)["data"]["last"])')" \
	"$(sql "select sum(equity) from equity_now")" "the group's last point is both accounts' equity"
has '"scope":"group","series":["desk"]' "read from the group's own series"
# The group's points were written by the fill snapshots, in the same
# statement as the firm's: both accounts are tagged desk, so each group
# point equals the firm's point of that snapshot.
same "$(sql "select count(*) > 0 from equity_points where scope = 'group' and name = 'desk'")" t "the snapshots wrote group points"
same "$(sql "select count(*) from equity_points g left join equity_points f on f.scope = 'firm' and f.ts = g.ts and f.equity = g.equity and f.realised = g.realised and f.unrealised = g.unrealised where g.scope = 'group' and g.name = 'desk' and f.ts is null")" 0 \
	"every group point is its accounts' sum (the firm's point of the same snapshot)"
same "$(sql "select count(*) from equity_rollups where scope = 'group' and name = 'desk' and width = '1m'")" \
	"$(sql "select count(distinct date_trunc('minute', ts)) from equity_points where scope = 'group' and name = 'desk'")" "and rolled up like the others"
# The backfill a group gets at migration (its accounts' rollups summed,
# carried forward) gives the curve the accounts' own series give.
sql "delete from equity_rollups where scope = 'group' and name = 'desk'; select phalanx_group_backfill('desk')" >/dev/null
pts() { "$PHALANX" --json -c "equity $1 range 1w" | python3 -c 'import json,sys; print([(p["t"], round(p["equity"], 2)) for p in json.load(sys.stdin)["data"]["points"]])'; }
same "$(pts group:desk)" "$(pts acct:k1,acct:k2)" "backfilled: the group's curve is its accounts' summed"
# Back to the rollups of the group's own points, for the checks below.
sql "delete from equity_rollups where scope = 'group' and name = 'desk';
DO \$\$ BEGIN CREATE TEMP TABLE px_g AS SELECT * FROM equity_points WHERE scope = 'group' AND name = 'desk';
EXECUTE phalanx_equity_rollup_sql('px_g'); END \$\$" >/dev/null
# A tag with no points of its own yet: its accounts, summed.
run 0 "a new tag" "$PHALANX" -c "account tag k2 +solo"
run 0 "equity of a group with no points yet" "$PHALANX" --json -c "equity group:solo"
has '"scope":"account","series":["k2"]' "falls back to its accounts' series"
run 0 "equity of a broker" "$PHALANX" --json -c "equity broker sim range all"
has '"scope":"broker","series":["sim"]' "by broker"
run 2 "two series at once" "$PHALANX" -c "equity acct:k1 broker sim"

# -- the timed snapshot and the rollups ----------------------------------
same "$(sql "select count(*) from equity_points where reason = 'timer'")" 0 "batch runs take no timed snapshots"
"$PHALANX" -o analytics.snapshot_s=1 serve --listen 127.0.0.1:0 >"$TMPDIR/serve.out" 2>&1 &
servepid=$!
i=0
while [ $i -lt 50 ] && [ "$(sql "select count(distinct ts) from equity_points where reason = 'timer'")" -lt 2 ]; do
	sleep 0.2
	i=$((i + 1))
done
same "$(sql "select count(distinct ts) >= 2 from equity_points where reason = 'timer'")" t "phalanx serve snapshots every analytics.snapshot_s"
same "$(sql "select phalanx_lock_held(1885893240, 21)")" t "holding the snapshot duty"
kill $servepid
wait $servepid 2>/dev/null
same "$(sql "select phalanx_lock_held(1885893240, 21)")" f "and dropping it when it ends"
same "$(sql "select count(*) from equity_points where scope = 'strategy' and reason = 'timer' group by ts limit 1")" 2 "a timed snapshot has every strategy: tags scalp and swing"
run 0 "equity of a tag" "$PHALANX" --json -c "equity strategy tag:scalp"
same "$(printf '%s' "$out" | python3 -c 'import json,sys; d = json.load(sys.stdin)["data"]; print(d["series"], "%.2f" % d["last"])')" \
	"['tag:scalp'] $(sql "select equity from equity_points where scope = 'strategy' and name = 'tag:scalp' order by ts desc limit 1")" \
	"by fan-out tag: the tag's last stored point (the view moves on with each mark)"
for w in 1m 15m 1d; do
	same "$(sql "select count(*) from (select scope, name, phalanx_bucket('$w', ts) b, count(*) n, min(equity) lo, max(equity) hi, sum(equity) s, (array_agg(equity order by ts desc))[1] l from equity_points group by 1, 2, 3) raw full join (select * from equity_rollups where width = '$w') r on r.scope = raw.scope and r.name = raw.name and r.bucket = raw.b where raw.n is distinct from r.n or raw.lo <> r.min_equity or raw.hi <> r.max_equity or raw.s <> r.sum_equity or raw.l <> r.last_equity")" 0 \
		"$w rollups equal the raw aggregates"
done

# -- partitions and retention --------------------------------------------
same "$(sql "select phalanx_equity_storage()")" partitioned "native partitions (no TimescaleDB here)"
today=$(date -u +%Y%m%d)
same "$(sql "select count(*) from pg_class where relname = 'equity_points_p$today'")" 1 "today's partition exists"
sql "insert into equity_points (ts, scope, name, equity, realised, unrealised, margin_used, reason) values (now() - interval '20 days', 'firm', 'firm', 1, 0, 0, 0, 'manual'), (now() + interval '9 days', 'firm', 'firm', 2, 0, 0, 0, 'manual')" >/dev/null
same "$(sql "select count(*) from equity_points_default")" 2 "rows of days not made yet wait in the default partition"
sql "select * from phalanx_equity_maintain(30)" >/dev/null
old=$(date -u -d '20 days ago' +%Y%m%d)
ahead=$(date -u -d '9 days' +%Y%m%d)
same "$(sql "select count(*) from equity_points_default")" 0 "maintenance moves them into their days"
same "$(sql "select count(*) from pg_class where relname in ('equity_points_p$old', 'equity_points_p$ahead')")" 2 "partitions for both days"
same "$(sql "select n from equity_rollups where width = '1d' and scope = 'firm' and bucket = phalanx_bucket('1d', now() + interval '9 days')")" 1 "moved rows are not counted twice"
sql "select * from phalanx_equity_maintain(10)" >/dev/null
same "$(sql "select count(*) from pg_class where relname = 'equity_points_p$old'")" 0 "past the retention the partition is dropped"
same "$(sql "select count(*) from pg_class where relname = 'equity_points_p$today'")" 1 "today's stays"

# -- exposure: account x underlying ---------------------------------------
run 0 "exposure" "$PHALANX" --json -c "exposure"
same "$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)["data"]
print(" ".join("%s:%s:%g:%g" % (c["account"], c["underlying"], c["lots"], c["delta"]) for c in sorted(d["cells"], key=lambda c: c["account"])))')" \
	"$(sql "select string_agg(a.name || ':NIFTY:' || (p.qty / i.lot_size)::text || ':' || p.qty::text, ' ' order by a.name) from positions p join accounts a on a.id = p.account_id join instruments i on i.exchange = p.exchange and i.tradingsymbol = p.symbol where p.qty <> 0")" \
	"net lots and delta per account and underlying"
run 0 "exposure as text, sorted" "$PHALANX" -c "exposure show notional sort notional"
has "ACCOUNT" "a heatmap table"
has "NIFTY" "the underlying's column"

# -- sla ------------------------------------------------------------------
run 0 "sla" "$PHALANX" --json -o analytics.sla_ack_ms=100000 -c "sla"
printf '%s' "$out" >"$TMPDIR/sla.json"
same "$(python3 - "$TMPDIR/sla.json" <<'EOF3'
import json, sys
d = json.load(open(sys.argv[1]))["data"]
b = [r for r in d["rows"] if r["scope"] == "broker"][0]
a = {r["name"]: r for r in d["rows"] if r["scope"] == "account"}
print(b["orders"], a["k1"]["orders"] + a["k2"]["orders"], b["within_sla"] == b["acked"],
      b["p50_us"] <= b["p90_us"] <= b["p99_us"], d["fanouts"]["fanouts"], d["fanouts"]["completion_pct"])
EOF3
)" "6 6 True True 4 100.0" "orders per broker and account, percentiles ordered, all fan-outs completed"
same "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["data"]
print([r["p50_us"] for r in d["rows"] if r["scope"] == "broker"][0])' "$TMPDIR/sla.json")" \
	"$(sql "select percentile_disc(0.5) within group (order by l) from (select distinct on (e.order_id) e.latency_us l from order_events e where e.latency_us is not null order by e.order_id, e.ts) x")" \
	"p50 ack latency as the events give it"
run 0 "sla as text" "$PHALANX" -o analytics.sla_ack_ms=1 -c "sla days 2"
has "ack within 1 ms" "names the SLA"
has "fan-outs 4: completed 4" "fan-out completion"
run 2 "days and a period" "$PHALANX" -c "sla days 2 from 2026-01-01 to 2026-01-02"
# -- fills in one transaction: a point per fill, one per scope at commit --
# (0033) Two fills in one transaction (the events writer applies a batch
# so) give two account points and one broker, group and firm point, at
# the commit's state; before, every fill wrote all of them, firm-wide.
sql "begin;
update positions set qty = qty + 1, realised_pnl = realised_pnl + 10 where account_id = (select id from accounts where name = 'k1');
update positions set qty = qty - 1, realised_pnl = realised_pnl - 4 where account_id = (select id from accounts where name = 'k2');
commit" >/dev/null
same "$(sql "select string_agg(scope || '=' || n, ' ' order by scope) from (select scope, count(*) n from equity_points where reason = 'fill' and ts = (select max(ts) from equity_points where reason = 'fill') group by scope) x")" \
	"account=2 broker=1 firm=1 group=2" "two fills in one transaction: two account points, one for the broker, each group (desk, solo) and the firm"
same "$(sql "select equity from equity_points where scope = 'firm' and reason = 'fill' order by ts desc limit 1")" \
	"$(sql "select sum(equity)::numeric(18,2) from equity_now")" "the firm's point is the state at commit"
same "$(sql "select count(*) from equity_points where scope = 'firm' and ts = (select max(ts) from equity_points where scope = 'account' and reason = 'fill')")" 1 \
	"at the transaction's time"
# A due list that is not one (set by hand) costs the aggregate points a
# warning, never the fills' commit.
before=$(sql "select sum(qty) from positions")
sql "begin;
update positions set qty = qty + 1 where account_id = (select id from accounts where name = 'k1');
select set_config('phalanx.equity_due', 'not-a-list', true);
commit" >/dev/null 2>"$TMPDIR/due.err"
same "$(sql "select sum(qty) from positions")" "$((before + 1))" "a garbled due list: the fill is committed all the same"
out=$(cat "$TMPDIR/due.err")
has "equity snapshot at a fill" "and the store warned"
finish
