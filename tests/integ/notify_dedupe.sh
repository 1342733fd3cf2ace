#!/bin/sh
# The rest of delivery, over loopback against tests/notify_fake.py:
# identical alerts within the window become one message with a count (and
# a held summary once the first has gone), a delivery that gives up raises
# its own alert to the remaining channels (never an alert about that
# alert), and a notification about an incident shows in `incident show`
# with what was sent to whom and when.
. "$(dirname "$0")/lib.sh"
fresh_db
SRC=${PHALANX_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}

python3 "$SRC/tests/notify_fake.py" --secret s >"$TMPDIR/fake.out" 2>"$TMPDIR/fake.err" &
fakepid=$!
servepid=
trap 'kill $fakepid $servepid 2>/dev/null' EXIT
trap 'exit 1' INT TERM
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
# hooks PATH [TITLE-PREFIX]: titles received at PATH, one a line.
hooks() {
	flog "chr(10).join(json.loads(e['body'])['title'] for e in L if e.get('path') == '$1' and json.loads(e['body'])['title'].startswith('${2:-}'))"
}
wait_sql() {
	i=0
	while [ "$(sql "$1")" != "$2" ] && [ $i -lt "${3:-100}" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	got=$(sql "$1")
}
start_serve() {
	"$PHALANX" -o notify.poll_ms=200 -o notify.backoff_ms=200 \
		-o notify.max_attempts=2 -o notify.timeout_ms=1500 \
		serve --listen 127.0.0.1:0 >>"$TMPDIR/serve.out" 2>>"$TMPDIR/serve.err" &
	servepid=$!
}

run 0 "channel wa" "$PHALANX" -c "channel add wa kind webhook url $FAKE/wa secret s"
run 0 "channel wb" "$PHALANX" -c "channel add wb kind webhook url $FAKE/wb/tok3n secret s"
# A short window, for the whole database (every connection of the test);
# long enough that a loaded machine still sends a repeat inside it.
DB=$(sql "select current_database()")
sql "alter database $DB set phalanx.notify_dedupe_s = 20" >/dev/null
same "$(sql "select extract(epoch from notify_dedupe_window())::int")" 20 "the window comes from the setting"
same "$(psql "$PHALANX_DSN" -qAtc "set phalanx.notify_dedupe_s = 'x1'; select extract(epoch from notify_dedupe_window())::int")" 60 \
	"a bad setting means 60 s, not an error in the cause"

# ---- five identical alerts before any worker runs: one row carries them ----
{
	i=1
	while [ $i -le 5 ]; do
		echo "notify send critical \"MTM loss limit flapping on a1\" source rms scope acct:a1 to wa"
		i=$((i + 1))
	done
	echo "notify send critical \"a different alert\" source rms scope acct:a1 to wa"
} >"$TMPDIR/flap.phx"
run 0 "five identical alerts and one other" "$PHALANX" batch "$TMPDIR/flap.phx"
has "counted on it (x5), not sent again" "the fifth says it was counted"
same "$(sql "select count(*) from notifications where title like 'MTM loss%'")" 5 "every repeat is still stored"
same "$(sql "select count(*) from notification_deliveries d join notifications n on n.id = d.notification_id where n.title like 'MTM loss%'")" 1 \
	"but only the first has a delivery"
same "$(sql "select repeats from notifications where title like 'MTM loss%' and dup_of is null")" 4 "it counts four repeats"
run 0 "alerts" "$PHALANX" -c "alerts"
has "MTM loss limit flapping on a1 (x5)" "alerts shows one line with the count"
same "$(printf '%s\n' "$out" | grep -c 'MTM loss')" 1 "and only one line"

start_serve
wait_sql "select count(*) from notification_deliveries where state = 'SENT'" 2 100
same "$got" 2 "serve sent two messages, not six"
same "$(hooks /wa MTM)" "MTM loss limit flapping on a1 (x5)" "the receiver got one message with the count"
same "$(flog "[json.loads(e['body'])['count'] for e in L if e.get('path') == '/wa'][0]")" 5 "the webhook JSON carries count 5"

# ---- repeats after the first has gone: one held summary at the window's end ----
F="notify send critical \"drawdown flapping on a2\" source rms scope acct:a2 to wa"
run 0 "a new flapping alert" "$PHALANX" -c "$F"
wait_sql "select count(*) from notification_deliveries d join notifications n on n.id = d.notification_id where n.title like 'drawdown%' and d.state = 'SENT'" 1 100
same "$got" 1 "it is sent at once"
run 0 "a repeat after it was sent" "$PHALANX" -c "$F"
has "a repeat: held until" "is held for the rest of the window"
printf '%s\n%s\n' "$F" "$F" >"$TMPDIR/two.phx"
run 0 "two more repeats" "$PHALANX" batch "$TMPDIR/two.phx"
has "counted on it (x3)" "they count on the held summary"
sleep 1
same "$(hooks /wa drawdown | wc -l)" 1 "nothing more is sent inside the window"
wait_sql "select count(*) from notification_deliveries d join notifications n on n.id = d.notification_id where n.title like 'drawdown%' and d.state = 'SENT'" 2 400
same "$got" 2 "the summary went when the window ended"
same "$(hooks /wa drawdown | tail -n 1)" "drawdown flapping on a2 (x3)" "with the count of what it stands for"
same "$(flog "sum(1 for e in L if e.get('path') == '/wa')")" 4 "ten alerts, four messages (two MTM, two drawdown)"
sleep "$(sql "select greatest(0, extract(epoch from max(window_at) + notify_dedupe_window() - now()) + 0.3)::numeric(6,1) from notifications where title like 'drawdown%'")"
run 0 "after a quiet window" "$PHALANX" -c "$F"
has "queued for wa" "the alert goes at once again"
hasnt "held" "not held"
run 0 "another scope is another alert" "$PHALANX" -c "notify send critical \"drawdown flapping on a2\" source rms scope acct:a3 to wa"
hasnt "repeats alert" "a different scope is not a repeat"
wait_sql "select count(*) from notification_deliveries where state <> 'SENT'" 0 100
same "$got" 0 "both sent"

# ---- dead letter: a channel that gives up alerts the others ----
run 0 "a rule: everything to both" "$PHALANX" -c "notify rule add both when info to wa,wb"
mode '{"prefix": "/wb", "mode": "500", "count": -1}'
run 0 "an alert only wb carries" "$PHALANX" -c "notify send critical \"square-off done on a3\" source rms scope acct:a3 ref INC-77 to wb"
D1=$(sql "select max(id) from notifications where title = 'square-off done on a3'")
wait_sql "select state from notification_deliveries where notification_id = $D1" FAILED 100
same "$got" FAILED "wb gave up after two attempts"
wait_sql "select count(*) from notification_deliveries d join notifications n on n.id = d.notification_id where n.source = 'notify' and d.state = 'SENT'" 1 100
same "$got" 1 "a dead-letter alert was delivered"
same "$(sql "select n.severity || '|' || n.title || '|' || d.channel_name from notifications n join notification_deliveries d on d.notification_id = n.id where n.source = 'notify'")" \
	"critical|Alerts undelivered over wb|wa" "same severity, to the channels the rules route it to but the dead one"
dl=$(flog "[json.loads(e['body'])['body'] for e in L if e.get('path') == '/wa'][-1]")
case "$dl" in
"alert $D1 \"square-off done on a3\" gave up after 2 attempts: gave up after 2 attempts: webhook answered HTTP 500"*)
	ok "its text names the alert, the attempts and the error" ;;
