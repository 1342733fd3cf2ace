#!/bin/sh
# A notification channel down for a minute while orders and square-offs
# go on at full speed (phalanx sim): every round of "alert, buy to all,
# square off all" completes and leaves the accounts flat, every alert is
# stored at once, the healthy channel keeps delivering during the outage,
# the dead one holds its rows without failing them, and once it is back
# everything it owed arrives, each alert exactly once.  An RMS loss breach
# during the outage squares its account off and halts it while its alert
# still waits for the dead channel.  Fan-out times are
# printed for the record, never asserted.  NOTIFY_DOWN_S shortens the
# outage for a quick local run (default 60).
. "$(dirname "$0")/lib.sh"
fresh_db
SRC=${PHALANX_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
DOWN_S=${NOTIFY_DOWN_S:-60}

python3 "$SRC/tests/notify_fake.py" --secret s >"$TMPDIR/fake.out" 2>"$TMPDIR/fake.err" &
fakepid=$!
servepid=
i=0
while [ $i -lt 100 ] && ! grep -q http "$TMPDIR/fake.out"; do
	sleep 0.1
	i=$((i + 1))
done
HP=$(sed -n 's/.*"http": \([0-9]*\).*/\1/p' "$TMPDIR/fake.out")
[ -n "$HP" ] && ok "fake endpoints listen" ||
	{ fail "fake endpoints listen" "$(cat "$TMPDIR/fake.err")"; finish; exit 1; }
FAKE="http://127.0.0.1:$HP"
flog() {
	curl -s "$FAKE/_log" | python3 -c "
import json, sys
L = json.load(sys.stdin)
print($1)"
}
mode() { curl -s -X POST -d "$1" "$FAKE/_mode" >/dev/null; }

start_sim --users 8 --seed 11 --tick-ms 20 --fill-lots 100 --cash 100000000
trap 'kill $fakepid $servepid $simpid 2>/dev/null' EXIT
trap 'exit 1' INT TERM
{
	echo "broker add sim kind kite url $simbase api-key $(sim_user 1 api_key)"
	for n in 1 2 3 4 5 6 7 8; do
		echo "account add a$n broker sim user-id $(sim_user $n user_id) tags desk api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
	done
	# rate: catch up fast once back (a real chat takes one a second).
	echo "channel add tg kind telegram url $FAKE bot-token 1:down chat-id 42 rate 1200"
	echo "channel add wh kind webhook url $FAKE/hook secret s"
	echo "notify rule add rms when warning source rms to tg,wh"
} >"$TMPDIR/setup.phx"
run 0 "eight sim accounts, a telegram and a webhook channel" "$PHALANX" batch "$TMPDIR/setup.phx"
run 0 "instruments" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")

"$PHALANX" -o notify.poll_ms=200 -o notify.backoff_ms=300 \
	-o notify.backoff_max_ms=2000 -o notify.max_attempts=100 \
	-o notify.timeout_ms=1000 serve --listen 127.0.0.1:0 \
	>"$TMPDIR/serve.out" 2>"$TMPDIR/serve.err" &
servepid=$!

# round N: an RMS alert, a buy to all, a square-off of all; prints ms rc.
round() {
	printf 'notify send critical "MTM loss breach %s" source rms scope acct:a%s\nbuy %s 1 lots to all\nsquareoff all\n' \
		"$1" "$(( $1 % 8 + 1 ))" "$FUT" >"$TMPDIR/r.phx"
	t0=$(date +%s%N)
	"$PHALANX" batch "$TMPDIR/r.phx" >"$TMPDIR/r.out" 2>&1
	rc=$?
	t1=$(date +%s%N)
	echo "$(( (t1 - t0) / 1000000 )) $rc"
}

# Healthy first, for the record.
set -- $(round 0)
same "$2" 0 "a round with both channels up"
up_ms=$1
i=0
while [ "$(sql "select count(*) from notification_deliveries where state <> 'SENT'")" != 0 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
same "$(sql "select count(*) from notification_deliveries where state = 'SENT'")" 2 "its alert went to both"

# ---- telegram down (it accepts and never answers) for DOWN_S seconds ----
mode '{"prefix": "/bot", "mode": "hang", "count": -1}'
bot0=$(flog "sum(1 for e in L if e.get('path','').startswith('/bot'))")
end=$(( $(date +%s) + DOWN_S ))
n=0
bad=0
notflat=0
times=""
while [ "$(date +%s)" -lt "$end" ]; do
	n=$((n + 1))
	set -- $(round "$n")
	[ "$2" = 0 ] || { bad=$((bad + 1)); cat "$TMPDIR/r.out" >>"$TMPDIR/bad.out"; }
	[ "$(sql "select count(*) from positions where qty <> 0")" = 0 ] || notflat=$((notflat + 1))
	times="$times $1"
done
[ "$bad" = 0 ] && ok "all $n rounds of alert, buy and square-off completed while telegram was down" ||
	fail "all $n rounds completed while telegram was down: $bad failed" "$(head -30 "$TMPDIR/bad.out")"
same "$notflat" 0 "every square-off left the accounts flat"
# Each round watched its orders to their fills (exec.settle_ms); the
# states are written behind by the event writer.
i=0
while [ "$(sql "select count(*) from orders where state <> 'FILLED'")" != 0 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
stuck=$(sql "select coalesce(string_agg(state || ':' || n, ','), 'all filled') from (select state, count(*) n from orders where state <> 'FILLED' group by state) s")
[ "$stuck" = "all filled" ] && ok "every order filled" ||
	fail "every order filled: $stuck" "$(sql "select o.id, o.state, o.created_at, string_agg(e.state, ' ' order by e.id) from orders o left join order_events e on e.order_id = o.id where o.state <> 'FILLED' group by o.id order by o.id limit 20")"
same "$(sql "select count(*) from notifications where title like 'MTM loss breach %'")" $((n + 1)) "every alert stored at once"
# The last round's alert may still be on its way (telegram stays down).
i=0
while [ "$(sql "select count(*) from notification_deliveries d join notifications n on n.id = d.notification_id where d.channel_name = 'wh' and n.title like 'MTM loss breach %' and d.state = 'SENT'")" != $((n + 1)) ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
same "$(sql "select count(*) from notification_deliveries d join notifications n on n.id = d.notification_id where d.channel_name = 'wh' and n.title like 'MTM loss breach %' and d.state = 'SENT'")" $((n + 1)) \
	"the webhook delivered all of them during the outage"
same "$(sql "select count(*) from notification_deliveries where channel_name = 'tg' and state = 'SENT'")" 1 \
	"telegram delivered nothing new while down"
same "$(sql "select count(*) from notification_deliveries where state = 'FAILED'")" 0 "and nothing failed: the rows wait"
[ "$(flog "sum(1 for e in L if e.get('path','').startswith('/bot'))")" -gt "$bot0" ] &&
	ok "the worker kept trying telegram" || fail "the worker kept trying telegram"

# ---- an RMS breach while telegram still hangs: the response goes at once --
{
	echo "rms template add loss mtm-loss 5000 on-mtm-loss squareoff"
	echo "rms apply loss to acct:a1"
	echo "buy $FUT 1 lots to acct:a1 product nrml"
} >"$TMPDIR/rms.phx"
curl -s -X POST -d "{\"instrument\":\"NFO:$FUT\",\"price\":\"20000\"}" "$simbase/sim/price" >/dev/null
run 0 "a loss limit on a1, which buys 1 lot" "$PHALANX" batch "$TMPDIR/rms.phx"
i=0
while [ "$(sql "select count(*) from rms_watches where scope_name = 'a1' and started")" != 1 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
t0=$(date +%s%N)
curl -s -X POST -d "{\"instrument\":\"NFO:$FUT\",\"price\":\"19800\"}" "$simbase/sim/price" >/dev/null
i=0
while [ "$(sql "select count(*) from positions p join accounts a on a.id = p.account_id where a.name = 'a1' and p.qty <> 0")" != 0 ] && [ $i -lt 300 ]; do
	sleep 0.05
	i=$((i + 1))
done
t1=$(date +%s%N)
same "$(sql "select count(*) from positions p join accounts a on a.id = p.account_id where a.name = 'a1' and p.qty <> 0")" 0 \
	"the RMS squared a1 off while telegram was down"
same "$(sql "select trading_state from accounts where name = 'a1'")" HALTED "and halted it"
i=0
while [ "$(sql "select count(*) from notification_deliveries d join notifications n on n.id = d.notification_id where n.title like 'RMS mtm-loss breached at account a1%' and d.channel_name = 'tg'")" != 1 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
same "$(sql "select count(*) from notification_deliveries d join notifications n on n.id = d.notification_id where n.title like 'RMS mtm-loss breached at account a1%' and d.channel_name = 'tg' and d.state <> 'SENT'")" 1 \
	"its alert still waits for telegram: the square-off did not"
echo "# price move -> a1 flat in the store while telegram hangs: $(( (t1 - t0) / 1000000 )) ms (rms.monitor_ms 1000)"

sorted=$(echo $times | tr ' ' '\n' | sort -n)
echo "# rounds while down: $n; ms per round (alert + buy 8 + squareoff 8): up $up_ms, down p50 $(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') max $(echo "$sorted" | tail -n 1)"

# ---- back up: everything owed arrives, each once ----
mode '{"prefix": "/bot", "mode": "ok", "count": -1}'
i=0
while [ "$(sql "select count(*) from notification_deliveries where state <> 'SENT'")" != 0 ] && [ $i -lt 1200 ]; do
	sleep 0.1
	i=$((i + 1))
done
same "$(sql "select count(*) from notification_deliveries where state <> 'SENT'")" 0 "telegram caught up once it was back"
same "$(flog "len(set(json.loads(e['body'])['text'].split(chr(10))[0] for e in L if e.get('path','').startswith('/bot') and e['answer'] == 'ok' and 'MTM loss breach' in e['body']))")" \
	$((n + 1)) "telegram has every alert"
same "$(flog "sum(1 for e in L if e.get('path','').startswith('/bot') and e['answer'] == 'ok' and 'MTM loss breach' in e['body'])")" \
	$((n + 1)) "each exactly once"
kill $servepid
wait $servepid
same "$?" 0 "serve stops cleanly"
finish
