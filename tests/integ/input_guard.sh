#!/bin/sh
# Input no order may come from, and answers that tell the truth: NUL and
# control bytes, a "#" inside a word, a "\" at the end of the input, absurd
# numbers, names and text the store would refuse (all exit 2, nothing
# stored or sent), a kill whose reason holds bad UTF-8 (it runs), commands
# not built yet, the user's order tag, cancel order, a duplicate broker
# user id and fanout show while no RMS runs -- against phalanx sim.
. "$(dirname "$0")/lib.sh"
fresh_db
start_sim --users 3 --seed 7 --tick-ms 20 --fill-lots 100 --cash 100000000

{
	echo "broker add sim kind kite url $simbase api-key $(sim_user 1 api_key)"
	for n in 1 2 3; do
		echo "account add a$n broker sim user-id $(sim_user $n user_id) priority $n tags grp api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
	done
} >"$TMPDIR/accounts.phx"
run 0 "accounts registered" "$PHALANX" batch "$TMPDIR/accounts.phx"
run 0 "instruments load" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
orders0=$(sql "select count(*) from orders")
fanouts0=$(sql "select count(*) from fanouts")

# nothing_sent DESCRIPTION: no fan-out or order was recorded since the start.
nothing_sent() {
	same "$(sql "select count(*) from fanouts")/$(sql "select count(*) from orders")" \
		"$fanouts0/$orders0" "$1: nothing recorded or sent"
}

# A NUL ends nothing: not a batch line, not a script.
out=$(printf 'buy %s 1 to acct:a1\0 --dry-run\n' "$FUT" | "$PHALANX" batch - 2>&1)
same "$?" 2 "NUL inside a batch line: exit 2"
has "line 1, column" "the NUL is located"
has "NUL" "the NUL is named"
nothing_sent "NUL on stdin"
printf 'account set a1 lots 7\n\0garbage' >"$TMPDIR/nul.phx"
run 2 "NUL on line 2 of a file" "$PHALANX" batch "$TMPDIR/nul.phx"
has "line 2, column 1" "the NUL's line and column"
same "$(sql "select lots from accounts where name = 'a1'")" 1 "line 1 was not applied"
out=$(printf 'buy %s 1 to acct:a1\0 --dry-run\n' "$FUT" | "$PHALANX" --json batch - 2>/dev/null)
same "$?" 2 "NUL with --json: exit 2"
has '"code":"parse"' "--json says parse"
printf 'positions\rbuy %s 1 to acct:a1\n' "$FUT" >"$TMPDIR/cr.phx"
run 2 "a bare CR" "$PHALANX" batch "$TMPDIR/cr.phx"
has "0x0D (CR)" "the CR is named"
run 2 "an ESC in a comment" "$PHALANX" -c "$(printf 'positions # \033[2J')"
run 2 "a control byte in -c" "$PHALANX" -c "$(printf 'buy %s 1 to acct:a1 tag a\001b' "$FUT")"
printf 'positions\r\norders\r\n' >"$TMPDIR/crlf.phx"
run 0 "CRLF line ends are fine" "$PHALANX" batch "$TMPDIR/crlf.phx"
printf 'buy %s 1 to acct:a1 \\' "$FUT" >"$TMPDIR/cut.phx"
run 2 "a continuation cut off at the end" "$PHALANX" batch "$TMPDIR/cut.phx"
has "got end of input" "the cut is named"

# "#" starts a comment only at the start of a word.
run 2 "tag t#1 is no comment" "$PHALANX" -c "buy $FUT 1 to acct:a1 tag t#1 --dry-run"
has "for \"tag\", got \"t#1\"" "the tag is named whole"
nothing_sent "mid-word #"
run 0 "# after a space is a comment" "$PHALANX" -c "buy $FUT 1 to acct:a1 --dry-run #live"
has "nothing sent" "still a dry run"

# Numbers nobody trades: at parse time, or refused whole by the plan.
run 2 "qty 2147483647" "$PHALANX" -c "buy $FUT 2147483647 to all --dry-run"
has "(at most 10000000)" "the ceiling is named"
run 2 "thirty digits" "$PHALANX" --json -c "account set a1 lots 123456789012345678901234567890"
has '"code":"parse"' "--json parse error"
run 2 "negative price" "$PHALANX" -c "buy $FUT 1 limit -5 to acct:a1"
run 2 "multiplier beyond the column" "$PHALANX" -c "account set a1 multiplier 123456789"
run 1 "a plan of more than 50 child orders" "$PHALANX" -c "buy $FUT 5000 to all --dry-run"
has "one fan-out sends at most 50 per account" "the slice ceiling is named"
run 0 "a runaway multiplier" "$PHALANX" -c "account set a2 multiplier 10000"
run 1 "multiplier policy above the unit ceiling" "$PHALANX" -c "buy $FUT 20 to all policy multiplier --dry-run"
has "account \"a2\"" "the account is named"
run 0 "multiplier back" "$PHALANX" -c "account set a2 multiplier 1"
nothing_sent "absurd numbers"

# Names, tags and text the store would refuse.
run 2 "account add -65" "$PHALANX" -c "account add -65 broker sim"
has "expected an account name" "the name is refused as a name"
hasnt "violates" "no server message"
run 2 "a tag starting with -" "$PHALANX" -c "account tag a1 +-x"
run 2 "unkill reason with bad UTF-8" "$PHALANX" -c "$(printf 'unkill acct:a1 reason "caf\351"')"
has "valid UTF-8" "the reason is refused, named"
same "$(sql "select count(*) from accounts")" 3 "no account added"

