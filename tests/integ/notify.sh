#!/bin/sh
# Notifications end to end over loopback: channels and rules, the outbox
# written by "notify send", the delivery worker of phalanx serve sending
# to a fake Telegram Bot API, SMS gateway, webhook receiver and SMTP sinks
# (tests/notify_fake.py), 429 retry_after, 5xx retries to FAILED and
# "alert retry", rate limits, quiet hours, rows surviving a restart and a
# kill -9 of serve, STARTTLS, and a hanging channel that must not slow a
# fan-out against phalanx sim.
. "$(dirname "$0")/lib.sh"
fresh_db
SRC=${PHALANX_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}

# A self-signed certificate for 127.0.0.1, for the STARTTLS sink.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$TMPDIR/key.pem" \
	-out "$TMPDIR/cert.pem" >/dev/null 2>&1 &&
	ok "self-signed certificate" || fail "openssl makes a certificate"

python3 "$SRC/tests/notify_fake.py" --secret whsecret --cert "$TMPDIR/cert.pem" \
	--key "$TMPDIR/key.pem" >"$TMPDIR/fake.out" 2>"$TMPDIR/fake.err" &
fakepid=$!
servepid=
trap 'kill $fakepid $servepid ${simpid:-} 2>/dev/null' EXIT
trap 'exit 1' INT TERM
i=0
while [ $i -lt 100 ] && ! grep -q smtp "$TMPDIR/fake.out"; do
	sleep 0.1
	i=$((i + 1))
