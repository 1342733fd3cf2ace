#!/bin/sh
# The webhook replay suite: the payloads of tests/fixtures/webhooks/, as
# TradingView, Amibroker, MT4/MT5, Excel, Chartink and a custom sender emit
# them, posted with curl to phalanx serve against phalanx sim; checked
# against the signals and fan-outs they must become.  Wrong tokens,
# malformed, oversized, too fast, duplicate, disabled, out-of-window and
# not-allowed requests are refused with the right status and run nothing.
# A daemon killed (-9) with signals queued and one in flight loses none
# and sends none twice.
. "$(dirname "$0")/lib.sh"
fresh_db
fx="$PHALANX_SRCDIR/tests/fixtures/webhooks"

start_sim --users 2 --seed 12 --tick-ms 20 --cash 1000000000 --rate-limit 64
{
	echo "broker add sim kind kite url $simbase api-key k"
	for n in 1 2; do
		echo "account add p$n broker sim user-id $(sim_user $n user_id) api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
	done
} >"$TMPDIR/reg.phx"
run 0 "accounts" "$PHALANX" batch "$TMPDIR/reg.phx"
run 0 "instruments NFO" "$PHALANX" -c "instruments load exchange NFO"
run 0 "instruments NSE" "$PHALANX" -c "instruments load exchange NSE"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
[ -n "$FUT" ] && ok "a NIFTY future to trade: $FUT" || fail "a NIFTY future"

