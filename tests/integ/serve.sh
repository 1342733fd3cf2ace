#!/bin/sh
# phalanx serve: broker postbacks from phalanx sim become order events,
# forged and malformed ones are refused, duplicates ignored; /healthz and
# /metrics answer.
. "$(dirname "$0")/lib.sh"
fresh_db

start_serve -o exec.mtm_ms=300
ok "serve listens on $sport"

start_sim --users 2 --seed 9 --tick-ms 20 --postback-url "$sbase/postback/kite"
trap 'kill $simpid $servepid 2>/dev/null' EXIT INT TERM
{
	echo "broker add sim kind kite url $simbase api-key k"
	for n in 1 2; do
		echo "account add p$n broker sim user-id $(sim_user $n user_id) api-key $(sim_user $n api_key) access-token $(sim_user $n access_token) api-secret $(sim_user $n api_secret)"
	done
} >"$TMPDIR/reg.phx"
run 0 "accounts with api secrets" "$PHALANX" batch "$TMPDIR/reg.phx"
same "$(sql "select count(*) from credentials where kind = 'api_secret' and account_id is not null")" 2 \
	"account api secrets stored encrypted"
run 0 "instruments load" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")

# No watching: whatever says FILLED must have come by postback.
run 0 "buy without watching" "$PHALANX" -o exec.settle_ms=0 -c "buy $FUT 1 lots to all"
i=0
while [ "$(sql "select count(*) from order_events where state = 'FILLED'")" != 2 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
n=$(sql "select count(*) from order_events where state = 'FILLED'")
[ "$n" = 2 ] && ok "postbacks became FILLED events" ||
	fail "postbacks became FILLED events: $n, wanted 2" "$(sql "select o.id || ' ' || o.state || ': ' || coalesce(string_agg(e.state, ',' order by e.id), '') from orders o left join order_events e on e.order_id = o.id group by o.id order by o.id")
$(sql "select broker_order_id || ' ' || status || ' ' || verdict from postbacks_seen" 2>&1 | tail -5)
$(tail -20 "$TMPDIR/serve.err")"
# A postback can beat the sender's leg rows: serve then writes them from
# the intent; the fan-out's audit row is still written once.
same "$(sql "select count(*) from audit_log where action = 'fanout.order' group by object having count(*) > 1")" "" \
	"one audit row per fan-out, whoever wrote its orders"

# Positions the daemon marks to market from the simulator's quotes.
run 0 "buy with watching" "$PHALANX" -c "buy $FUT 1 lots to acct:p1"
i=0
while [ -z "$(sql "select last_price from positions where qty <> 0 and last_price is not null")" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -n "$(sql "select last_price from positions where qty <> 0 and last_price is not null")" ] &&
	ok "open positions are marked to market" || fail "open positions are marked to market"

out=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{"order_id":"1","status":"COMPLETE","order_timestamp":"2026-11-25 10:00:00","checksum":"00","user_id":"SIM001"}' "$sbase/postback/kite")
same "$out" 403 "a forged postback is refused (403)"
out=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d 'not json' "$sbase/postback/kite")
same "$out" 400 "a malformed postback is refused (400)"
out=$(curl -s "$sbase/healthz")
has '"status":"ok"' "healthz says ok"
out=$(curl -s "$sbase/metrics")
acc=$(echo "$out" | sed -n 's/^phalanx_postbacks_total{result="accepted"} //p')
[ "${acc:-0}" -ge 2 ] && ok "metrics count the accepted postbacks ($acc)" || fail "metrics count the accepted postbacks" "$out"
has 'phalanx_postbacks_total{result="refused"} 2' "metrics count the refused ones"
has 'phalanx_store_up 1' "metrics say the store is up"
echo "$out" | promtool check metrics >/dev/null 2>&1 && ok "promtool check metrics" || fail "promtool check metrics"
has '# TYPE phalanx_order_ack_seconds histogram' "ack latency is exported as a histogram"
kill "$servepid"
wait "$servepid"
same "$?" 0 "serve stops cleanly on SIGTERM"
finish
