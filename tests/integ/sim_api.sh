#!/bin/sh
# phalanx sim over real HTTP: the Kite routes, validation, faults.
# Needs no database, so it sources tests/check.sh, not lib.sh (which
# wants one).
. "$(dirname "$0")/../check.sh"

start_sim --users 3 --seed 7
work="$TMPDIR/sim_api.$$"
mkdir -p "$work"
trap 'kill $simpid 2>/dev/null; rm -rf "$work"' EXIT
ok "sim listens on port $simport"
base=$simbase
same "$(grep -c '"user_id":"SIM00[123]"' "$simout")" 3 \
	"one JSON line per user"

# cred N: the Nth user's api_key:access_token
cred() {
	echo "$(sim_user "$1" api_key):$(sim_user "$1" access_token)"
}
auth1=$(cred 1)
auth2=$(cred 2)

# kite AUTH METHOD PATH [curl args...]: body in $out, status in $code.
kite() {
	a=$1
	m=$2
	p=$3
	shift 3
	out=$(curl -s -w '\n%{http_code}' -X "$m" -H 'X-Kite-Version: 3' \
		-H "Authorization: token $a" "$@" "$base$p")
	code=$(printf '%s\n' "$out" | tail -n 1)
	out=$(printf '%s\n' "$out" | sed '$d')
}

order_id() {
	printf '%s' "$out" | sed -n 's/.*"order_id":"\([0-9]*\)".*/\1/p'
}

"$PHALANX" sim --help >"$work/help.out" 2>&1
case "$(cat "$work/help.out")" in
*--rate-limit*) ok "--help prints the synopsis" ;;
*) fail "--help prints the synopsis" "$(cat "$work/help.out")" ;;
esac

# Instruments dump.
curl -s "$base/instruments" >"$work/instr.csv"
same "$(head -n 1 "$work/instr.csv")" \
	"instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange" \
	"instruments CSV header"
fut=$(grep ',NIFTY,.*,65,FUT,NFO-FUT,NFO$' "$work/instr.csv" | head -n 1 |
	cut -d, -f3)
ce=$(grep ',NIFTY,.*,65,CE,NFO-OPT,NFO$' "$work/instr.csv" | head -n 1 |
	cut -d, -f3)
case "$fut" in
NIFTY[0-9][0-9][A-Z][A-Z][A-Z]FUT) ok "NIFTY future $fut in Kite's format" ;;
*) fail "NIFTY future in Kite's format: '$fut'" ;;
esac
same "$(curl -s "$base/instruments/NSE" | grep -c ',NFO$')" 0 \
	"instruments/NSE has no NFO rows"

# Auth.
kite bad:token GET /orders
same "$code" 403 "bad token is HTTP 403"
has '"error_type":"TokenException"' "bad token is a TokenException"
has 'Incorrect `api_key` or `access_token`.' "Kite's token message"

# Quote with OI and depth.
kite "$auth1" GET "/quote?i=NFO:$fut"
same "$code" 200 "quote answers"
has '"oi":' "quote carries OI"
has '"depth":{"buy":[{"price":' "quote carries depth"

# A MARKET order fills at once.
kite "$auth1" POST /orders/regular -d tradingsymbol="$fut" -d exchange=NFO \
	-d transaction_type=BUY -d order_type=MARKET -d quantity=65 \
	-d product=NRML -d tag=itest1
same "$code" 200 "MARKET order accepted"
mkt=$(order_id)
kite "$auth1" GET "/orders/$mkt"
has '"status":"PUT ORDER REQ RECEIVED"' "history starts at PUT ORDER REQ RECEIVED"
has '"status":"COMPLETE"' "MARKET order COMPLETE"
kite "$auth1" GET /orders
has "\"order_id\":\"$mkt\"" "order book lists the order"
has '"tag":"itest1"' "order book keeps the tag"
kite "$auth1" GET /portfolio/positions
has "\"tradingsymbol\":\"$fut\"" "positions show the symbol"
has '"quantity":65' "positions show the quantity"
kite "$auth1" GET "/orders/$mkt/trades"
has '"quantity":65' "the order's trade"
kite "$auth1" GET /user/margins
has '"equity":{"enabled":true' "margins answer"

# A LIMIT far below the market rests, then cancels.
kite "$auth1" POST /orders/regular -d tradingsymbol="$fut" -d exchange=NFO \
	-d transaction_type=BUY -d order_type=LIMIT -d price=1000 \
	-d quantity=65 -d product=NRML
same "$code" 200 "LIMIT order accepted"
lim=$(order_id)
sleep 0.6
kite "$auth1" GET /orders
same "$(printf '%s' "$out" | tr '{' '\n' | grep "\"order_id\":\"$lim\"" |
	sed -n 's/.*"status":"\([A-Z ]*\)".*/\1/p')" OPEN "LIMIT order stays OPEN"
kite "$auth1" DELETE "/orders/regular/$lim"
same "$code" 200 "cancel accepted"
kite "$auth1" GET "/orders/$lim"
has '"status":"CANCELLED"' "LIMIT order CANCELLED"
has '"cancelled_quantity":65' "cancelled quantity"

# Partial fills: more than --fill-lots (20) lots fills over two passes.
kite "$auth1" POST /sim/price -H 'Content-Type: application/json' \
	-d "{\"instrument\":\"NFO:$ce\",\"price\":\"5\"}"
same "$code" 200 "price forced"
kite "$auth1" POST /orders/regular -d tradingsymbol="$ce" -d exchange=NFO \
	-d transaction_type=BUY -d order_type=MARKET -d quantity=1755 \
	-d product=NRML -d market_protection=-1
