#!/bin/sh
# phalanx demo seed: usage errors refused before the store is touched; an
# empty store filled with a demo desk whose every part the commands show
# (accounts in groups on three brokers, strategies, connectors and their
# payloads, fan-outs, positions, incidents in each state, alerts, runs,
# equity history); the audit chain intact; a non-empty store refused and
# left as it was; the same seed and clock giving the same store, another
# seed another one.
. "$(dirname "$0")/lib.sh"

export PHALANX_FAKE_NOW=2026-03-05T11:40:00+05:30

run 0 "demo seed --help" "$PHALANX" demo seed --help
has "--accounts N" "the help names the options"
run 2 "demo with no subcommand" "$PHALANX" demo
run 2 "demo with an unknown subcommand" "$PHALANX" demo grow
has 'unknown subcommand "grow"' "and names it"
run 2 "one account is too few" "$PHALANX" demo seed --accounts 1
has 'expected a whole number from 2 to 200' "the range is given"
run 2 "days must be a number" "$PHALANX" demo seed --days 3x
run 2 "an unknown option" "$PHALANX" demo seed --colour
PHALANX_FAKE_NOW=yesterday run 2 "a bad PHALANX_FAKE_NOW" "$PHALANX" demo seed
has 'PHALANX_FAKE_NOW="yesterday"' "the variable and its value are named"

fresh_db
dsn1=$PHALANX_DSN
run 0 "seed an empty store" "$PHALANX" demo seed --seed 42 --days 30
has "6 accounts, 30 days to 2026-03-05 11:40:00 IST" "the summary names what and when"

same "$(sql "select count(*) from brokers")/$(sql "select string_agg(distinct kind, ',' order by kind) from brokers")" "3/kite,paper" "three brokers, kite and paper"
same "$(sql "select count(*) from accounts")" 6 "six accounts"
same "$(sql "select string_agg(distinct tag, ',' order by tag) from account_tags")" "family,hni,scalpers" "in three groups"
same "$(sql "select count(distinct broker_id) from accounts")" 3 "spread over the brokers"
same "$(sql "select count(*) from strategies")/$(sql "select count(*) from connectors")" "2/2" "two strategies, each with a connector"
same "$(sql "select string_agg(scope_name || '=' || template, ',' order by scope_name) from rms_bindings")" \
    "bank-swing=desk-swing,family=desk-family,hni=desk-swing,nifty-momentum=desk-swing,scalpers=desk-swing" \
    "RMS templates bound to the groups and strategies"
same "$(sql "select count(*) from fanouts")" 16 "sixteen fan-outs"
same "$(sql "select count(*) from fanouts where state in ('COMPLETED', 'PARTIAL', 'FAILED')")" 16 "all of them settled"
orders=$(sql "select count(*) from orders")
[ "$orders" -ge 16 ] && ok "$orders orders" || fail "orders" "$orders"
same "$(sql "select count(*) from orders o where (select count(*) from order_events e where e.order_id = o.id) < 2")" 0 \
    "every order has its lifecycle events"
same "$(sql "select count(*) from orders where state = 'FILLED'")" "$(sql "select count(*) from fills")" "one fill per filled order"
same "$(sql "select count(*) > 0 from order_events where latency_us between 35000 and 275000")" t "acks carry latencies"
same "$(sql "select string_agg(distinct state, ',' order by state) from orders")" "DENIED,FILLED,REJECTED" "filled, rejected and denied legs"
same "$(sql "select count(*) from positions where qty <> 0")" 10 "open positions"
same "$(sql "select count(*) from positions p where qty <> (select coalesce(sum(case side when 'BUY' then qty else -qty end), 0) from fills f where f.account_id = p.account_id and f.symbol = p.symbol)")" 0 \
    "each position is what its fills add up to"
same "$(sql "select count(*) from webhook_payloads where reason is null")" 5 "accepted webhook payloads"
same "$(sql "select count(*) from webhook_payloads where reason is not null and duplicate_of is null")" 4 "rejected ones"
same "$(sql "select count(*) from webhook_payloads where duplicate_of is not null")" 2 "duplicates"
same "$(sql "select count(*) from signals s join fanouts f on f.id = s.fanout_id where s.status = 'DONE'")" 5 "each accepted payload's signal made a fan-out"
same "$(sql "select string_agg(state, ',' order by id) from incidents")" "OPEN,ACKNOWLEDGED,RESOLVED,SIGNED_OFF" "an incident in each state"
same "$(sql "select count(*) from incidents i where (select count(*) from incident_events e where e.incident_id = i.id) < 3")" 0 "each with a timeline"
same "$(sql "select count(*) from signoffs")" 1 "the signed-off one has its sign-off"
same "$(sql "select string_agg(d.state, ',' order by n.id) from notifications n join notification_deliveries d on d.notification_id = n.id where n.dead_letter_of is null")" \
    "FAILED,SENT,SENT,SENT" "alerts sent, one failed"
