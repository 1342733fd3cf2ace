#!/bin/sh
# RMS reaction benchmark against phalanx sim: 100 accounts x 3 positions
# under a firm-wide mtm-loss limit answered by squareoff, watched by a
# `phalanx serve`; one price tick crosses every account's limit.  Prints
# the time from the tick (POST /sim/price) to the first and to the last
# square-off order on the wire (their SUBMITTED events), with the part
# of it spent before the monitor saw the price (rms.monitor_ms and the
# quote call) shown apart.  Never fails on a time.
set -u
PHALANX=${PHALANX:-$PHALANX_SRCDIR/phalanx}
MONITOR_MS=${PHALANX_BENCH_RMS_MS:-50}
export PHALANX_MASTER_KEY=00000000000000000000000000000000000000000000000000000000000000aa
export XDG_CONFIG_HOME="$TMPDIR/config"

psql "$PHALANX_BENCH_DSN" -qAtc "drop database if exists bench_rms" >/dev/null 2>&1
psql "$PHALANX_BENCH_DSN" -qAtc "create database bench_rms" >/dev/null
PHALANX_DSN=$(echo "$PHALANX_BENCH_DSN" | sed "s/dbname=[^ ]*/dbname=bench_rms/")
export PHALANX_DSN
sql() { psql "$PHALANX_DSN" -qAtc "$1"; }

out="$TMPDIR/sim.out"
"$PHALANX" sim --listen 127.0.0.1:0 --rate-limit 0 --tick-ms 50 \
    --cash 1000000000 --users 100 >"$out" 2>/dev/null &
simpid=$!
servepid=
trap 'kill $simpid $servepid 2>/dev/null' EXIT INT TERM
port=
while [ -z "$port" ]; do
	sleep 0.05
	port=$(sed -n 's/^{"listening":"127\.0\.0\.1:\([0-9]*\)"}$/\1/p' "$out")
done
{
	echo "broker add sim kind kite url http://127.0.0.1:$port api-key x"
	awk -F'"' '/user_id/ { printf "account add u%s broker sim user-id %s priority %d api-key %s access-token %s\n", $4, $4, NR, $8, $16 }' "$out"
} >"$TMPDIR/reg.phx"
"$PHALANX" batch "$TMPDIR/reg.phx" >/dev/null
"$PHALANX" -c "instruments load exchange NFO" >/dev/null
syms=$(sql "select tradingsymbol from instruments where name in ('NIFTY', 'BANKNIFTY', 'FINNIFTY') and instrument_type = 'FUT' and expiry = (select min(expiry) from instruments where name = 'NIFTY' and instrument_type = 'FUT') order by name")
nifty=$(echo "$syms" | grep '^NIFTY')
for s in $syms; do
	px=$(sql "select last_price from instruments where tradingsymbol = '$s'")
	curl -s -X POST -d "{\"instrument\":\"NFO:$s\",\"price\":\"$px\"}" \
	    "http://127.0.0.1:$port/sim/price" >/dev/null
	"$PHALANX" -o exec.settle_ms=0 -c "buy $s 1 lots to all product nrml" >/dev/null
done
"$PHALANX" -c "rms template add benchloss mtm-loss 1000 on-mtm-loss squareoff" >/dev/null
"$PHALANX" -c "rms apply benchloss to all" >/dev/null
"$PHALANX" -o rms.monitor_ms="$MONITOR_MS" -o exec.mtm_ms=0 serve \
    --listen 127.0.0.1:0 >"$TMPDIR/serve.out" 2>"$TMPDIR/serve.err" &
servepid=$!
i=0
while [ "$(sql "select count(*) from rms_watches where started")" != 100 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
# tick SYMBOL PRICE: POST /sim/price, printing the wall time (us) at
# which the request was written -- at or before the tick, so the figure
# errs long; with curl, its own start-up would count.  bash (for
# /dev/tcp and EPOCHREALTIME) if there is one, else date and curl.
tick() {
	body="{\"instrument\":\"NFO:$1\",\"price\":\"$2\"}"
	if command -v bash >/dev/null 2>&1; then
		BODY=$body PORT=$port bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$PORT" || exit 1
printf "POST /sim/price HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" "${#BODY}" "$BODY" >&3
t=${EPOCHREALTIME/./}
cat <&3 >/dev/null
echo "$t"' && return
	fi
	date +%s%6N
	curl -s -X POST -d "$body" "http://127.0.0.1:$port/sim/price" >/dev/null
}
px=$(sql "select last_price from instruments where tradingsymbol = '$nifty'")
low=$(echo "$px" | awk '{ printf "%.1f", $1 * 0.97 }')
t0=$(tick "$nifty" "$low")
q="select count(distinct e.order_id) from order_events e join orders o on o.id = e.order_id join fanouts f on f.id = o.fanout_id where f.source = 'rms' and e.state = 'SUBMITTED'"
i=0
while [ "$(sql "$q")" -lt 300 ] && [ $i -lt 60 ]; do
	sleep 0.5
	i=$((i + 1))
done
first=$(sql "select (extract(epoch from min(e.ts)) * 1000000)::bigint from order_events e join orders o on o.id = e.order_id join fanouts f on f.id = o.fanout_id where f.source = 'rms' and e.state = 'SUBMITTED'")
last=$(sql "select (extract(epoch from max(e.ts)) * 1000000)::bigint from order_events e join orders o on o.id = e.order_id join fanouts f on f.id = o.fanout_id where f.source = 'rms' and e.state = 'SUBMITTED'")
seen=$(sql "select (extract(epoch from min(t_intent)) * 1000000)::bigint from fanouts where source = 'rms'")
n=$(sql "$q")
echo "rms breach, 100 accounts x 3 positions, rms.monitor_ms=$MONITOR_MS:" \
    "tick -> first square-off order on the wire $(( (first - t0) / 1000 )) ms" \
    "(target < 100 ms; of which tick -> breach judged" \
    "$(( (seen - t0) / 1000 )) ms), -> last ($n orders)" \
    "$(( (last - t0) / 1000 )) ms; $(sql "select count(*) from incidents")" \
    "incidents"
