#!/bin/sh
# The rest of the Kite v3 surface in `phalanx sim`: holdings, historical
# candles, trigger range, order and basket margins, GTT rules, cover
# orders and SL-M without a price.  Real HTTP, no database.
. "$(dirname "$0")/../check.sh"

start_sim --users 2 --seed 11
auth="$(sim_user 1 api_key):$(sim_user 1 access_token)"
auth2="$(sim_user 2 api_key):$(sim_user 2 access_token)"

# kite AUTH METHOD PATH [curl args...]: body in $out, status in $code.
kite() {
	a=$1
	m=$2
	p=$3
	shift 3
	out=$(curl -s -w '\n%{http_code}' -X "$m" -H 'X-Kite-Version: 3' \
		-H "Authorization: token $a" "$@" "$simbase$p")
	code=$(printf '%s\n' "$out" | tail -n 1)
	out=$(printf '%s\n' "$out" | sed '$d')
}

# jq-less field reads through python3.
py() {
	printf '%s' "$out" | python3 -c "import json,sys; d=json.load(sys.stdin)['data']; $1"
}

curl -s "$simbase/instruments" >"$TMPDIR/instr.csv"
fut=$(grep ',NIFTY,.*,FUT,NFO-FUT,NFO$' "$TMPDIR/instr.csv" | head -n 1 | cut -d, -f3)
futtok=$(grep ",$fut," "$TMPDIR/instr.csv" | cut -d, -f1)
ce=$(grep ',NIFTY,.*,CE,NFO-OPT,NFO$' "$TMPDIR/instr.csv" | sed -n 20p | cut -d, -f3)
pe=$(grep ',NIFTY,.*,PE,NFO-OPT,NFO$' "$TMPDIR/instr.csv" | sed -n 10p | cut -d, -f3)

# Holdings: a seeded portfolio, the same on every call, valued live.
kite "$auth" GET /portfolio/holdings
same "$code" 200 "holdings answer"
same "$(py 'print(3 <= len(d) <= 5 and all(h["product"] == "CNC" and h["quantity"] > 0 and len(h["isin"]) == 12 for h in d))')" True \
	"three to five CNC holdings with ISINs"
first=$out
kite "$auth" GET /portfolio/holdings
same "$(py 'print(len(d))')" "$(out=$first; py 'print(len(d))')" "holdings are stable"
kite "$auth2" GET /portfolio/holdings
[ "$out" != "$first" ] && ok "another user holds other stocks" || fail "another user holds other stocks"

# Historical candles: one path at every interval.
kite "$auth" GET "/instruments/historical/$futtok/day?from=2026-11-02&to=2026-11-06+23:59:59"
same "$code" 200 "day candles answer"
same "$(py 'print(len(d["candles"]), d["candles"][0][0])')" "5 2026-11-02T09:15:00+0530" \
	"five weekday candles from 09:15 IST"
day=$out
kite "$auth" GET "/instruments/historical/$futtok/15minute?from=2026-11-03&to=2026-11-03+23:59:59&oi=1"
same "$(py 'print(len(d["candles"]), len(d["candles"][0]))')" "25 7" "25 fifteen-minute candles with OI"
min15=$out
same "$(python3 - "$day" "$min15" <<'EOF'
import json, sys
day = json.loads(sys.argv[1])["data"]["candles"][1]
m = json.loads(sys.argv[2])["data"]["candles"]
ok = (day[1] == m[0][1] and day[4] == m[-1][4] and
      day[2] == max(c[2] for c in m) and day[3] == min(c[3] for c in m) and
      day[5] == sum(c[5] for c in m) and
      all(c[3] <= min(c[1], c[4]) and c[2] >= max(c[1], c[4]) for c in m))