same "$(sql "select string_agg(distinct state, ',' order by state) from runs")" "FAILED,SUCCEEDED" "schedule runs succeeded and failed"
same "$(sql "select count(*) from runs r where (select count(*) from run_logs l where l.run_id = r.id) = 0")" 0 "every run has its log"
same "$(sql "select count(distinct (ts at time zone 'Asia/Kolkata')::date) from equity_points where scope = 'firm'")" 22 \
    "equity on each of the 22 weekdays of 30 days"
same "$(sql "select string_agg(distinct scope, ',' order by scope) from equity_points")" "account,broker,firm,strategy" "for accounts, brokers, strategies and the firm"
same "$(sql "select count(*) from equity_rollups where width = '1d' and scope = 'firm'")" 22 "with their daily rollups"
same "$(sql "select max(ts) from equity_points")" "2026-03-05 06:00:00+00" "up to the seed's now"

run 0 "audit verify" "$PHALANX" -c "audit verify"
has "audit chain intact" "the registry's audit rows chain"
run 0 "incident list" "$PHALANX" -c "incident list"
has "mtm-loss" "the open breach is listed"
has "SIGNED_OFF" "with the signed-off one"
run 0 "run list" "$PHALANX" -c "run list"
has "morning-check" "runs of the schedules"
run 0 "webhook list" "$PHALANX" -c "webhook list"
has "DUPLICATE" "a duplicate payload"
has "MALFORMED" "a rejected one"
run 0 "pnl by account" "$PHALANX" -c "pnl by account"
has "TOTAL" "today's PnL by account"
has "kavya" "every account in it"
run 0 "sla" "$PHALANX" -c "sla"
has "fan-outs 10" "the session's ten fan-outs in the SLA"
run 0 "equity" "$PHALANX" -c "equity range 1m"
has "Equity of the firm" "the firm's curve"
run 0 "alerts" "$PHALANX" -c "alerts"
has "desk-hook:FAILED" "the failed alert"
run 0 "schedule list" "$PHALANX" -c "schedule list"
has "2026-03-05 15:20" "next fires from the frozen clock"

snap() {
	psql "$1" -qAtc "select string_agg(concat_ws('|', client_tag, state,
	    qty, avg_price, created_at), ';' order by id) from orders" &&
	psql "$1" -qAtc "select md5(string_agg(concat_ws('|', ts, scope, name,
	    equity), ';' order by ts, scope, name)) from equity_points" &&
	psql "$1" -qAtc "select string_agg(concat_ws('|', opened_at, state,
	    scope_name), ';' order by id) from incidents"
}
first=$(snap "$dsn1")

count=$(sql "select count(*) from orders")
run 1 "a second seed is refused" "$PHALANX" demo seed
has "the store is not empty (3 brokers, 6 accounts" "it says what the store holds"
same "$(sql "select count(*) from orders")/$(sql "select count(*) from accounts")" "$count/6" "and changes nothing"

PHALANX_DSN=$(echo "$dsn1" | sed 's/dbname=\([^ ]*\)/dbname=\1_b/')
psql "$PHALANX_TEST_DSN" -qAtc "drop database if exists $(echo "$PHALANX_DSN" | sed 's/.*dbname=\([^ ]*\).*/\1/')" >/dev/null 2>&1
psql "$PHALANX_TEST_DSN" -qAtc "create database $(echo "$PHALANX_DSN" | sed 's/.*dbname=\([^ ]*\).*/\1/')" >/dev/null
run 0 "the same seed into another store" "$PHALANX" demo seed --seed 42 --days 30
same "$(snap "$PHALANX_DSN")" "$first" "the same seed and clock give the same orders, equity and incidents"

fresh_db
run 0 "another seed, more accounts, fewer days" "$PHALANX" demo seed --seed 7 --accounts 25 --days 3
same "$(sql "select count(*) from accounts")" 25 "25 accounts"
[ "$(snap "$PHALANX_DSN")" != "$first" ] && ok "another seed gives another history" ||
	fail "another seed gives another history"
same "$(sql "select count(distinct (ts at time zone 'Asia/Kolkata')::date) from equity_points")" 3 "three days of equity (Tue-Thu)"
finish