# A kill with a bad byte in its reason runs; the reason is repaired.
run 0 "kill with bad UTF-8 in the reason" "$PHALANX" -c "$(printf 'kill acct:a3 reason "fat \377 finger"')"
same "$(sql "select trading_state from accounts where name = 'a3'")" HALTED "a3 halted"
same "$(sql "select detail->>'reason' from audit_log where action = 'account.kill' order by ts desc limit 1")" \
	"fat $(printf '\357\277\275') finger" "the reason stored with U+FFFD"
run 0 "unkill" "$PHALANX" -c "unkill acct:a3 reason ok"
run 0 "squareoff with a bad reason" "$PHALANX" -c "$(printf 'squareoff acct:a3 reason "\300x"')"

# Every command in help is built: none is marked "not built yet", and
# the last families to land run.
run 0 "help" "$PHALANX" -c "help"
has "export trades" "help lists export"
same "$(echo "$out" | grep -c 'not built')" 0 "help marks no command as not built"
run 0 "schedule list" "$PHALANX" -c "schedule list"
hasnt "not built yet" "schedule list runs"
run 0 "connector list" "$PHALANX" -c "connector list"
hasnt "not built yet" "connector list runs"
run 0 "run list --json" "$PHALANX" --json -c "run list"
hasnt '"code":"not-available"' "run list answers in JSON"

# The user's tag: kept with the fan-out and shown, not sent to Kite.
run 0 "buy with a tag" "$PHALANX" -c "buy $FUT 1 to acct:a1 tag \"hedge 1\""
fid=$(sql "select max(id) from fanouts")
same "$(sql "select tag from fanouts where id = $fid")" "hedge 1" "tag stored with the fan-out"
same "$(sql "select count(*) from orders where fanout_id = $fid and client_tag = 'hedge 1'")" 0 \
	"the broker's tag field keeps the client tag"
run 0 "fanout show" "$PHALANX" -c "fanout show $fid"
has "tag hedge 1" "fanout show shows the tag"
run 0 "fanouts --json" "$PHALANX" --json -c "fanouts last 1"
has '"tag":"hedge 1"' "fanouts --json has the tag"

# The RMS guard judged the legs: its real time, in text and JSON.
run 0 "fanout show timings" "$PHALANX" -c "fanout show $fid"
rms_ms=$(echo "$out" | grep 'RMS pass' | awk '{print $3}')
case "$rms_ms" in [0-9]*.[0-9]*) ok "RMS pass is a time ($rms_ms ms)" ;;
*) fail "RMS pass is a time" "$out" ;; esac
run 0 "fanout show --json" "$PHALANX" --json -c "fanout show $fid"
case "$out" in *'"rms_us":'[0-9]*) ok "rms_us is a number" ;;
*) fail "rms_us is a number" "$out" ;; esac
same "$(sql "select t_rms >= t_intent and t_rms <= t_first_send from fanouts where id = $fid")" t \
	"the RMS pass is after the intent and before the first send"

# cancel order: by phalanx id and by broker id, confirmed, recorded.
run 0 "a resting limit order" "$PHALANX" -c "buy $FUT 1 limit 1 to acct:a2"
oid=$(sql "select max(id) from orders")
same "$(sql "select state from orders where id = $oid")" OPEN "the order rests"
run 0 "cancel order by phalanx id" "$PHALANX" -c "cancel order $oid"
has "CANCELLED" "the cancel is confirmed"
same "$(sql "select state from orders where id = $oid")" CANCELLED "CANCELLED recorded"
same "$(sql "select count(*) from order_events where order_id = $oid and state = 'CANCELLED'")" 1 \
	"one CANCELLED event"
same "$(sql "select count(*) from audit_log where action = 'order.cancel' and object = 'order:$oid'")" 1 \
	"the cancel is audited"
run 0 "another resting order" "$PHALANX" -c "buy $FUT 1 limit 1 to acct:a3"
oid=$(sql "select max(id) from orders")
bid=$(sql "select broker_order_id from orders where id = $oid")
run 0 "cancel order by broker id" "$PHALANX" --json -c "cancel order $bid"
has '"state":"CANCELLED"' "--json has the confirmed state"
same "$(sql "select state from orders where id = $oid")" CANCELLED "CANCELLED recorded"
# Cancelling a cancelled order is what was asked for: exit 0, and the
# broker's refusal is shown.
run 0 "cancel it again" "$PHALANX" -c "cancel order $oid"
has "CANCELLED: Order cannot be cancelled" "the second cancel says what the order is"
run 0 "a filled order" "$PHALANX" -c "buy $FUT 1 to acct:a1"
oid=$(sql "select max(id) from orders")
run 1 "cancel a filled order" "$PHALANX" -c "cancel order $oid"
has "FILLED" "the error says FILLED"
run 1 "cancel an unknown order" "$PHALANX" -c "cancel order 987654321"
has "no order \"987654321\" on record" "unknown id, clear error"
run 1 "cancel an unknown order --json" "$PHALANX" --json -c "cancel order NOPE-1"
has '"code":"unknown-order"' "--json code unknown-order"
run 2 "cancel order with a bad id" "$PHALANX" -c "cancel order ../x"

# A duplicate broker user id names who holds it.
u1=$(sim_user 1 user_id)
run 1 "duplicate user id on add" "$PHALANX" -c "account add dup broker sim user-id $u1"
has "user id \"$u1\" is already used by account \"a1\" at broker \"sim\"" "the holder is named"
hasnt "account \"dup\" already exists" "not called a duplicate name"
run 1 "duplicate user id on set" "$PHALANX" -c "account set a2 user-id $u1"
has "is already used by account \"a1\"" "set names the holder too"
run 1 "duplicate name" "$PHALANX" -c "account add a1 broker sim user-id ZZ9999"
has "account \"a1\" already exists" "a duplicate name is still one"

run 0 "flat again" "$PHALANX" -c "squareoff all"
finish
