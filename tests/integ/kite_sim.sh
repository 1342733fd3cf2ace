#!/bin/sh
# The kite adapter against phalanx sim over real HTTP, through batch:
# per-account credentials, instruments load, positions and orders (text
# and --json), a paper broker beside it, and a broker that does not answer.
. "$(dirname "$0")/lib.sh"
fresh_db

start_sim --users 3 --seed 7
work="$TMPDIR/kite_sim.$$"
mkdir -p "$work"
trap 'kill $simpid 2>/dev/null; rm -rf "$work"' EXIT INT TERM
ok "sim listens on port $simport"
base=$simbase

key1=$(sim_user 1 api_key)
tok1=$(sim_user 1 access_token)

run 0 "kite broker registered" "$PHALANX" -c \
	"broker add sim kind kite url $base api-key $key1"
n=1
while [ $n -le 3 ]; do
	run 0 "account s$n with its own api key and token" "$PHALANX" -c \
		"account add s$n broker sim user-id SIM00$n tags sim api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
	hasnt "$(sim_user $n access_token)" "the token is not echoed"
	n=$((n + 1))
done
same "$(sql "select count(*) from credentials where account_id is not null and kind = 'access_token'")" 3 \
	"three account tokens stored"
same "$(sql "select count(*) from credentials where ciphertext like '%$tok1%'")" 0 \
	"tokens are stored encrypted"
same "$(sql "select api_key from accounts where name = 's2'")" "$(sim_user 2 api_key)" \
	"the account's api key is stored"

# Instruments.
run 0 "instruments load" "$PHALANX" -c "instruments load"
has "loaded" "instruments load says how many"
total=$(sql "select count(*) from instruments")
[ "$total" -gt 100 ] && ok "instruments table filled ($total rows)" ||
	fail "instruments table filled: $total rows"
same "$(sql "select distinct lot_size from instruments where name = 'NIFTY' and segment = 'NFO-FUT'")" 65 \
	"NIFTY lot size 65 from the dump"
same "$(sql "select count(*) from instruments where name = 'NIFTY' and segment = 'NFO-FUT' and expiry is not null")" \
	"$(curl -s "$base/instruments" | grep -c ',NIFTY,.*,FUT,NFO-FUT,NFO$')" \
	"every NIFTY future loaded, with its expiry"
run 0 "instruments load exchange NSE" "$PHALANX" --json -c \
	"instruments load exchange NSE"
has '"exchange":"NSE"' "--json names the exchange"
run 0 "loading twice upserts" "$PHALANX" -c "instruments load"
same "$(sql "select count(*) from instruments")" "$total" "no duplicate rows"
fut=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and segment = 'NFO-FUT' order by expiry limit 1")

# One filled order for s1, straight at the sim.
out=$(curl -s -X POST -H 'X-Kite-Version: 3' \
	-H "Authorization: token $key1:$tok1" "$base/orders/regular" \
	-d tradingsymbol="$fut" -d exchange=NFO -d transaction_type=BUY \
	-d order_type=MARKET -d quantity=130 -d product=NRML \
	-d market_protection=-1 -d tag=ksim1)
has '"status":"success"' "order placed at the sim"

run 0 "positions group:sim" "$PHALANX" -c "positions group:sim"
has "$fut" "positions show the future"
has "s1 " "positions name the account"
has "130" "positions show the quantity"
run 0 "positions --json" "$PHALANX" -c "positions acct:s1 --json"
has "\"account\":\"s1\",\"exchange\":\"NFO\",\"symbol\":\"$fut\"" \
	"--json position row"
has '"qty":130' "--json quantity is a number"
has '"avg":"' "--json money is exact text"
run 0 "orders acct:s1" "$PHALANX" -c "orders acct:s1"
has "ksim1" "orders show the tag"
has "COMPLETE" "orders show the broker status"
run 0 "orders status open" "$PHALANX" -c "orders acct:s1 status open"
has "(none)" "no open orders"
run 0 "orders status done --json" "$PHALANX" -c \
	"orders acct:s1 status done --json"
has '"state":"FILLED"' "--json carries the phalanx state"

# The same through a batch file.
cat >"$work/q.phx" <<EOF
positions all
orders group:sim status all
EOF
run 0 "batch of positions and orders" "$PHALANX" --json batch "$work/q.phx"
same "$(printf '%s\n' "$out" | grep -c '"ok":true')" 2 "both commands ok"

# A paper broker beside it: an empty book, from the same commands.
run 0 "paper broker" "$PHALANX" -c "broker add pap kind paper"
run 0 "paper account" "$PHALANX" -c "account add p1 broker pap user-id P1"
run 0 "paper positions" "$PHALANX" -c "positions acct:p1"
has "(none)" "a new paper account holds nothing"
run 0 "paper orders --json" "$PHALANX" -c "orders acct:p1 --json"
has '"data":[]' "no paper orders"
run 0 "kite and paper together" "$PHALANX" -c "positions all"
has "$fut" "sim positions still show"

# Wrong token: a per-account error, exit 1.
run 0 "token changed" "$PHALANX" -c "account set s3 access-token nope"
run 1 "a refused token fails the command" "$PHALANX" --json -c "positions all"
has '"account":"s3","error":' "error row for s3"
has '"error_code":"token"' "error row says token"
has "\"symbol\":\"$fut\"" "s1 still shows"
run 0 "token restored" "$PHALANX" -c \
	"account set s3 access-token $(sim_user 3 access_token)"

# A broker that does not answer: exit 3, the others still show.  Its
# port is one a second sim had until it stopped.
"$PHALANX" sim --listen 127.0.0.1:0 --users 1 >"$work/sim2.out" 2>&1 &
pid2=$!
deadport=
i=0
while [ -z "$deadport" ] && [ $i -lt 100 ]; do
	deadport=$(sed -n 's/^{"listening":"127\.0\.0\.1:\([0-9]*\)"}$/\1/p' \
		"$work/sim2.out")
	sleep 0.1
	i=$((i + 1))
done
kill $pid2
wait $pid2 2>/dev/null
run 0 "dead broker" "$PHALANX" -c \
	"broker add dead kind kite url http://127.0.0.1:$deadport api-key k access-token t"
run 0 "account at the dead broker" "$PHALANX" -c \
	"account add d1 broker dead user-id D1"
run 3 "unreachable broker is exit 3" "$PHALANX" --json -c "positions all"
has '"code":"broker-unreachable"' "error code broker-unreachable"
has '"account":"d1","error":' "error row for d1"
has "\"account\":\"s1\",\"exchange\":\"NFO\"" "s1 still shows"
run 3 "orders too" "$PHALANX" -c "orders all"
has "d1" "the message names the account"
has "ksim1" "in text too, the other accounts still show"

# A stopped sim: every kite account unreachable.
kill $simpid
wait $simpid 2>/dev/null
run 3 "stopped sim" "$PHALANX" -c "positions group:sim"
run 3 "instruments load from a stopped sim" "$PHALANX" -c "instruments load"

# Secrets never reach output.
run 0 "account list" "$PHALANX" --json -c "account list"
hasnt "$tok1" "account list shows no token"
run 0 "broker list" "$PHALANX" --json -c "broker list"
hasnt "$tok1" "broker list shows no token"
same "$(sql "select count(*) from audit_log where detail::text like '%$tok1%'")" 0 \
	"no token in the audit log"

finish