done
port() { sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" "$TMPDIR/fake.out"; }
HP=$(port http)
SP=$(port smtp)
TP=$(port smtptls)
[ -n "$HP" ] && [ -n "$SP" ] && [ -n "$TP" ] && ok "fake endpoints listen" ||
	{ fail "fake endpoints listen" "$(cat "$TMPDIR/fake.err")"; finish; exit 1; }
FAKE="http://127.0.0.1:$HP"

# flog PYEXPR: evaluate PYEXPR over L, the fake's log (a list of dicts).
flog() {
	curl -s "$FAKE/_log" | python3 -c "
import json, sys, base64, email, hmac, hashlib, urllib.parse
L = json.load(sys.stdin)
print($1)"
}
mode() { curl -s -X POST -d "$1" "$FAKE/_mode" >/dev/null; }
hangs() { flog "sum(1 for e in L if e.get('path') == '/hang')"; }
# wait_hang N: until the receiver that never answers holds request N.
wait_hang() {
	i=0
	while n=$(hangs) && [ "${n:-0}" -lt "$1" ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}

# wait_sql QUERY WANT [TENTHS]: poll until QUERY gives WANT.
wait_sql() {
	i=0
	while [ "$(sql "$1")" != "$2" ] && [ $i -lt "${3:-100}" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	got=$(sql "$1")
}

start_serve() {
	"$PHALANX" -o notify.poll_ms=200 -o notify.backoff_ms=300 \
		-o notify.max_attempts=3 -o notify.timeout_ms=4000 "$@" \
		serve --listen 127.0.0.1:0 >>"$TMPDIR/serve.out" 2>>"$TMPDIR/serve.err" &
	servepid=$!
}

# ---- channels, with bad input refused before anything is stored ----
TOKEN=123456:AAH-fake_bot_token
run 0 "telegram channel" "$PHALANX" -c "channel add tg kind telegram url $FAKE bot-token $TOKEN chat-id -1001234567"
run 0 "webhook channel" "$PHALANX" -c "channel add wh kind webhook url $FAKE/hook secret whsecret"
run 0 "twilio sms channel" "$PHALANX" -c "channel add sms1 kind sms url $FAKE/sms/Messages.json user AC123 auth-token twtoken from +15005550006 to +919812345678"
run 0 "json sms channel with DLT ids" "$PHALANX" -c "channel add sms2 kind sms url $FAKE/sms/json format json auth-header authkey auth-token msgkey to +919812345678,+919876543210 sender-id PHALNX dlt-template-id 1107161234567890123 dlt-entity-id 1101234567890123456"
run 0 "plain smtp channel with auth" "$PHALANX" -c "channel add mail kind email smtp smtp://127.0.0.1:$SP tls none from alerts@desk.example to ops@desk.example,risk@desk.example user u password p"
run 0 "starttls smtp channel" "$PHALANX" -c "channel add mailtls kind email smtp smtp://127.0.0.1:$TP from alerts@desk.example to ops@desk.example user u password p ca-file $TMPDIR/cert.pem"
run 0 "starttls channel without the CA" "$PHALANX" -c "channel add mailnoca kind email smtp smtp://127.0.0.1:$TP from alerts@desk.example to ops@desk.example user u password p"
run 0 "starttls required by a plain server" "$PHALANX" -c "channel add mailnotls kind email smtp smtp://127.0.0.1:$SP from alerts@desk.example to ops@desk.example user u password p"
run 0 "a channel to a server that never answers" "$PHALANX" -c "channel add hang kind webhook url $FAKE/hang secret x"
run 2 "telegram without a bot token" "$PHALANX" -c "channel add t2 kind telegram chat-id 5"
has 'needs "bot-token"' "names the missing field"
run 2 "an option of another kind" "$PHALANX" -c "channel add t2 kind telegram bot-token 1:x chat-id 5 smtp smtp://x"
has '"smtp" does not apply to a telegram channel' "names the stray option"
run 2 "a bad chat id" "$PHALANX" -c "channel add t2 kind telegram bot-token 1:x chat-id 12ab"
has 'chat-id' "names chat-id"
run 2 "a bad smtp url" "$PHALANX" -c "channel add m2 kind email smtp http://x from a@b.c to d@e.f"
run 2 "a header injection in an address" "$PHALANX" -c "channel add m2 kind email smtp smtp://x from \"$(printf 'a@b.c\rBcc: x@y.z')\" to d@e.f"
run 2 "a bad recipient" "$PHALANX" -c "channel add m2 kind email smtp smtp://x from a@b.c to \"d@e.f>\""
run 2 "two numbers on a twilio channel" "$PHALANX" -c "channel add s3 kind sms url $FAKE/sms user a auth-token b from +1500 to +919812345678,+919876543210"
run 2 "a template that is no JSON" "$PHALANX" -c "channel add s3 kind sms format json url $FAKE/sms to +919812345678 template \"{\\\"to\\\": {{to}}\""
run 1 "a duplicate channel" "$PHALANX" -c "channel add tg kind webhook url $FAKE/x"
has 'already exists' "says it exists"
same "$(sql "select count(*) from notify_channels")" 9 "only the good channels are stored"

# Secrets: encrypted at rest, never shown, never in the audit log.
same "$(sql "select count(*) from notify_channels where secret_enc like '%$TOKEN%' or secret_enc like '%whsecret%' or config::text like '%twtoken%'")" 0 \
	"secrets are not stored in clear"
same "$(sql "select count(*) from notify_channels where secret_enc like 'v1:%'")" 9 "secrets are encrypted"
run 0 "channel list" "$PHALANX" -c "channel list"
hasnt "$TOKEN" "channel list hides the bot token"
has "****" "channel list says a secret is set"
run 0 "channel list --json" "$PHALANX" --json -c "channel list"
hasnt "whsecret" "--json hides the webhook secret"
hasnt "twtoken" "--json hides the sms token"
same "$(sql "select count(*) from audit_log where detail::text like '%$TOKEN%' or detail::text like '%whsecret%' or detail::text like '%msgkey%'")" 0 \
	"the audit log holds no secret"
run 2 "a parse error does not echo a secret" "$PHALANX" -c "channel add t3 kind telegram bot-token $TOKEN chat-id 5 bogus"
hasnt "$TOKEN" "the error hides the token"

# ---- channel test: a direct send ----
run 0 "channel test tg" "$PHALANX" -c "channel test tg"
has "channel tg works" "the test message went through"
same "$(flog "sum(1 for e in L if e.get('path') == '/bot$TOKEN/sendMessage')")" 1 \
	"Telegram got sendMessage with the token in the path"
same "$(flog "json.loads(L[-1]['body'])['chat_id'] + ' ' + json.loads(L[-1]['body'])['parse_mode']")" "-1001234567 HTML" \
	"chat_id and parse_mode HTML sent"
run 0 "a dead telegram channel" "$PHALANX" -c "channel add dead kind telegram url http://127.0.0.1:1 bot-token 1:x chat-id 5"
run 1 "channel test of a dead channel fails" "$PHALANX" -c "channel test dead"
has "telegram" "says what failed"
run 1 "channel test of an unknown channel" "$PHALANX" -c "channel test nope"
has 'unknown channel "nope"' "names it"

# ---- rules ----
run 0 "rule: critical everywhere" "$PHALANX" -c "notify rule add crit when critical to tg,wh,sms1,sms2,mail"
run 0 "rule: rms warnings for group desk" "$PHALANX" -c "notify rule add deskwarn when warning source rms scope group:desk to wh"
run 1 "a rule to an unknown channel" "$PHALANX" -c "notify rule add r3 when info to tg,ghost"
has 'unknown channel ghost' "names the unknown channel"
same "$(sql "select count(*) from notify_rules where name = 'r3'")" 0 "nothing half-stored"
run 2 "bad quiet hours" "$PHALANX" -c "notify rule add r3 when info to tg quiet 25:00-07:00"
has 'quiet' "names quiet"
run 1 "a channel in use cannot go" "$PHALANX" -c "channel rm wh"
has 'used by notify rule crit, deskwarn' "names the rules"
run 0 "notify rule list" "$PHALANX" -c "notify rule list"
has "deskwarn" "lists the rule"

# ---- the outbox without a worker: stored, routed, waiting ----
echo "report,1" >"$TMPDIR/report.csv"
run 0 "notify send critical" "$PHALANX" -c "notify send critical \"MTM loss limit hit on a1: square-off done\" scope acct:a1 ref INC-42 attach $TMPDIR/report.csv"
has "queued for mail, sms1, sms2, tg, wh" "routed to the rule's channels"
A1=$(sql "select max(id) from notifications where title = 'MTM loss limit hit on a1: square-off done'")
run 0 "notify send info (no rule)" "$PHALANX" -c "notify send info \"just saying\""
has "no notify rule routes it" "an unrouted alert says so"
same "$(sql "select count(*) from notification_deliveries where state = 'PENDING'")" 5 "five deliveries wait"

# ---- serve delivers; the outbox survived until it came ----
start_serve
wait_sql "select count(*) from notification_deliveries where notification_id = $A1 and state = 'SENT'" 5 150
same "$got" 5 "serve delivered what was stored before it started"
same "$(sql "select count(*) from notification_deliveries where notification_id = $A1 and latency_ms >= 0")" 5 \
	"delivery latency recorded"
same "$(flog "[json.loads(e['body'])['text'] for e in L if e.get('path','').startswith('/bot')][-1].split(chr(10))[0]")" \
	"<b>CRITICAL</b> MTM loss limit hit on a1: square-off done" "Telegram text: severity and title"
same "$(flog "[e['sig_ok'] for e in L if e.get('path') == '/hook'][-1]")" True \
	"webhook signature verifies with HMAC-SHA256 of the body"
same "$(flog "[json.loads(e['body'])['ref'] for e in L if e.get('path') == '/hook'][-1]")" INC-42 "webhook JSON carries the ref"
same "$(flog "[e['headers']['authorization'] for e in L if e.get('path') == '/sms/Messages.json'][-1]")" \
	"Basic $(printf 'AC123:twtoken' | base64)" "twilio form post uses basic auth"
tw=$(flog "[urllib.parse.parse_qs(e['body'])['Body'][0] for e in L if e.get('path') == '/sms/Messages.json'][-1]")
case "$tw" in
"CRIT: MTM loss limit hit on a1: square-off done [INC-42]") ok "twilio body: To/From/Body with the incident id" ;;
*) fail "twilio body" "$tw" ;;
esac
same "$(flog "(lambda j: (j['sender'], j['template_id'], j['entity_id'], j['to']))(json.loads([e['body'] for e in L if e.get('path') == '/sms/json'][-1]))")" \
	"('PHALNX', '1107161234567890123', '1101234567890123456', '+919812345678,+919876543210')" \
	"json sms body carries sender id and DLT ids"
same "$(flog "[e['headers']['authkey'] for e in L if e.get('path') == '/sms/json'][-1]")" msgkey "json sms sends its auth header"
m=$(flog "(lambda m: '|'.join([m['From'], m['To'].replace(chr(13)+chr(10),'').replace(chr(10),''), m['Subject'], m['MIME-Version'], str(bool(m['Date'])), str(m['Message-ID'].startswith('<phalanx.')), m.get_content_type()]))(email.message_from_string([e['data'] for e in L if e.get('smtp') and not e['tls']][-1]))")
same "$m" "alerts@desk.example|ops@desk.example, risk@desk.example|[critical] MTM loss limit hit on a1: square-off done|1.0|True|True|multipart/mixed" \
	"e-mail has RFC 5322 headers and MIME"
same "$(flog "[p.get_payload(decode=True).decode() for p in email.message_from_string([e['data'] for e in L if e.get('smtp')][-1]).walk() if p.get_filename() == 'report.csv'][0].strip()")" \
	"report,1" "the attachment arrives intact"
same "$(flog "[(e['rcpt'], e['auth']) for e in L if e.get('smtp')][-1]")" "(['<ops@desk.example>', '<risk@desk.example>'], 'u')" \
	"SMTP AUTH and both recipients"

# ---- STARTTLS ----
run 0 "send over STARTTLS" "$PHALANX" -c "notify send warning \"tls check\" to mailtls,mailnoca,mailnotls"
A2=$(sql "select max(id) from notifications where title = 'tls check'")
wait_sql "select count(*) from notification_deliveries where notification_id = $A2 and state in ('SENT','FAILED')" 3 100
same "$(sql "select channel_name || ':' || state from notification_deliveries where notification_id = $A2 order by channel_name")" \
	"mailnoca:FAILED
mailnotls:FAILED
mailtls:SENT" "STARTTLS with the CA works; an unknown CA and a server without STARTTLS fail"
same "$(flog "[e['tls'] for e in L if e.get('smtp')][-1]")" True "the mail went over TLS"
same "$(sql "select last_error from notification_deliveries where notification_id = $A2 and channel_name = 'mailnotls'")" \
	'smtp: the server offers no STARTTLS (add "tls none" to the channel to send in clear)' "says why in clear is refused"

# ---- 429 with retry_after ----
mode '{"prefix": "/bot", "mode": "429", "count": 1, "retry_after": 2}'
run 0 "send into a 429" "$PHALANX" -c "notify send critical \"rate limited\" to tg"
A3=$(sql "select max(id) from notifications where title = 'rate limited'")
wait_sql "select state from notification_deliveries where notification_id = $A3" SENT 100
same "$got" SENT "delivered after the 429"
gap=$(flog "(lambda t: round(t[-1] - t[-2], 1))([e['t'] for e in L if e.get('path','').startswith('/bot')])")
python3 -c "import sys; sys.exit(0 if $gap >= 1.9 else 1)" && ok "retry waited retry_after (${gap}s)" ||
	fail "retry waited retry_after" "gap ${gap}s"
same "$(sql "select string_agg(outcome || ':' || coalesce(http_status, 0), ',' order by a.id) from notification_attempts a join notification_deliveries d on d.id = a.delivery_id where d.notification_id = $A3")" \
	"retry:429,sent:200" "both attempts recorded"
same "$(sql "select attempts from notification_deliveries where notification_id = $A3")" 1 "a 429 does not use up an attempt"

# ---- 5xx: retries with backoff, FAILED after max attempts, alert retry ----
mode '{"prefix": "/hook", "mode": "500", "count": 3}'
run 0 "send into 500s" "$PHALANX" -c "notify send critical \"gateway down\" to wh"
A4=$(sql "select max(id) from notifications where title = 'gateway down'")
wait_sql "select state from notification_deliveries where notification_id = $A4" FAILED 100
same "$got" FAILED "FAILED after max attempts"
same "$(sql "select attempts from notification_deliveries where notification_id = $A4")" 3 "three attempts"
has_err=$(sql "select last_error from notification_deliveries where notification_id = $A4")
case "$has_err" in "gave up after 3 attempts: webhook answered HTTP 500"*) ok "the last error is kept" ;;
*) fail "the last error is kept" "$has_err" ;; esac
run 0 "alerts failed" "$PHALANX" -c "alerts failed"
has "gateway down" "alerts failed lists it"
run 0 "alert show" "$PHALANX" -c "alert show $A4"
has "#3" "alert show lists every attempt"
has "HTTP 500" "with the answer"
run 0 "alert retry" "$PHALANX" -c "alert retry $A4"
has "retrying wh" "says which channel"
wait_sql "select state from notification_deliveries where notification_id = $A4" SENT 100
same "$got" SENT "sent after alert retry"
run 1 "alert retry with nothing failed" "$PHALANX" -c "alert retry $A4"
has "no failed delivery" "says so"
run 1 "alert show of an unknown id" "$PHALANX" -c "alert show 999999"