# IST now, for a window that is surely closed.
h=$(TZ=Asia/Kolkata date +%H)
h=${h#0}
closed_from=$(printf '%02d:00' $(( (h + 2) % 24 )))
closed_to=$(printf '%02d:00' $(( (h + 3) % 24 )))

cat >"$TMPDIR/setup.phx" <<EOF
strategy add trend target all policy fixed product nrml
strategy add scalp target acct:p1 product mis
strategy add sync target acct:p2 product nrml
strategy add slow target acct:p1 product nrml
connector add tv dialect tradingview strategy trend token tv-secret-0001
connector add tvsync dialect tradingview strategy sync token sync-secret-02 --position-sync
connector add tvonly dialect tradingview strategy trend token ip-secret-0003 allow tradingview
connector add ami dialect amibroker strategy scalp token ami-secret-04
connector add mt dialect mt strategy scalp token mt-secret-0005 symbol-map NIFTY_FUT=NFO:$FUT
connector add xl dialect excel strategy scalp token xl-secret-0006
connector add ck dialect chartink strategy scalp token ck-secret-0007 action buy qty 1
connector add cu dialect custom strategy scalp token cu-secret-0008 map token=/auth/key,action=/order/side,symbol=/order/instrument/name,exchange=/order/instrument/venue,qty=/order/lots,id=/meta/uid
connector add lim dialect tradingview strategy trend token lim-secret-09 limit 1/s
connector add small dialect tradingview strategy trend token small-secret-10 body-limit 128
connector add closed dialect tradingview strategy trend token closed-secret-11 window $closed_from-$closed_to
connector add off dialect tradingview strategy trend token off-secret-0012
connector disable off
EOF
run 0 "strategies and connectors" "$PHALANX" batch "$TMPDIR/setup.phx"
has "POST /hook/tv" "connector add says where to post"
hasnt "tv-secret-0001" "connector add does not echo the token"
same "$(sql "select count(*) from connectors where token_enc like 'v1:%'")" 12 "tokens are stored encrypted"
same "$(sql "select count(*) from connectors where token_enc like '%secret%'")" 0 "no token stored in the clear"
run 2 "a custom connector needs a map" "$PHALANX" -c "connector add bad dialect custom strategy trend token abcdefgh"
has "needs \"map FIELD=POINTER" "the custom map is required"
run 1 "a connector of an unknown strategy" "$PHALANX" -c "connector add x dialect mt strategy nosuch token abcdefgh"
has "no strategy nosuch" "the strategy must exist"
run 2 "a bad allow list" "$PHALANX" -c "connector add x dialect mt strategy trend token abcdefgh allow 300.1.1.1"
run 2 "a bad window" "$PHALANX" -c "connector add x dialect mt strategy trend token abcdefgh window 25:00-26:00"
out=$("$PHALANX" -c "connector list" 2>&1)
has "tradingview" "connector list shows the dialects"
hasnt "secret" "connector list shows no token"
out=$("$PHALANX" --json -c "connector show tv" 2>&1)
hasnt "tv-secret-0001" "connector show --json shows no token"

start_serve -o hook.poll_ms=100 -o hook.dedupe_s=3600
ok "serve listens"
hook="http://127.0.0.1:$sport/hook"

# fixture FILE TOKEN: the payload with its placeholders filled in.
fixture() {
	sed -e "s/@TOKEN@/$2/g" -e "s/@FUT@/$FUT/g" "$fx/$1"
}
# post PATH FILE TOKEN [CONTENT-TYPE]: code in $code, body in $out.
post() {
	fixture "$2" "$3" >"$TMPDIR/body"
	out=$(curl -s -w '\n%{http_code}' -X POST -H "Content-Type: ${4:-application/json}" \
		--data-binary @"$TMPDIR/body" "$hook/$1")
	code=$(echo "$out" | tail -n 1)
	out=$(echo "$out" | sed '$d')
}
get() {
	out=$(curl -s -w '\n%{http_code}' "$hook/$1?$(fixture "$2" "$3")")
	code=$(echo "$out" | tail -n 1)
	out=$(echo "$out" | sed '$d')
}
# wait_signals N: until N signals are finished (DONE FAILED REJECTED).
wait_signals() {
	i=0
	while [ "$(sql "select count(*) from signals where status not in ('RECEIVED', 'QUEUED', 'EXECUTING')")" -lt "$1" ] && [ $i -lt 150 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
payload_of() {
	echo "$out" | sed -n 's/.*"payload":\([0-9]*\).*/\1/p'
}

# --- every dialect, as its sender emits it -----------------------------
post tv tradingview/strategy_alert.json tv-secret-0001
same "$code" 200 "TradingView JSON alert accepted (200)"
has '"status":"queued"' "it is queued"
p_tv=$(payload_of)
post tv tradingview/nested.json tv-secret-0001
same "$code" 200 "TradingView nested strategy.order.* accepted"
post "tv?token=tv-secret-0001" tradingview/plain.txt x text/plain
same "$code" 200 "TradingView plain-text command accepted (token in the query)"
post ami/ami-secret-04 amibroker/post.form x application/x-www-form-urlencoded
same "$code" 200 "Amibroker form POST accepted (token in the path)"
get ami amibroker/get.query ami-secret-04
same "$code" 200 "Amibroker GET accepted"
post mt mt/mt5.json mt-secret-0005
same "$code" 200 "MT5 WebRequest JSON accepted"
post mt mt/mt4.form mt-secret-0005 application/x-www-form-urlencoded
same "$code" 200 "MT4 WebRequest form accepted"
get xl/xl-secret-0006 excel/get.query x
same "$code" 200 "Excel WEBSERVICE GET accepted"
case "$out" in "OK payload "*" queued") ok "Excel gets one short plain line" ;;
	*) fail "Excel gets one short plain line" "$out" ;; esac
post "ck?token=ck-secret-0007" chartink/scan.json x
same "$code" 200 "Chartink scan accepted"
has '3 signal(s) queued' "one signal per stock"
post cu custom/order.json cu-secret-0008
same "$code" 200 "custom JSON-pointer payload accepted"

wait_signals 12
# A dozen signals within a second: the RMS guard's orders-per-sec (10 by
# default, the SEBI threshold) may refuse the ones past ten at p1; every
# signal that is not DONE failed on exactly that, with its leg DENIED.
done_n=$(sql "select count(*) from signals where status = 'DONE'")
rms_n=$(sql "select count(*) from signals s where s.status = 'FAILED' and exists (select 1 from orders o where o.fanout_id = s.fanout_id and o.state = 'DENIED' and o.message like 'RMS orders-per-sec%')")
[ "$done_n" -ge 10 ] && [ $((done_n + rms_n)) -eq 12 ] &&
	ok "all 12 signals ran: $done_n DONE, $rms_n refused by the RMS order rate" ||
	fail "all 12 signals ran to DONE or an RMS order-rate refusal: $done_n DONE, $rms_n refused" \
	"$(sql "select id, status, reason from signals where status <> 'DONE'")"
same "$(sql "select string_agg(action || ' ' || symbol || ' ' || qty, '; ' order by id) from signals")" \
	"buy $FUT 2; sell $FUT 1; sell $FUT 1; buy $FUT 1; sell $FUT 1; buy $FUT 2; sell $FUT 1; buy SBIN 5; buy SBIN 1; buy TCS 1; buy INFY 1; buy $FUT 1" \
	"the signals are what the payloads said"
same "$(sql "select string_agg(coalesce(exchange, '-'), ',' order by id) from signals")" \
	"NFO,NFO,-,NFO,NFO,NFO,NFO,NSE,NSE,NSE,NSE,NFO" "exchanges from the payloads and the symbol map"
same "$(sql "select count(*) from signals s join fanouts f on f.id = s.fanout_id where f.strategy_id = s.strategy_id")" 12 \
	"every signal has its fan-out, of its strategy"
same "$(sql "select count(*) from orders o join fanouts f on f.id = o.fanout_id where f.source like 'webhook%' or f.source in (select name from connectors)")" \
	"$(sql "select count(*) from orders where strategy_id is not null")" "every order carries its strategy"
same "$(sql "select count(*) from orders o join signals s on s.fanout_id = o.fanout_id join strategies g on g.id = s.strategy_id where g.name = 'trend'")" 6 \
	"strategy trend (target all) sent 3 signals to 2 accounts"
same "$(sql "select count(distinct o.account_id) from orders o join signals s on s.fanout_id = o.fanout_id join strategies g on g.id = s.strategy_id where g.name = 'scalp'")" 1 \
	"strategy scalp reached acct:p1 only"
same "$(sql "select o.product from orders o join signals s on s.fanout_id = o.fanout_id where s.id = 8")" CNC \
	"the payload's product wins over the strategy's"
same "$(sql "select count(*) from positions where strategy_id is not null and qty <> 0")" \
	"$(sql "select count(*) from positions where qty <> 0")" "every open position carries its strategy"
same "$(sql "select count(*) from webhook_payloads where position('secret' in convert_from(body, 'UTF8')) > 0 or position('secret' in coalesce(query, '')) > 0")" 0 \
	"stored payloads hold no token"

out=$("$PHALANX" -c "webhook show $p_tv" 2>&1)
has '"passphrase": "***"' "webhook show stars the token"
has "RMS PASS" "webhook show gives the RMS verdict"
has "COMPLETED" "webhook show gives the resulting fan-out"
hasnt "tv-secret" "webhook show shows no token"
out=$("$PHALANX" -c "webhook list" 2>&1)
has "DONE" "webhook list shows the outcomes"
out=$("$PHALANX" -c "strategy list" 2>&1)
has "trend" "strategy list"
out=$("$PHALANX" -c "strategy show scalp" 2>&1)
has "SBIN" "strategy show gives its book"

# --- refusals ----------------------------------------------------------
before=$(sql "select count(*) from webhook_payloads")
post tv tradingview/strategy_alert.json wrong-token-000
same "$code" 403 "a wrong token is refused (403)"
post tv tradingview/plain.txt x text/plain
same "$code" 403 "a missing token is refused (403)"
same "$(sql "select count(*) from webhook_payloads")" "$before" "nothing stored for a wrong or missing token"
post nosuch tradingview/strategy_alert.json x
same "$code" 404 "an unknown connector is 404"
out=$(curl -s -o /dev/null -w '%{http_code}' "$hook/tv?token=tv-secret-0001&action=buy")
same "$out" 405 "GET on a TradingView connector is 405"
post small tradingview/strategy_alert.json small-secret-10
same "$code" 413 "a body over the connector's limit is 413"
head -c 2000000 /dev/zero | tr '\0' 'x' >"$TMPDIR/huge"
out=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @"$TMPDIR/huge" "$hook/tv/tv-secret-0001")
same "$out" 413 "a body over 1 MiB is 413"
post off tradingview/strategy_alert.json off-secret-0012
same "$code" 403 "a disabled connector refuses (403)"
has "disabled" "and says so"
post tvonly tradingview/strategy_alert.json ip-secret-0003
same "$code" 403 "an address outside the tradingview allow list is refused"
has "not allowed" "and says why"
# The token of a body that is no JSON at all can only be in the URL.
post "tv?token=tv-secret-0001" malformed/truncated.json x
same "$code" 400 "malformed truncated.json is 400"
has "not JSON" "and says why"
post tv malformed/truncated.json tv-secret-0001
same "$code" 403 "a body that cannot be read has no token: 403"
for f in no_symbol.json half_lot.json bad_action.json; do
	post tv malformed/$f tv-secret-0001
	same "$code" 400 "malformed $f is 400 (token in the body)"
