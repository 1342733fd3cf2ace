#!/bin/sh
# Fan-out benchmark against phalanx sim on loopback: for 10, 100 and 500
# accounts, the router's overhead (intent -> last order stored, intent ->
# last order on the wire) and the whole fan-out (-> last ack) with the
# simulator answering at once and after 50 ms; then squareoff of 100
# accounts x 3 positions.  Prints figures; never fails on a time.
# PHALANX_BENCH_ONLY=squareoff runs only the square-off part.
set -u
PHALANX=${PHALANX:-$PHALANX_SRCDIR/phalanx}
RUNS=${PHALANX_BENCH_RUNS:-15}
export PHALANX_MASTER_KEY=00000000000000000000000000000000000000000000000000000000000000aa
export XDG_CONFIG_HOME="$TMPDIR/config"

newdb() {
	psql "$PHALANX_BENCH_DSN" -qAtc "drop database if exists $1" >/dev/null 2>&1
	psql "$PHALANX_BENCH_DSN" -qAtc "create database $1" >/dev/null
	PHALANX_DSN=$(echo "$PHALANX_BENCH_DSN" | sed "s/dbname=[^ ]*/dbname=$1/")
	export PHALANX_DSN
}

simpid=
start_sim() {
	out="$TMPDIR/sim.out"
	: >"$out"
	"$PHALANX" sim --listen 127.0.0.1:0 --rate-limit 0 --tick-ms 50 \
	    --cash 1000000000 "$@" >"$out" 2>/dev/null &
	simpid=$!
	port=
	while [ -z "$port" ]; do
		sleep 0.05
		port=$(sed -n 's/^{"listening":"127\.0\.0\.1:\([0-9]*\)"}$/\1/p' "$out")
	done
}
stop_sim() {
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null
	wait "$simpid" 2>/dev/null
	simpid=
}
trap stop_sim EXIT INT TERM

register() {
	{
		echo "broker add sim kind kite url http://127.0.0.1:$port api-key x"
		awk -F'"' '/user_id/ { printf "account add u%s broker sim user-id %s priority %d api-key %s access-token %s\n", $4, $4, NR, $8, $16 }' "$out"
		# Back-to-back runs send more than the RMS guard's default of
		# SEBI's 10 orders a second per account: without this the
		# runs after the tenth were denied, sent nothing, and their
		# empty timings counted as zeros.
		echo "rms template add bench from positional orders-per-sec 1000 window 00:00-23:59 products nrml,mis"
		echo "rms apply bench to all"
	} >"$TMPDIR/reg.phx"
	"$PHALANX" batch "$TMPDIR/reg.phx" >/dev/null
	"$PHALANX" -c "instruments load exchange NFO" >/dev/null
}

# pct FILE P: the P-th percentile of the numbers in FILE.
pct() {
	sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END {
	    i = int((p / 100) * NR + 0.999); if (i < 1) i = 1; print v[i] }'
}

# runs TARGET: one warm-up and RUNS fan-outs of 1 lot to TARGET in one
# batch process (a console or daemon is warm); timings in us from --json.
runs() {
	: >"$TMPDIR/intent"; : >"$TMPDIR/written"; : >"$TMPDIR/sent"; : >"$TMPDIR/ack"
	r=0
	while [ $r -le "$RUNS" ]; do
		echo "buy $FUT 1 lots to $1"
		r=$((r + 1))
	done >"$TMPDIR/runs.phx"
	t0=$(date +%s%N)
	"$PHALANX" --json -o exec.settle_ms=0 -o exec.rate_per_sec=1000 \
	    batch "$TMPDIR/runs.phx" |
	    sed 1d >"$TMPDIR/runs.out"
	# A batch process exits once the store has every write: a store that
	# falls behind the fan-outs shows here, not in their timings.
	wall=$(( ($(date +%s%N) - t0) / 1000000 ))
	# Only fan-outs that completed count; any other is said.
	grep '"state":"COMPLETED"' "$TMPDIR/runs.out" >"$TMPDIR/runs.ok"
	bad=$(grep -vc '"state":"COMPLETED"' "$TMPDIR/runs.out")
	[ "$bad" -gt 0 ] && echo "          ($bad of the runs did not complete; left out of the figures)"
	for f in intent:intent written:written last_send:sent last_ack:ack; do
		grep -o "\"${f%%:*}\":[0-9][0-9]*" "$TMPDIR/runs.ok" |
		    cut -d: -f2 >"$TMPDIR/${f#*:}"
	done
}