# A 4xx is final at once.
mode '{"prefix": "/bot", "mode": "400", "count": 1}'
run 0 "send to a chat that is gone" "$PHALANX" -c "notify send critical \"bad chat\" to tg"
A5=$(sql "select max(id) from notifications where title = 'bad chat'")
wait_sql "select state || ':' || attempts from notification_deliveries where notification_id = $A5" "FAILED:1" 100
same "$got" "FAILED:1" "a 400 fails without retrying"
has_err=$(sql "select last_error from notification_deliveries where notification_id = $A5")
same "$has_err" "telegram answered HTTP 400: Bad Request: chat not found" "with Telegram's description"

# ---- per-chat rate limit: one message a second ----
run 0 "three alerts at once" "$PHALANX" batch /dev/stdin <<EOF
notify send warning r1 to tg
notify send warning r2 to tg
notify send warning r3 to tg
EOF
wait_sql "select count(*) from notifications n join notification_deliveries d on d.notification_id = n.id where n.title in ('r1','r2','r3') and d.state = 'SENT'" 3 100
same "$got" 3 "all three sent"
gap=$(flog "(lambda t: round(min(t[i+1]-t[i] for i in range(len(t)-1)), 2))([e['t'] for e in L if e.get('path','').startswith('/bot')][-3:])")
python3 -c "import sys; sys.exit(0 if $gap >= 0.9 else 1)" && ok "telegram sends are a second apart per chat (${gap}s)" ||
	fail "telegram per-chat rate" "min gap ${gap}s"

