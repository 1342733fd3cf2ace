#!/bin/sh
# Scheduled export delivery end to end: trades made against phalanx sim,
# an e-mail channel on the fake SMTP sink, phalanx serve running.  A
# schedule exporting today's trades by e-mail fired by `schedule run`
# delivers the CSV attached, and the attachment passes export verify with
# the hashes the store recorded; a PDF by e-mail; a schedule posting to
# an HTTP receiver fired by serve's own scheduler (test clock) delivers
# there; a receiver answering 500 fails the run and says why.
. "$(dirname "$0")/lib.sh"
fresh_db
SRC=${PHALANX_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
OUT="$TMPDIR/out"
mkdir -p "$OUT"
start_sim --users 2 --seed 31 --tick-ms 0 --fill-lots 100 --cash 100000000

python3 "$SRC/tests/notify_fake.py" >"$TMPDIR/fake.out" 2>"$TMPDIR/fake.err" &
fakepid=$!
servepid=
trap 'kill $fakepid $simpid $servepid 2>/dev/null' EXIT INT TERM
i=0
while [ $i -lt 100 ] && ! grep -q smtp "$TMPDIR/fake.out"; do sleep 0.1; i=$((i + 1)); done
port() { sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" "$TMPDIR/fake.out"; }
SP=$(port smtp)
FAKE="http://127.0.0.1:$(port http)"
[ -n "$SP" ] && ok "the fake SMTP sink and HTTP receiver listen" || { fail "notify_fake.py starts" "$(cat "$TMPDIR/fake.err")"; finish; exit 1; }
# fsave FILE PYEXPR: PYEXPR over the receiver's log L, written to FILE.
fsave() {
	curl -s -m 10 "$FAKE/_log" | python3 -c "
import json, sys, base64, email
L = json.load(sys.stdin)
v = $2
open(sys.argv[1], 'wb').write(v if isinstance(v, bytes) else v.encode())" "$1"
}
mails() { curl -s -m 10 "$FAKE/_log" | python3 -c "import json,sys; print(sum(1 for e in json.load(sys.stdin) if e.get('smtp')))"; }
posts() { curl -s -m 10 "$FAKE/_log" | python3 -c "import json,sys; print(sum(1 for e in json.load(sys.stdin) if e.get('path') == '/reports'))"; }
wait_for() {	# wait_for SHELL-EXPR VALUE SECONDS
	i=0
	while [ "$(eval "$1")" != "$2" ] && [ $i -lt $(($3 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
X() { "$PHALANX" -o firm.name="Acme Capital LLP" -o report.member_code=M12345 "$@"; }

run 0 "registry" "$PHALANX" batch - <<EOF2
broker add sim kind kite url $simbase api-key $(sim_user 1 api_key)
account add k1 broker sim user-id $(sim_user 1 user_id) api-key $(sim_user 1 api_key) access-token $(sim_user 1 access_token)
account add k2 broker sim user-id $(sim_user 2 user_id) api-key $(sim_user 2 api_key) access-token $(sim_user 2 access_token)
instruments load exchange NFO
channel add mail kind email smtp smtp://127.0.0.1:$SP tls none from reports@desk.example to ops@desk.example user u password p
EOF2
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
run 0 "buy 1 lot in both" "$PHALANX" -c "buy $FUT 1 lots to all"
run 0 "sell 1 lot in k1" "$PHALANX" -c "sell $FUT 1 lots to acct:k1"
same "$(sql "select count(*) from orders where state = 'FILLED'")" 3 "three orders filled at the sim"
fills=3

# (The kite adapter records an order's filled quantity and average price,
# not its trades: each filled order is one row of the trades report.)
# serve runs beside it all the time (its scheduler is what fires the
# timed schedules); its notification worker is off so only exports mail.
# Its clock runs a minute a second from now (IST).
# (Not through X: $! of a backgrounded function is its subshell, and the
# daemon would outlive the test holding its duties.)
"$PHALANX" -o firm.name="Acme Capital LLP" -o report.member_code=M12345 \
    -o "schedule.test_clock=$(TZ=Asia/Kolkata date +%Y-%m-%dT%H:%M)*60" \
    -o schedule.tick_ms=100 -o notify.worker=false -o exec.reconcile_s=0 \
    serve --listen 127.0.0.1:0 >"$TMPDIR/serve.out" 2>"$TMPDIR/serve.err" &
servepid=$!

# -- e-mail, fired by `schedule run` -----------------------------------------
run 0 "schedule an e-mailed export" X -c 'schedule add eod cron "0 3 1 1 *" run "export trades from today to today format csv email compliance@desk.example"'
run 0 "schedule run eod" X -c "schedule run eod"
rid=$(sql "select max(id) from runs where ref = 'eod'")
wait_for "sql \"select state from runs where id = $rid\"" SUCCEEDED 20
same "$(sql "select kind || ' ' || state from runs where id = $rid")" "manual SUCCEEDED" "the run succeeded"
wait_for mails 1 10
same "$(mails)" 1 "one mail at the sink"
fsave "$OUT/mailed.csv" "[a.get_payload(decode=True) for a in email.message_from_string([e['data'] for e in L if e.get('smtp')][-1]).walk() if (a.get_filename() or '').endswith('.csv')][0]"
same "$(curl -s -m 10 "$FAKE/_log" | python3 -c "import json,sys; print([e['rcpt'] for e in json.load(sys.stdin) if e.get('smtp')][-1])")" \
	"['<compliance@desk.example>']" "sent to the schedule's address"
out=$("$PHALANX" export verify "$OUT/mailed.csv")
case "$out" in *": intact: "*) ok "the attachment verifies: $out" ;; *) fail "the attachment verifies" "$out" ;; esac
hdr() { sed -n "s/^# $2: \(.*\)\r$/\1/p" "$1"; }
arid=$(hdr "$OUT/mailed.csv" 'report id')
same "$(sql "select sha256 || ' ' || report_sha256 || ' ' || destination || ' ' || rows from exports where id = '$arid'")" \
	"$(hdr "$OUT/mailed.csv" sha256) $(hdr "$OUT/mailed.csv" 'report sha256') mailto:compliance@desk.example $fills" \
	"the store recorded the attachment's hashes, its address and today's $fills trades"
same "$(sed '/^#/d' "$OUT/mailed.csv" | sed 1d | cut -d, -f10 | tr -d '\r' | sort -u)" "$FUT" "the trades are the sim's"
today=$(TZ=Asia/Kolkata date +%F)
same "$(hdr "$OUT/mailed.csv" period)" "$today to $today (IST, both days included)" "\"today\" is today's date in IST"
same "$(sql "select count(*) from audit_log where action = 'export' and object = '$arid'")" 1 "audited"

# The same by PDF.
run 0 "a pdf schedule" X -c 'schedule add eodpdf cron "5 3 1 1 *" run "export pnl from yesterday to today format pdf email compliance@desk.example"'
run 0 "schedule run eodpdf" X -c "schedule run eodpdf"
wait_for mails 2 10
fsave "$OUT/mailed.pdf" "[a.get_payload(decode=True) for a in email.message_from_string([e['data'] for e in L if e.get('smtp')][-1]).walk() if (a.get_filename() or '').endswith('.pdf')][0]"
prid=$(sql "select id from exports where format = 'pdf'")
psha=$(sql "select report_sha256 from exports where id = '$prid'")
pdfinfo "$OUT/mailed.pdf" | grep -q "^Subject:.*report sha256 $psha" && ok "the attached PDF carries the recorded report sha256" ||
	fail "the attached PDF" "$(pdfinfo "$OUT/mailed.pdf" 2>&1)"

# -- HTTP, fired by serve's scheduler ----------------------------------------
# Every minute: on serve's clock, every second; paused once it posted.
run 0 "schedule an http export" X -c "schedule add post cron \"* * * * *\" run \"export trades from today to today format csv http $FAKE/reports\""
wait_for posts 1 20
[ "$(posts)" -ge 1 ] && ok "serve's scheduler fired it and the receiver got the report" || fail "no POST from serve" "$(tail -5 "$TMPDIR/serve.err")"
run 0 "pause it" X -c "schedule pause post"
# Only serve's scheduler makes runs of kind schedule (schedule run: manual).
wait_for "sql \"select count(*) > 0 from runs where ref = 'post' and kind = 'schedule' and state = 'SUCCEEDED'\"" t 20
same "$(sql "select count(*) > 0 from runs where ref = 'post' and kind = 'schedule' and state = 'SUCCEEDED'")" t \
	"a scheduled run, fired by serve, succeeded"
same "$(sql "select count(*) from runs where ref = 'post' and state not in ('SUCCEEDED', 'RUNNING', 'PENDING')")" 0 "none of its runs failed"
fsave "$OUT/posted.csv" "[e['body'] for e in L if e.get('path') == '/reports'][-1]"
run 0 "the posted report verifies" "$PHALANX" export verify "$OUT/posted.csv"
same "$(curl -s -m 10 "$FAKE/_log" | python3 -c "import json,sys; e = [e for e in json.load(sys.stdin) if e.get('path') == '/reports'][-1]['headers']; print(e.get('x-phalanx-sha256'), e.get('x-phalanx-report-sha256'))")" \
	"$(hdr "$OUT/posted.csv" sha256) $(hdr "$OUT/posted.csv" 'report sha256')" "the POST's headers carry both hashes"

# -- a receiver that fails: the run fails and says why -----------------------
curl -s -X POST -d '{"prefix": "/broken", "mode": "500"}' "$FAKE/_mode" >/dev/null
run 0 "a schedule to a broken receiver" X -c "schedule add broken cron \"10 3 1 1 *\" run \"export trades from today to today format csv http $FAKE/broken\""
run 1 "schedule run broken" X -c "schedule run broken"
brid=$(sql "select max(id) from runs where ref = 'broken'")
wait_for "sql \"select state from runs where id = $brid\"" FAILED 20
same "$(sql "select state from runs where id = $brid")" FAILED "the run failed"
out=$("$PHALANX" -c "run logs $brid" 2>&1)
has "status 500" "its log names the status"
has "the report is kept at" "and where the file is"
same "$(sql "select count(*) from exports where destination like '%/broken'")" 0 "nothing recorded as delivered"
kill $servepid
wait $servepid 2>/dev/null
servepid=
finish