ms() {
	awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'
}

# wrk_beside N: what the simulator serves flat out -- POST /orders/regular
# from wrk, cycling over its N users -- beside the fan-out's own rate
# (N orders in the median time to the last ack), so a fan-out limited by
# the single-threaded simulator says so.
wrk_beside() {
	if ! command -v wrk >/dev/null 2>&1; then
		echo "          (no wrk: apt-get install wrk to compare with the simulator's own limit)"
		return
	fi
	{
		echo "local users = {"
		awk -F'"' '/user_id/ { printf "  \"%s:%s\",\n", $8, $16 }' "$out"
		echo "}"
		echo "local i = 0"
		echo "request = function()"
		echo "  i = i % #users + 1"
		echo "  return wrk.format(\"POST\", \"/orders/regular\", {[\"X-Kite-Version\"] = \"3\", [\"Authorization\"] = \"token \" .. users[i], [\"Content-Type\"] = \"application/x-www-form-urlencoded\"}, \"exchange=NFO&tradingsymbol=$FUT&transaction_type=BUY&quantity=$(psql "$PHALANX_DSN" -Atc "select lot_size from instruments where tradingsymbol = '$FUT'")&product=NRML&order_type=MARKET&tag=wrk\")"
		echo "end"
	} >"$TMPDIR/wrk.lua"
	rps=$(wrk -t 1 -c "$1" -d 3s -s "$TMPDIR/wrk.lua" "http://127.0.0.1:$port" 2>/dev/null |
	    awk '/Requests\/sec/ { print int($2) }')
	awk -v n="$1" -v a="$ack500" -v w="${rps:-0}" 'BEGIN {
	    f = a > 0 ? n / (a / 1000000) : 0
	    printf "          %d accounts: the fan-out places %d orders/s; wrk gets %d orders/s from the same simulator (%d%%)\n", n, f, w, (w > 0 ? 100 * f / w : 0)
	    printf "          (the simulator is one thread: at %d accounts it, not the router, sets the pace when these are close)\n", n }'
}

# wire_floor N: the machine's own floor -- N order requests written
# back to back on N open connections to the simulator by a bare C
# program (tests/bench/wire_floor.c), nothing else -- beside the
# fan-out's "on wire" (which adds the intent's round trip to the store).
FLOOR="$TMPDIR/wire_floor"
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -o "$FLOOR" \
    "$PHALANX_SRCDIR/tests/bench/wire_floor.c" 2>/dev/null || FLOOR=
wire_floor() {
	[ -n "$FLOOR" ] || { echo "          (no cc: the wire floor is not measured)"; return; }
	f=$(awk -F'"' '/user_id/ { printf "%s:%s\n", $8, $16 }' "$out" |
	    xargs "$FLOOR" "$port" "$1" 50) || return
	echo "$f" | awk -v n="$1" '{
	    printf "          floor: %d requests written by a bare C program on %d open connections: p50 %s / p99 %s ms;\n", n, n, $1, $2
	    printf "          all %d answers in: p50 %s / p99 %s ms (this machine'"'"'s system calls, no store, no curl)\n", n, $3, $4 }'
}

if [ "${PHALANX_BENCH_ONLY:-}" != squareoff ]; then
echo "fan-out: $RUNS warm runs each (one batch process, exec.rate_per_sec=1000"
echo "so the SEBI throttle does not pace back-to-back runs); ms from the parsed intent"
echo "(intent: the intent row with every leg's tag is stored, nothing is sent before;"
echo " legs stored: the legs' order rows, written while they are on the wire;"
echo " on wire: the last request written to its socket, new connections aside)"
printf '%-9s %-8s %16s %18s %18s %18s\n' accounts latency "intent p50/p99" \
    "legs stored p50/p99" "on wire p50/p99" "last ack p50/p99"