# ---- quiet hours: a warning waits, a critical does not ----
now=$(TZ=Asia/Kolkata date +%H:%M)
qs=$(TZ=Asia/Kolkata date -d '-1 hour' +%H:%M)
qe=$(TZ=Asia/Kolkata date -d '+1 hour' +%H:%M)
run 0 "rule with quiet hours around now ($now IST)" "$PHALANX" -c "notify rule add night when warning source report to wh quiet $qs-$qe"
run 0 "a warning in quiet hours" "$PHALANX" -c "notify send warning \"report ready\" source report"
has "quiet hours: held until" "is held"
run 0 "a critical in quiet hours" "$PHALANX" -c "notify send critical \"report failed\" source report"
has "queued for" "is routed"
hasnt "held" "and not held"
A7=$(sql "select max(id) from notifications where title = 'report failed'")
wait_sql "select count(*) from notification_deliveries where notification_id = $A7 and state = 'SENT'" 5 100
same "$got" 5 "the critical went at once"
same "$(sql "select state from notification_deliveries d join notifications n on n.id = d.notification_id where n.title = 'report ready'")" \
	PENDING "the warning still waits"
run 0 "drop the quiet rule" "$PHALANX" -c "notify rule rm night"

# From here a hanging send hangs for 20 s (notify.timeout_ms): the
# checks below see it in flight however slow the machine is.
kill $servepid
wait $servepid
start_serve -o notify.timeout_ms=20000

