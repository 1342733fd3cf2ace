#!/bin/sh
# pcr and gamma against phalanx sim: the ratios are the sums of the OI
# and volume the simulator's own quotes report, max pain and the
# zero-gamma level are strikes and spots of that chain, and bad input
# is refused by name.
. "$(dirname "$0")/lib.sh"
fresh_db
start_sim --users 1 --seed 17 --tick-ms 0

run 0 "registry" "$PHALANX" batch - <<EOF2
broker add sim kind kite url $simbase api-key $(sim_user 1 api_key)
account add k1 broker sim user-id $(sim_user 1 user_id) api-key $(sim_user 1 api_key) access-token $(sim_user 1 access_token)
instruments load exchange NFO
EOF2

run 0 "pcr NIFTY" "$PHALANX" --json -c "pcr NIFTY"
pcr=$out
exp=$(printf '%s' "$pcr" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["expiry"])')
same "$exp" "$(sql "select min(expiry) from instruments where name = 'NIFTY' and instrument_type = 'CE' and expiry >= (now() at time zone 'Asia/Kolkata')::date")" \
	"the nearest unexpired expiry"

# The same chain's quotes, asked of the simulator directly.
keys=$(sql "select 'i=NFO:' || tradingsymbol from instruments where name = 'NIFTY' and expiry = '$exp' and instrument_type in ('CE', 'PE')" | paste -sd'&')
curl -s -H 'X-Kite-Version: 3' \
	-H "Authorization: token $(sim_user 1 api_key):$(sim_user 1 access_token)" \
	"$simbase/quote?$keys" >"$TMPDIR/quotes.json"
same "$(python3 - "$pcr" "$TMPDIR/quotes.json" <<'EOF3'
import json, sys
got = json.loads(sys.argv[1])["data"]
q = json.load(open(sys.argv[2]))["data"]
calls = sum(v["oi"] for k, v in q.items() if k.endswith("CE"))
puts = sum(v["oi"] for k, v in q.items() if k.endswith("PE"))
strikes = {float(k[-7:-2]) for k in q}
print(got["call_oi"] == calls, got["put_oi"] == puts,
      abs(got["pcr_oi"] - puts / calls) < 1e-9,
      got["max_pain"] in strikes, got["options"] == len(q))
EOF3
)" "True True True True True" "PCR is the sums of the quotes' OI, max pain a strike"

run 0 "gamma NIFTY" "$PHALANX" --json -c "gamma NIFTY"
same "$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)["data"]
s = d["strikes"]
ok = all(a["strike"] < b["strike"] for a, b in zip(s, s[1:]))
ok = ok and all(x["call_gex"] >= 0 and x["put_gex"] <= 0 for x in s)
ok = ok and abs(sum(x["net_gex"] for x in s) - d["total_gex"]) < 1e-6 * max(1, abs(d["total_gex"]))
zg = d["zero_gamma"]
ok = ok and (zg is None or abs(zg - d["spot"]) <= 0.15 * d["spot"] + 1)
print(ok, d["iv_missing"])')" "True 0" "strikes ascend, calls long, puts short, the total adds up"
run 0 "gamma as text" "$PHALANX" -c "gamma BANKNIFTY"
has "zero gamma" "names the zero-gamma level"
has "STRIKE      CALL OI" "a table by strike"

run 1 "an underlying with no options" "$PHALANX" -c "pcr NOPE"
has "no unexpired options of NOPE" "says so"
run 1 "an expiry with no options" "$PHALANX" -c "pcr NIFTY expiry 2020-01-02"
has "expiring 2020-01-02" "names the expiry"
run 2 "a bad date" "$PHALANX" -c "gamma NIFTY expiry 2026-13-45"
run 2 "a bad name" "$PHALANX" -c "pcr 'NIFTY;drop'"

kill "$simpid"
wait "$simpid" 2>/dev/null
run 3 "the broker is down" "$PHALANX" -c "pcr NIFTY"
finish