for lat in 0 50; do
	for n in 10 100 500; do
		newdb bench_fanout_${n}_$lat
		start_sim --users "$n" --latency-ms "$lat"
		register
		FUT=$(psql "$PHALANX_DSN" -Atc "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
		runs all
		printf '%-9s %-8s %16s %18s %18s %18s\n' "$n" "${lat}ms" \
		    "$(ms "$(pct "$TMPDIR/intent" 50)")/$(ms "$(pct "$TMPDIR/intent" 99)")" \
		    "$(ms "$(pct "$TMPDIR/written" 50)")/$(ms "$(pct "$TMPDIR/written" 99)")" \
		    "$(ms "$(pct "$TMPDIR/sent" 50)")/$(ms "$(pct "$TMPDIR/sent" 99)")" \
		    "$(ms "$(pct "$TMPDIR/ack" 50)")/$(ms "$(pct "$TMPDIR/ack" 99)")"
		echo "          (the batch process of $((RUNS + 1)) fan-outs ran $wall ms, until the store had every write)"
		if [ "$lat" = 0 ] && [ "$n" = 100 ]; then
			wire_floor "$n"
		fi
		if [ "$lat" = 0 ] && [ "$n" = 500 ]; then
			ack500=$(pct "$TMPDIR/ack" 50)
			wrk_beside "$n"
		fi
		if [ "$lat" != 0 ]; then
			awk -v a="$(pct "$TMPDIR/ack" 50)" -v n="$n" -v l="$lat" 'BEGIN {
			    printf "          %d accounts complete in %.2fx the broker latency L = %d ms (target <= 1.2x)\n", n, a / (l * 1000), l }'
		fi
		stop_sim
	done
done
fi

# so_figures JSON: a square-off's orders, when the last was on the wire
# (written, or waiting for its connection) and when the simulator took up
# the last one, both after the intent.
so_figures() {
	id=$(echo "$1" | grep -o '"fanout":[0-9]*' | head -n 1 | cut -d: -f2)
	t0=$(psql "$PHALANX_DSN" -Atc "select (extract(epoch from t_intent) * 1000000)::bigint from fanouts where id = ${id:-0}")
	got=$(curl -s "http://127.0.0.1:$port/sim/health" | grep -o '"last_placed_us":[0-9]*' | cut -d: -f2)
	echo "$(echo "$1" | grep -o '"client_tag"' | wc -l | tr -d ' ') orders;" \
	    "last on the wire $(ms "$(echo "$1" | grep -o '"last_send":[0-9]*' | cut -d: -f2)") ms after the intent" \
	    "(first $(ms "$(echo "$1" | grep -o '"first_send":[0-9]*' | cut -d: -f2)") ms; target < 50 ms)," \
	    "the last taken up by the broker $(ms $(( ${got:-0} - ${t0:-0} ))) ms after"
}

# squareoff all over 100 accounts x 3 positions.
newdb bench_squareoff
start_sim --users 100
register
syms=$(psql "$PHALANX_DSN" -Atc "select tradingsymbol from instruments where name in ('NIFTY', 'BANKNIFTY', 'FINNIFTY') and instrument_type = 'FUT' and expiry = (select min(expiry) from instruments where name = 'NIFTY' and instrument_type = 'FUT') order by name")
for s in $syms; do
	"$PHALANX" -o exec.settle_ms=0 -c "buy $s 1 lots to all" >/dev/null
done
sleep 0.3
j=$("$PHALANX" --json -o exec.settle_ms=0 -c "squareoff all")
echo "squareoff all, cold (phalanx -c: connects, reconciles, then the command), 100 accounts x 3 positions: $(so_figures "$j")"
# The same from a warm process (a console or daemon): the positions are
# opened (each buy watched until filled, so the broker holds it) and
# closed again in one batch.
{
	for s in $syms; do echo "buy $s 1 lots to all"; done
	echo "squareoff all"
} >"$TMPDIR/warm.phx"
j=$("$PHALANX" --json batch "$TMPDIR/warm.phx" | tail -n 1)
echo "squareoff all, warm (one batch process): $(so_figures "$j")"
stop_sim
