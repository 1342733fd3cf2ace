#!/bin/sh
# An accepting front (hook.execute = false): phalanx serve stores and
# queues webhook signals and answers their senders, and runs none of them
# -- not as it stores them, not later; another daemon on the same store
# claims and runs them all, those queued before it started and those the
# front takes while it runs.
. "$(dirname "$0")/lib.sh"
fresh_db

start_sim --users 1 --seed 5 --tick-ms 20 --cash 1000000000 --rate-limit 0
{
	echo "broker add sim kind kite url $simbase api-key k"
	echo "account add p1 broker sim user-id $(sim_user 1 user_id) api-key $(sim_user 1 api_key) access-token $(sim_user 1 access_token)"
	echo "instruments load exchange NFO"
	echo "strategy add s target acct:p1 product nrml"
	echo "connector add tv dialect tradingview strategy s token front-secret-1"
} >"$TMPDIR/reg.phx"
run 0 "account, instruments, strategy, connector" "$PHALANX" batch "$TMPDIR/reg.phx"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
FUT2=$(sql "select tradingsymbol from instruments where name = 'BANKNIFTY' and instrument_type = 'FUT' order by expiry limit 1")

start_serve -o hook.execute=false -o hook.poll_ms=100 -o hook.dedupe_s=0
ok "the front listens"
frontpid=$servepid
front=$sbase
trap 'kill $simpid $frontpid ${servepid:-} 2>/dev/null' EXIT INT TERM

# post SYMBOL: one buy signal to the front; its HTTP status in $code.
post() {
	printf '{"passphrase":"front-secret-1","ticker":"%s","exchange":"NFO","action":"buy","contracts":"1"}' "$1" >"$TMPDIR/body"
	code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @"$TMPDIR/body" "$front/hook/tv")
}
codes=
for s in "$FUT" "$FUT2" "$FUT"; do
	post "$s"
	codes="$codes$code "
done
same "$codes" "200 200 200 " "three signals answered 200 by the front"
sleep 1.5
same "$(sql "select string_agg(status, ',' order by id) from signals")" \
	"QUEUED,QUEUED,QUEUED" "the front ran none of them (1.5 s later all QUEUED)"
same "$(sql "select count(*) from fanouts")" 0 "no fan-out was started"

# Another daemon on the store runs them, and what the front takes next.
start_serve -o hook.poll_ms=100 -o hook.dedupe_s=0
ok "an executing daemon listens"
post "$FUT2"
same "$code" 200 "a fourth signal, to the front while the other runs"
i=0
while [ "$(sql "select count(*) from signals where status = 'DONE'")" != 4 ] && [ $i -lt 150 ]; do
	sleep 0.1
	i=$((i + 1))
done
same "$(sql "select string_agg(status, ',' order by id) from signals")" \
	"DONE,DONE,DONE,DONE" "the other daemon ran all four"
same "$(sql "select count(*) from fanouts f join signals s on s.fanout_id = f.id where f.state = 'COMPLETED'")" 4 \
	"each through a completed fan-out"
same "$(sql "select count(*) from orders where state = 'FILLED'")" 4 "four orders filled at the broker"
kill -0 "$frontpid" 2>/dev/null && ok "the front still runs" || fail "the front still runs"
finish