part=$(order_id)
kite "$auth1" GET "/orders/$part"
has '"status":"OPEN","status_message":null' "partial fill leaves it OPEN"
has '"filled_quantity":1300,"pending_quantity":455' "20 lots filled first"

# Validation.
kite "$auth1" POST /orders/regular -d tradingsymbol="$fut" -d exchange=NFO \
	-d transaction_type=BUY -d order_type=MARKET -d quantity=60 \
	-d product=NRML
same "$code" 400 "odd lot is HTTP 400"
has 'Quantity should be in multiples of lot size' "lot-multiple message"
kite "$auth1" POST /orders/regular -d tradingsymbol="$fut" -d exchange=NFO \
	-d transaction_type=BUY -d order_type=MARKET -d quantity=65 \
	-d product=NRML -d tag=abcdefghijklmnopqrstu
same "$code" 400 "21-character tag is HTTP 400"
has '"error_type":"InputException"' "21-character tag is an InputException"
kite "$auth1" POST /orders/regular -d tradingsymbol="$fut" -d exchange=NFO \
	-d transaction_type=BUY -d order_type=MARKET -d quantity=1950 \
	-d product=NRML
has 'Quantity exceeds freeze limit' "freeze limit"
kite "$auth1" POST /orders/regular -d tradingsymbol="$fut" -d exchange=NFO \
	-d transaction_type=BUY -d order_type=LIMIT -d price=1000.03 \
	-d quantity=65 -d product=NRML
has 'tick size' "tick size"
kite "$auth1" POST /orders/regular -d tradingsymbol="$fut" -d exchange=NFO \
	-d transaction_type=BUY -d order_type=MARKET -d product=NRML
has 'Missing or empty field `quantity`' "missing field named"

# Faults, set at run time; user 3 so the rate window of user 2 is clean.
auth3=$(cred 3)
sim_faults '{"reject_pct": 100}'
kite "$auth3" POST /orders/regular -d tradingsymbol="$fut" -d exchange=NFO \
	-d transaction_type=BUY -d order_type=MARKET -d quantity=65 \
	-d product=NRML
same "$code" 200 "a rejected order still gets an order_id"
rej=$(order_id)
sim_faults '{"reject_pct": 0, "error_pct": 100}'
kite "$auth3" GET /orders
case "$code" in
500|503) ok "error_pct gives HTTP $code" ;;
*) fail "error_pct gives HTTP 5xx, not $code" "$out" ;;
esac
sim_faults '{"error_pct": 0, "timeout_pct": 100}'
kite "$auth3" POST /orders/regular -d tradingsymbol="$fut" -d exchange=NFO \
	-d transaction_type=SELL -d order_type=MARKET -d quantity=65 \
	-d product=NRML -d tag=lost1 -m 1
same "$code" 000 "timeout_pct: no answer"
sim_faults '{"timeout_pct": 0, "latency_ms": 300}'
t0=$(date +%s%N)
kite "$auth3" GET "/orders/$rej"
t1=$(date +%s%N)
sim_faults '{"latency_ms": 0}'
has '"status":"REJECTED"' "reject_pct: order REJECTED"
has 'simulated RMS' "a rejected order says why"
[ $(((t1 - t0) / 1000000)) -ge 300 ] && ok "latency_ms delays the reply" ||
	fail "latency_ms delays the reply: $(((t1 - t0) / 1000000)) ms"
kite "$auth3" GET /orders
same "$(printf '%s' "$out" | grep -o '"tag":"lost1"' | wc -l | tr -d ' ')" 1 \
	"the unanswered order was placed, once"
curl -s -X POST -d '{"reject_pct": 101}' "$base/sim/faults" >"$work/f.out"
case "$(cat "$work/f.out")" in
*InputException*) ok "bad fault settings refused" ;;
*) fail "bad fault settings refused" "$(cat "$work/f.out")" ;;
esac

# Rate limit: the 11th order within a second is refused.
args=
n=0
while [ $n -lt 11 ]; do
	[ $n -gt 0 ] && args="$args --next"
	args="$args -s -o /dev/null -w %{http_code}, -X POST -H X-Kite-Version:3"
	args="$args -H Authorization:token\\ $auth2"
	args="$args -d tradingsymbol=$fut -d exchange=NFO -d transaction_type=BUY"
	args="$args -d order_type=LIMIT -d price=1000 -d quantity=65 -d product=NRML"
	args="$args $base/orders/regular"
	n=$((n + 1))
done
eval "curl $args" | tr ',' '\n' >"$work/rate.out"
same "$(head -n 10 "$work/rate.out" | grep -c '^200$')" 10 \
	"10 quick orders accepted"
same "$(tail -n 1 "$work/rate.out")" 429 "11th quick order is HTTP 429"
kite "$auth2" GET /orders
same "$(printf '%s' "$out" | grep -o '"order_id"' | wc -l | tr -d ' ')" 10 \
	"the refused order was not placed"

# Same seed, same users; another seed, others.
"$PHALANX" sim --listen 127.0.0.1:0 --users 3 --seed 7 --tick-ms 0 \
	>"$work/sim2.out" 2>&1 &
pid2=$!
i=0
while ! grep -q listening "$work/sim2.out" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill $pid2
wait $pid2 2>/dev/null
same "$(grep -v listening "$work/sim2.out")" \
	"$(grep -v listening "$simout")" "same seed, same users"

# Clean stop.
kill -TERM $simpid
i=0
while kill -0 $simpid 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 $simpid 2>/dev/null; then
	fail "sim stops on SIGTERM"
else
	wait $simpid
	same "$?" 0 "sim exits 0 on SIGTERM"
fi
if [ -s "$simout.err" ]; then
	fail "sim wrote nothing to stderr" "$(cat "$simout.err")"
else
	ok "sim wrote nothing to stderr"
fi

finish