done
post tv malformed/no_symbol.json tv-secret-0001
has "symbol" "the 400 names the field"
post "tv?token=tv-secret-0001" malformed/not_buy_sell.txt x text/plain
same "$code" 400 "a plain-text command other than buy/sell is 400"
post "tv?token=tv-secret-0001" malformed/chooses_target.txt x text/plain
same "$code" 400 "a plain-text alert may not choose the target"
has "strategy's to choose" "and says why"
same "$(sql "select count(*) from webhook_payloads where reason is not null")" 7 "malformed payloads of a known sender are kept"
post closed tradingview/strategy_alert.json closed-secret-11
same "$code" 403 "outside the connector's window is refused"
same "$(sql "select status from signals order by id desc limit 1")" REJECTED "and stored REJECTED"
fixture tradingview/nested.json lim-secret-09 >"$TMPDIR/body"
codes=$(curl -s -o /dev/null -w '%{http_code} ' -X POST --data-binary @"$TMPDIR/body" \
	"$hook/lim" "$hook/lim" "$hook/lim" "$hook/lim" "$hook/lim" "$hook/lim")
case "$codes" in *429*) ok "too fast is 429 ($codes)" ;; *) fail "too fast is 429" "$codes" ;; esac

# --- duplicates --------------------------------------------------------
wait_signals "$(sql "select count(*) from signals")"
fanouts=$(sql "select count(*) from fanouts")
post tv tradingview/strategy_alert.json tv-secret-0001
same "$code" 200 "a repeated payload is answered 200"
has '"status":"duplicate"' "as a duplicate"
post ami/ami-secret-04 amibroker/post.form x application/x-www-form-urlencoded
has '"status":"duplicate"' "a repeated Amibroker id is a duplicate"
sleep 0.5
same "$(sql "select count(*) from fanouts")" "$fanouts" "duplicates run nothing"
same "$(sql "select string_agg(status || ' ' || (duplicate_of is not null)::text, ',' order by id) from (select * from signals order by id desc limit 2) x")" \
	"DUPLICATE true,DUPLICATE true" "duplicates name what they repeat"