*) fail "dead-letter text" "$dl" ;;
esac
same "$(flog "[json.loads(e['body'])['ref'] for e in L if e.get('path') == '/wa'][-1]")" INC-77 "and keeps the ref"
hasnt_tok=$(flog "sum(1 for e in L if 'tok3n' in e.get('body', ''))")
same "$hasnt_tok" 0 "the dead channel's url path is not quoted"

# Both channels down: each failure alerts the other, which fails too, and
# that is where it stops.
mode '{"prefix": "/wa", "mode": "500", "count": -1}'
run 0 "an alert to two dead channels" "$PHALANX" -c "notify send warning \"both down\" to wa,wb"
D2=$(sql "select max(id) from notifications where title = 'both down'")
wait_sql "select count(*) from notification_deliveries where notification_id = $D2 and state = 'FAILED'" 2 100
same "$got" 2 "both deliveries failed"
wait_sql "select count(*) from notification_deliveries d join notifications n on n.id = d.notification_id where n.source = 'notify' and d.state in ('PENDING', 'SENDING')" 0 150
sleep 1
same "$(sql "select string_agg(title || '>' || (select string_agg(channel_name, ',') from notification_deliveries where notification_id = n.id), ' ' order by title) from notifications n where source = 'notify' and id > $D2")" \
	"Alerts undelivered over wa>wb Alerts undelivered over wb>wa" \
	"one dead-letter alert per failed channel, to the other one"