# ---- a hanging channel must not slow a fan-out (phalanx sim) ----
start_sim --users 4 --seed 5 --tick-ms 20 --fill-lots 100 --cash 100000000
trap 'kill $fakepid $servepid $simpid 2>/dev/null' EXIT
trap 'exit 1' INT TERM
{
	echo "broker add sim kind kite url $simbase api-key $(sim_user 1 api_key)"
	for n in 1 2 3 4; do
		echo "account add a$n broker sim user-id $(sim_user $n user_id) tags desk api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
	done
} >"$TMPDIR/acc.phx"
run 0 "accounts" "$PHALANX" batch "$TMPDIR/acc.phx"
run 0 "instruments" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
run 0 "route rms warnings for desk to the hanging channel too" "$PHALANX" -c "notify rule add deskhang when warning source rms scope group:desk to hang,tg"

# fanout_ms MODE: a batch that raises an alert and fans out at once.
fanout_ms() {
	mode "{\"prefix\": \"/hang\", \"mode\": \"$1\", \"count\": -1}"
	# Titles differ per run: identical alerts within the window would
	# be one message with a count (tests/integ/notify_dedupe.sh).
	printf 'notify send critical "margin breach (%s)" source rms scope acct:a1\nbuy %s 1 lots to all\nnotify send critical "after (%s)" source rms scope acct:a2\n' "$1" "$FUT" "$1" >"$TMPDIR/f.phx"
	t0=$(date +%s%N)
	"$PHALANX" -o exec.settle_ms=0 batch "$TMPDIR/f.phx" >"$TMPDIR/f.out" 2>&1
	rc=$?
	t1=$(date +%s%N)
	echo "$(( (t1 - t0) / 1000000 )) $rc"
}
set -- $(fanout_ms ok)
ok_ms=$1
same "$2" 0 "fan-out with a healthy channel (${ok_ms} ms)"
wait_sql "select count(*) from notification_deliveries where channel_name = 'hang' and state <> 'SENT'" 0 100
set -- $(fanout_ms hang)
hang_ms=$1
same "$2" 0 "fan-out with a hanging channel (${hang_ms} ms)"
[ "$hang_ms" -le $((ok_ms * 2 + 500)) ] && ok "a hanging channel does not slow the fan-out ($hang_ms vs $ok_ms ms)" ||
	fail "a hanging channel does not slow the fan-out" "$hang_ms ms vs $ok_ms ms"