# --- position sync -----------------------------------------------------
p2qty() {
	sql "select coalesce(sum(p.qty), 0) from positions p join accounts a on a.id = p.account_id where a.name = 'p2' and p.symbol = '$FUT'"
}
p2before=$(p2qty)
post tvsync tradingview/position_long.json sync-secret-02
same "$code" 200 "position sync: long 3"
wait_signals "$(sql "select count(*) from signals where status <> 'DUPLICATE'")"
same "$(sql "select exec_side || ' ' || exec_qty from signals order by id desc limit 1")" "BUY 3" "long 3 from flat buys 3"
post tvsync tradingview/position_flat.json sync-secret-02
wait_signals "$(sql "select count(*) from signals where status <> 'DUPLICATE'")"
same "$(sql "select exec_side || ' ' || exec_qty from signals order by id desc limit 1")" "SELL 3" "flat from long 3 sells 3"
same "$(p2qty)" "$p2before" "the synced account is back where it was"

# --- replay ------------------------------------------------------------
fanouts=$(sql "select count(*) from fanouts")
out=$("$PHALANX" -c "webhook replay $p_tv --dry-run" 2>&1)
has "dry run" "replay --dry-run shows the plan"
same "$(sql "select count(*) from fanouts")" "$fanouts" "and sends nothing"
run 0 "webhook replay" "$PHALANX" -c "webhook replay $p_tv"
has "DONE" "the replay ran"
same "$(sql "select count(*) from fanouts")" "$((fanouts + 1))" "a replay is one new fan-out"
same "$(sql "select count(*) from webhook_payloads where replay_of = $p_tv")" 1 "stored as a replay of the payload"

# --- kill -9 with signals queued and one in flight ----------------------
kill "$servepid"
wait "$servepid"
start_serve -o hook.poll_ms=100 -o hook.dedupe_s=3600 -o hook.parallel=1
hook="http://127.0.0.1:$sport/hook"
n0=$(sql "select count(*) from signals")
sim_faults '{"hold": true}'
for q in 1 2 3; do
	printf '{"passphrase":"tv-secret-0001","ticker":"%s","exchange":"NFO","action":"buy","contracts":"%s"}' "$FUT" "$q" >"$TMPDIR/k$q"
	out=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @"$TMPDIR/k$q" "$hook/tv")
	same "$out" 200 "signal $q accepted while the broker holds"
	# The first may run at once: the write that stored it claimed it,
	# by the accepting session (not the executor's), before the 200.
	if [ "$q" = 1 ]; then
		same "$(sql "select s.status || ' ' || (s.claimed_by = a.pid) from signals s join pg_stat_activity a on a.pid = s.claimed_by where s.id = (select min(id) from signals where id > $n0) and a.query like '%hook_accept_run%'")" \
			"EXECUTING true" "signal 1 was claimed by the write that stored it"
	fi