same "$(sql "select count(*) from notification_deliveries d join notifications n on n.id = d.notification_id where n.source = 'notify' and n.id > $D2 and d.state = 'FAILED'")" 2 \
	"both dead-letter alerts failed too"
same "$(sql "select count(*) from notifications where source = 'notify' and id > $D2")" 2 \
	"and raised no alert about themselves"
mode '{"prefix": "/wa", "mode": "ok", "count": -1}'
mode '{"prefix": "/wb", "mode": "ok", "count": -1}'
run 0 "channel rm wb fails its waiting rows without a dead letter" "$PHALANX" batch /dev/stdin <<EOF
notify rule rm both
notify send info "for wb later" to wb
channel rm wb
EOF
sleep 0.5
same "$(sql "select count(*) from notifications where source = 'notify' and body like '%for wb later%'")" 0 \
	"a removed channel raises no dead-letter alert"

# ---- alerts about an incident: what was sent to whom and when ----
INC=$(sql "insert into incidents (severity, scope_kind, scope_name, rule, summary) values ('critical', 'account', 'a1', 'mtm-loss', 'MTM loss 52000 over 50000') returning id")
[ -n "$INC" ] && ok "an incident (id $INC)" || fail "an incident"
run 0 "an rms alert with the incident's ref" "$PHALANX" -c "notify send critical \"MTM loss on a1\" source rms scope acct:a1 ref INC-$INC to wa"
same "$(sql "select incident_id from notifications where title = 'MTM loss on a1'")" "$INC" "INC-N links it to the incident"
same "$(sql "select notify_enqueue('critical', 'rms', 'acct:a1', 'halted a1', '', '$INC', '[]', '{wa}')" >/dev/null; sql "select incident_id from notifications where title = 'halted a1'")" "$INC" \
	"a bare id from the rms links it too"
run 0 "a ref to no incident" "$PHALANX" -c "notify send critical \"no such\" source rms ref INC-999999 to wa"
same "$(sql "select coalesce(incident_id::text, 'null') from notifications where title = 'no such'")" null "stays unlinked, without an error"
wait_sql "select count(*) from notification_deliveries d join notifications n on n.id = d.notification_id where n.incident_id = $INC and d.state = 'SENT'" 2 100
same "$got" 2 "both sent"
run 0 "incident show" "$PHALANX" -c "incident show $INC"
has "alerts:" "incident show has an alerts section"
has "critical \"MTM loss on a1\"" "naming the alert"
has "wa           webhook  http://127.0.0.1:$HP   SENT at " "to whom (channel, kind, host) and when"
run 0 "incident show --json" "$PHALANX" --json -c "incident show $INC"
has '"alerts"' "--json carries the alerts"

kill $servepid
wait $servepid
finish