H=$(sql "select max(id) from notifications where title = 'margin breach (hang)'")
wait_sql "select state from notification_deliveries where notification_id = $H and channel_name = 'tg'" SENT 100
same "$got" SENT "the healthy channel of the same alert was not held up"
same "$(sql "select state from notification_deliveries where notification_id = $H and channel_name = 'hang'")" SENDING \
	"while the hanging one is still in flight"

# ---- a clean stop hands back what it holds ----
kill $servepid
wait $servepid
same "$?" 0 "serve stops cleanly on SIGTERM while sends hang"
same "$(sql "select string_agg(state || ':' || attempts, ',') from notification_deliveries where channel_name = 'hang' and state <> 'SENT'")" \
	"PENDING:0,PENDING:0" "its claims went back to PENDING, the attempts uncounted"
mode '{"prefix": "/hang", "mode": "ok", "count": -1}'
start_serve
wait_sql "select count(*) from notification_deliveries where channel_name = 'hang' and state <> 'SENT'" 0 100
same "$got" 0 "the next serve sent them"
kill $servepid
wait $servepid
start_serve -o notify.timeout_ms=20000

# ---- kill -9 mid-send: the lease runs out and another serve sends ----
mode '{"prefix": "/hang", "mode": "hang", "count": 1}'
h0=$(hangs)
run 0 "send to a hanging receiver" "$PHALANX" -c "notify send critical \"stuck\" to hang"
A8=$(sql "select max(id) from notifications where title = 'stuck'")
wait_hang $((h0 + 1))
kill -9 $servepid
wait $servepid 2>/dev/null
same "$(sql "select state || ':' || count(a.id) from notification_deliveries d left join notification_attempts a on a.delivery_id = d.id where d.notification_id = $A8 group by d.state")" \
	"SENDING:0" "killed mid-send: the row stays claimed, no result"