print(ok)
EOF
)" True "the day candle aggregates its fifteen-minute candles"
kite "$auth" GET "/instruments/historical/$futtok/15minute?from=2026-11-03&to=2026-11-03+23:59:59&oi=1"
same "$out" "$min15" "the same request gives the same candles"
kite "$auth" GET "/instruments/historical/$futtok/minute?from=2026-01-01&to=2026-11-01"
same "$code" 400 "a minute range over 60 days is refused"
has "interval exceeds max limit: 60 days" "Kite's message for too long a range"
kite "$auth" GET "/instruments/historical/$futtok/2minute?from=2026-11-02&to=2026-11-03"
has "invalid interval" "an unknown interval is refused"
kite "$auth" GET "/instruments/historical/12345/day?from=2026-11-02&to=2026-11-03"
has "invalid token" "an unknown token is refused"
kite "$auth" GET "/instruments/historical/$futtok/day?from=2026-13-02&to=2026-11-03"
has "invalid from date" "a bad date is refused"
kite bad:token GET "/instruments/historical/$futtok/day?from=2026-11-02&to=2026-11-03"
same "$code" 403 "historical needs a token"

# Trigger range, and cover orders inside it; the price is pinned so the
# range holds still between the calls.
kite "$auth" POST /sim/price -H 'Content-Type: application/json' \
	-d "{\"instrument\":\"NFO:$fut\",\"price\":\"26000\"}"
kite "$auth" GET "/instruments/trigger_range/buy?i=NFO:$fut&i=NSE:NOPE"
same "$(py "r=d['NFO:$fut']; print(r['lower'] < r['upper'], len(d))")" "True 1" \
	"trigger range for a known key, unknown keys left out"
lower=$(py "print(d['NFO:$fut']['lower'])")
upper=$(py "print(d['NFO:$fut']['upper'])")
kite "$auth" POST /orders/co -d exchange=NFO -d tradingsymbol="$fut" \
	-d transaction_type=BUY -d order_type=MARKET -d quantity=65 \
	-d product=MIS -d trigger_price=1000
same "$code" 400 "a cover stop outside the range is refused"
has "between 25220.00 and 25999.95" "the refusal names the range (3% below the pinned price)"
kite "$auth" POST /orders/co -d exchange=NFO -d tradingsymbol="$fut" \
	-d transaction_type=BUY -d order_type=MARKET -d quantity=65 \
	-d product=MIS -d trigger_price="$lower"
same "$code" 200 "a cover order inside the range is placed"
co=$(printf '%s' "$out" | sed -n 's/.*"order_id":"\([0-9]*\)".*/\1/p')
kite "$auth" GET /orders
same "$(py "print([(o['transaction_type'], o['order_type'], o['status'], o['variety']) for o in d if o['parent_order_id'] == '$co'])")" \
	"[('SELL', 'SL-M', 'TRIGGER PENDING', 'co')]" "a filled cover order gets its SL-M stop leg"

# SL-M with a trigger and no price.
kite "$auth" POST /orders/regular -d exchange=NFO -d tradingsymbol="$fut" \
	-d transaction_type=SELL -d order_type=SL-M -d quantity=65 \
	-d product=MIS -d trigger_price="$lower"
same "$code" 200 "SL-M without a price is accepted"

# Margins for orders and a basket: a short strangle gets a spread benefit.
kite "$auth" POST /margins/orders -H 'Content-Type: application/json' \
	-d "[{\"exchange\":\"NFO\",\"tradingsymbol\":\"$fut\",\"transaction_type\":\"BUY\",\"variety\":\"regular\",\"product\":\"NRML\",\"order_type\":\"MARKET\",\"quantity\":65,\"price\":0}]"
same "$(py 'm=d[0]; print(m["span"] > 0 and m["exposure"] > 0 and abs(m["total"] - m["span"] - m["exposure"]) < 0.01 and m["charges"]["brokerage"] == 20)')" True \
	"a future's margin is SPAN plus exposure, with charges"
