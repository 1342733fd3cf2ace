#!/bin/sh
# Webhook signals and the accounts they reach, under phalanx serve
# against phalanx sim:
#  - a burst of signals fanned out "to all" while an RMS template bound to
#    p1 refuses p1's legs, and then while p1 is HALTED by the RMS: every
#    fan-out has a leg for every account, p1's DENIED with the rule that
#    refused it -- never silently left out;
#  - signals of one connector and symbol run in the order they arrived,
#    each after the one before it finished, while another symbol's run
#    meanwhile.
. "$(dirname "$0")/lib.sh"
fresh_db

start_sim --users 2 --seed 21 --tick-ms 20 --cash 1000000000 --rate-limit 0
{
	echo "broker add sim kind kite url $simbase api-key k"
	for n in 1 2; do
		echo "account add p$n broker sim user-id $(sim_user $n user_id) api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
	done
} >"$TMPDIR/reg.phx"
run 0 "accounts" "$PHALANX" batch "$TMPDIR/reg.phx"
run 0 "instruments NFO" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
FUT2=$(sql "select tradingsymbol from instruments where name = 'BANKNIFTY' and instrument_type = 'FUT' order by expiry limit 1")
[ -n "$FUT" ] && [ -n "$FUT2" ] && ok "two futures: $FUT $FUT2" || fail "two futures"

cat >"$TMPDIR/setup.phx" <<EOF
rms template add p1guard from positional orders-per-sec 3 window 00:00-23:59 products nrml,mis
rms apply p1guard to acct:p1
strategy add everyone target all product nrml
strategy add one target acct:p2 product nrml
connector add fan dialect tradingview strategy everyone token fan-secret-01
connector add ord dialect tradingview strategy one token ord-secret-02
EOF
run 0 "template on p1, strategies, connectors" "$PHALANX" batch "$TMPDIR/setup.phx"

start_serve -o hook.poll_ms=100 -o hook.dedupe_s=0
ok "serve listens"
hook="http://127.0.0.1:$sport/hook"

# signal CONNECTOR TOKEN SYMBOL QTY: posted; the HTTP status in $code.
signal() {
	printf '{"passphrase":"%s","ticker":"%s","exchange":"NFO","action":"buy","contracts":"%s"}' "$2" "$3" "$4" >"$TMPDIR/body"
	code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @"$TMPDIR/body" "$hook/$1")
}
# wait_done N: until N signals are finished.
wait_done() {
	i=0
	while [ "$(sql "select count(*) from signals where status in ('DONE', 'FAILED', 'REJECTED')")" -lt "$1" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
# The signals' fan-outs that have no leg (order row) for account $1.
missing_legs() {
	sql "select count(*) from signals s where s.connector_id = (select id from connectors where name = 'fan') and s.id > ${2:-0} and not exists (select 1 from orders o join accounts a on a.id = o.account_id where o.fanout_id = s.fanout_id and a.name = '$1')"
}

# --- a burst "to all" that p1's template refuses in part ----------------
codes=
for n in 1 2 3 4 5 6 7 8; do
	signal fan fan-secret-01 "$FUT" 1
	codes="$codes$code "
done
same "$codes" "200 200 200 200 200 200 200 200 " "eight signals accepted"
wait_done 8
same "$(sql "select count(*) from signals where fanout_id is not null")" 8 "each has its fan-out"
same "$(missing_legs p2)" 0 "every fan-out has p2's leg"
same "$(missing_legs p1)" 0 "every fan-out has p1's leg too"
denied=$(sql "select count(*) from orders o join accounts a on a.id = o.account_id where a.name = 'p1' and o.state = 'DENIED'")
same "$(sql "select count(*) from orders o join accounts a on a.id = o.account_id where a.name = 'p1' and o.state = 'DENIED' and o.message like 'RMS orders-per-sec%'")" "$denied" \
	"each p1 leg refused is DENIED with its rule ($denied of 8)"
same "$(sql "select count(*) from orders o join accounts a on a.id = o.account_id where a.name = 'p2' and o.state = 'DENIED'")" 0 \
	"p2 (no template) has no leg refused"

# --- p1 HALTED: its legs are refused, listed, never left out ------------
run 0 "p1 halted" "$PHALANX" -c "kill acct:p1 reason test-halt"
same "$(sql "select trading_state from accounts where name = 'p1'")" HALTED "p1 is HALTED"
sleep 1.2	# the RMS snapshot reloads on the registry's NOTIFY
last=$(sql "select coalesce(max(id), 0) from signals")
for n in 1 2 3; do
	signal fan fan-secret-01 "$FUT2" 1
done
wait_done 11
same "$(missing_legs p1 "$last")" 0 "while p1 is HALTED every fan-out still has p1's leg"
same "$(sql "select count(*) from orders o join accounts a on a.id = o.account_id join signals s on s.fanout_id = o.fanout_id where a.name = 'p1' and s.id > $last and o.state = 'DENIED' and o.message like 'RMS halted%'")" 3 \
	"DENIED by the RMS rule halted"
same "$(sql "select count(*) from orders o join accounts a on a.id = o.account_id join signals s on s.fanout_id = o.fanout_id where a.name = 'p2' and s.id > $last and o.state <> 'DENIED'")" 3 \
	"p2's legs went out"
f=$(sql "select fanout_id from signals where id > $last order by id limit 1")
out=$("$PHALANX" -c "fanout show $f" 2>&1)
has "p1" "fanout show lists p1"
has "DENIED" "as DENIED"
run 0 "p1 back" "$PHALANX" -c "unkill acct:p1 reason test-over"

# --- one connector, one symbol: arrival order; another symbol alongside --
sim_faults '{"latency_ms": 150}'
last=$(sql "select coalesce(max(id), 0) from signals")
for q in 1 2 3 4; do
	signal ord ord-secret-02 "$FUT" "$q"
	signal ord ord-secret-02 "$FUT2" "$q"
done
wait_done $((last + 8))
sim_faults '{"latency_ms": 0}'
same "$(sql "select string_agg(status, ',' order by id) from signals where id > $last")" \
	"DONE,DONE,DONE,DONE,DONE,DONE,DONE,DONE" "the eight signals ran"
for sym in "$FUT" "$FUT2"; do
	same "$(sql "select string_agg(qty::text, ',' order by id) from signals where id > $last and symbol = '$sym'")" "1,2,3,4" \
		"$sym: stored in arrival order"
	same "$(sql "select string_agg(s.qty::text, ',' order by f.t_first_send) from signals s join fanouts f on f.id = s.fanout_id where s.id > $last and s.symbol = '$sym'")" "1,2,3,4" \
		"$sym: sent in arrival order"
	same "$(sql "select count(*) from signals a join signals b on b.symbol = a.symbol and b.id > a.id where a.id > $last and a.symbol = '$sym' and b.t_started < a.t_done")" 0 \
		"$sym: each started after the one before it was done"
done
same "$(sql "select count(*) > 0 from signals a join signals b on b.symbol <> a.symbol where a.id > $last and b.id > $last and b.t_started < a.t_done and a.t_started < b.t_done")" t \
	"the two symbols ran alongside each other"

kill "$servepid"
wait "$servepid"
same "$?" 0 "serve stops cleanly"
finish