same "$(sql "select claimed_until > now() + interval '30 seconds' from notification_deliveries where notification_id = $A8")" t \
	"the lease covers two timeouts"
start_serve
sleep 1
same "$(sql "select state from notification_deliveries where notification_id = $A8")" SENDING \
	"no other worker takes it while the lease holds"
# Let the lease run out now rather than in 45 seconds.
sql "update notification_deliveries set claimed_until = now() where notification_id = $A8" >/dev/null
wait_sql "select state from notification_deliveries where notification_id = $A8" SENT 100
same "$got" SENT "another serve sent it once the lease ran out"
same "$(sql "select attempts from notification_deliveries where notification_id = $A8")" 2 \
	"the dead worker's try counts as an attempt"
kill $servepid
wait $servepid

# ---- two serves share one store: every alert sent exactly once ----
start_serve
pid1=$servepid
start_serve
pid2=$servepid
servepid="$pid1 $pid2"
h0=$(flog "sum(1 for e in L if e.get('path') == '/hook')")
i=1
while [ $i -le 30 ]; do
	echo "notify send info \"shared $i\" to wh"
	i=$((i + 1))
done >"$TMPDIR/many.phx"
run 0 "thirty alerts" "$PHALANX" batch "$TMPDIR/many.phx"
wait_sql "select count(*) from notifications n join notification_deliveries d on d.notification_id = n.id where n.title like 'shared %' and d.state = 'SENT'" 30 200
same "$got" 30 "two workers delivered all thirty"
same "$(flog "sum(1 for e in L if e.get('path') == '/hook')")" $((h0 + 30)) "each exactly once"
same "$(flog "len(set(e['headers']['x-phalanx-alert'] for e in L if e.get('path') == '/hook' and json.loads(e['body'])['title'].startswith('shared ')))")" 30 \
	"thirty distinct alert ids"
echo "# workers: $(sql "select string_agg(worker || '=' || n, ' ') from (select a.worker, count(*) n from notification_attempts a join notification_deliveries d on d.id = a.delivery_id join notifications x on x.id = d.notification_id where x.title like 'shared %' group by a.worker) w")"
kill $pid1 $pid2
wait $pid1 $pid2

# ---- removing a channel fails what waits for it ----
run 0 "notify rule rm crit" "$PHALANX" -c "notify rule rm crit"
run 0 "an alert for a channel about to go" "$PHALANX" -c "notify send info bye to sms2"
run 0 "channel rm" "$PHALANX" -c "channel rm sms2"
same "$(sql "select state || ':' || last_error from notification_deliveries d join notifications n on n.id = d.notification_id where n.title = 'bye'")" \
	"FAILED:channel removed" "its waiting delivery failed with a reason"
run 1 "channel rm again" "$PHALANX" -c "channel rm sms2"
has 'unknown channel "sms2"' "says it is unknown"
run 0 "alerts --json" "$PHALANX" --json -c "alerts last 3"
has '"ok":true' "alerts --json"
finish