kite "$auth" POST "/margins/basket?consider_positions=false" -H 'Content-Type: application/json' \
	-d "[{\"exchange\":\"NFO\",\"tradingsymbol\":\"$ce\",\"transaction_type\":\"SELL\",\"product\":\"NRML\",\"order_type\":\"MARKET\",\"quantity\":65},{\"exchange\":\"NFO\",\"tradingsymbol\":\"$pe\",\"transaction_type\":\"SELL\",\"product\":\"NRML\",\"order_type\":\"MARKET\",\"quantity\":65}]"
same "$(py 'print(d["final"]["total"] < d["initial"]["total"], len(d["orders"]), d["final"]["option_premium"] < 0, d["charges"]["total"] > 0)')" \
	"True 2 True True" "a strangle's final margin is below the sum of its legs"
kite "$auth" POST /margins/orders -d 'not json'
same "$code" 400 "a body that is not JSON is refused"
kite "$auth" POST /margins/orders -H 'Content-Type: application/json' \
	-d '[{"exchange":"NFO","tradingsymbol":"NOPE","transaction_type":"BUY","quantity":1}]'
has "Order 0: unknown" "an unknown symbol is named by its index"

# GTT: an OCO rule fires its upper leg when the price crosses it.
kite "$auth" GET "/quote/ltp?i=NSE:INFY"
ltp=$(py 'print(d["NSE:INFY"]["last_price"])')
lo=$(python3 -c "print(round(int($ltp * 0.95 * 10) / 10, 1))")
hi=$(python3 -c "print(round(int($ltp * 1.05 * 10) / 10, 1))")
kite "$auth" POST /gtt/triggers --data-urlencode type=two-leg \
	--data-urlencode "condition={\"exchange\":\"NSE\",\"tradingsymbol\":\"INFY\",\"trigger_values\":[$lo,$hi],\"last_price\":$ltp}" \
	--data-urlencode "orders=[{\"transaction_type\":\"SELL\",\"order_type\":\"LIMIT\",\"product\":\"CNC\",\"quantity\":1,\"price\":$lo},{\"transaction_type\":\"SELL\",\"order_type\":\"LIMIT\",\"product\":\"CNC\",\"quantity\":1,\"price\":$hi}]"
same "$code" 200 "a two-leg GTT is placed"
gid=$(py 'print(d["trigger_id"])')
kite "$auth" GET "/gtt/triggers/$gid"
same "$(py 'print(d["status"], d["type"], len(d["orders"]))')" "active two-leg 2" "the rule is active"
kite "$auth2" GET "/gtt/triggers/$gid"
same "$code" 404 "another user cannot see it"
kite "$auth" POST /sim/price -H 'Content-Type: application/json' \
	-d "{\"instrument\":\"NSE:INFY\",\"price\":\"$(python3 -c "print(round($hi + 1, 1))")\"}"
kite "$auth" GET "/gtt/triggers/$gid"
same "$(py 'print(d["status"], d["orders"][0]["result"], d["orders"][1]["result"]["order_result"]["status"])')" \
	"triggered None success" "crossing the upper trigger places the upper leg"
placed=$(py 'print(d["orders"][1]["result"]["order_result"]["order_id"])')
kite "$auth" GET "/orders/$placed"
has '"transaction_type":"SELL"' "the placed order is in the book"
kite "$auth" PUT "/gtt/triggers/$gid" -d type=single
has "cannot be changed" "a triggered rule cannot be modified"
kite "$auth" DELETE "/gtt/triggers/$gid"
same "$code" 200 "a rule can be deleted"
kite "$auth" GET /gtt/triggers
same "$(py 'print(len(d))')" 0 "a deleted rule leaves the list"
kite "$auth" POST /gtt/triggers --data-urlencode type=single \
	--data-urlencode 'condition={"exchange":"NSE","tradingsymbol":"INFY","trigger_values":[1,2]}' \
	--data-urlencode 'orders=[]'
has "Invalid \`trigger_values\`" "a single rule with two triggers is refused"
kite "$auth" POST /gtt/triggers --data-urlencode type=sometimes
has "Invalid \`type\`" "an unknown rule type is refused"

finish