done
i=0
while [ "$(sql "select count(*) from signals where id > $n0 and status = 'EXECUTING'")" != 1 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5
st=$(sql "select string_agg(status, ',' order by id) from signals where id > $n0")
case "$st" in *EXECUTING*QUEUED*) ok "at the kill: one signal in flight, one queued ($st)" ;;
	*) fail "at the kill: one signal in flight, one queued" "$st" ;; esac
kill -9 "$servepid"
wait "$servepid" 2>/dev/null
sim_faults '{"hold": false}'
start_serve -o hook.poll_ms=100 -o hook.dedupe_s=3600
i=0
while [ "$(sql "select count(*) from signals where id > $n0 and status in ('DONE', 'FAILED')")" != 3 ] && [ $i -lt 150 ]; do
	sleep 0.1
	i=$((i + 1))
done
same "$(sql "select string_agg(status, ',' order by id) from signals where id > $n0")" "DONE,DONE,DONE" \
	"after kill -9 every signal ran: none lost"
same "$(sql "select count(distinct fanout_id) from signals where id > $n0")" 3 "one fan-out each"
same "$(sql "select count(*) from orders o join signals s on s.fanout_id = o.fanout_id where s.id > $n0")" 6 \
	"two orders each (target all)"
# The broker's books are the truth: each of those orders is there once.
books=0
for n in 1 2; do
	c=$(curl -s -H 'X-Kite-Version: 3' -H "Authorization: token $(sim_user $n api_key):$(sim_user $n access_token)" "$simbase/orders" |
		grep -o '"tag":"[^"]*"' | sort | uniq -d | wc -l)
	books=$((books + c))
done
same "$books" 0 "no client tag twice at the broker: nothing sent twice"
same "$(sql "select count(*) from orders where fanout_id is null")" 0 "no order at the broker that phalanx did not record"

# Every executed signal is a workflow run whose outcome follows it.
i=0
while [ $i -lt 100 ] && [ "$(sql "select count(*) from runs where kind = 'webhook' and state in ('PENDING', 'RUNNING')")" != 0 ]; do
	sleep 0.1
	i=$((i + 1))
done
done_sigs=$(sql "select count(*) from signals where status = 'DONE'")
same "$(sql "select count(distinct ref) from runs where kind = 'webhook' and state = 'SUCCEEDED'")" "$done_sigs" \
	"each DONE signal is a SUCCEEDED webhook run ($done_sigs)"
same "$(sql "select count(*) from runs r where kind = 'webhook' and state = 'SUCCEEDED' and not exists (select 1 from signals s where r.ref = 'signal ' || s.id and s.status = 'DONE')")" 0 \
	"and no run succeeded for a signal that did not"
run 0 "run list" "$PHALANX" -c "run list last 500"
has "webhook" "run list shows the webhook runs"
# This daemon (restarted above) has answered nothing yet: one unknown hook.
curl -s -o /dev/null -X POST -d '{}' "http://127.0.0.1:$sport/hook/no-such-connector"
out=$(curl -s "http://127.0.0.1:$sport/metrics")
has 'phalanx_webhook_requests_total{connector="(unknown)",status="404"} 1' "an unknown connector counts under one label"
has 'phalanx_fanouts_total{policy=' "the signals it ran count as fan-outs by policy and outcome"
has 'phalanx_events_written_total ' "and their events as written"
has 'phalanx_signal_to_wire_seconds_count{source="' "signal to wire is a histogram by source"
has 'phalanx_order_sends_total{broker="' "order sends count by broker and result"
has 'phalanx_runs_total{kind="webhook",outcome="SUCCEEDED"}' "webhook runs count by outcome"
has 'phalanx_webhook_accept_seconds_bucket{le="+Inf"}' "metrics give the accept latency histogram"
has 'phalanx_webhook_requests_total{connector=' "metrics count webhook requests by connector and status"
echo "$out" | promtool check metrics >/dev/null 2>&1 && ok "promtool check metrics" || fail "promtool check metrics"
kill "$servepid"
wait "$servepid"
same "$?" 0 "serve stops cleanly"
finish
