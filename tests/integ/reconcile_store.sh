#!/bin/sh
# PostgreSQL stopped while the reconciler reads the brokers' books after a
# crash: the run fails as unreachable (exit 3) without crashing, nothing is
# half-applied, and the next run settles everything once.
. "$(dirname "$0")/lib.sh"

# A cluster of our own, since this test stops it.
own="$TMPDIR/ownpg"
PHALANX_DSN=$(sh "$PHALANX_SRCDIR/scripts/pg-temp.sh" start "$own") || {
	fail "own cluster starts"
	finish
	exit 1
}
export PHALANX_DSN
pgstop() { sh "$PHALANX_SRCDIR/scripts/pg-temp.sh" stop "$own" fast; }
pgstart() { sh "$PHALANX_SRCDIR/scripts/pg-temp.sh" start "$own" >/dev/null; }

N=3
start_sim --users $N --seed 9 --tick-ms 20 --fill-lots 1000
trap 'kill $simpid 2>/dev/null; pgstop' EXIT INT TERM
{
	echo "broker add sim kind kite url $simbase api-key k"
	n=1
	while [ $n -le $N ]; do
		echo "account add s$n broker sim user-id $(sim_user $n user_id) api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
		n=$((n + 1))
	done
} >"$TMPDIR/reg.phx"
run 0 "accounts registered" "$PHALANX" batch "$TMPDIR/reg.phx"
run 0 "instruments load" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
LOT=$(sql "select lot_size from instruments where tradingsymbol = '$FUT'")

# The sender killed before the broker's acks.
sim_faults '{"latency_ms": 1500}'
"$PHALANX" -c "buy $FUT 1 lots to all key st-1" >/dev/null 2>&1 &
bg=$!
i=0
while [ "$(sql "select count(*) from orders")" != $N ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
sleep 0.4
kill -9 $bg
wait $bg 2>/dev/null

# The books take 2 s to read; the store goes away meanwhile.
sim_faults '{"latency_ms": 2000}'
"$PHALANX" -o broker.timeout_ms=8000 -c "fanouts last 1" >"$TMPDIR/r.out" 2>&1 &
rp=$!
sleep 1
pgstop
wait $rp
rc=$?
same "$rc" 3 "the run fails as unreachable, no crash"
pgstart
sim_faults '{"latency_ms": 0}'
same "$(sql "select state from fanouts where idem_key = 'st-1'")" RUNNING "the fan-out is still RUNNING"
same "$(sql "select count(*) from order_events where message like 'reconciled%'")" 0 "nothing was half-applied"
same "$(sql "select count(*) from positions where qty <> 0")" 0 "no position moved"

run 0 "the next run" "$PHALANX" -c "fanouts last 1"
has "reconcile: fanout" "it settles the fan-out"
same "$(sql "select state from fanouts where idem_key = 'st-1'")" COMPLETED "COMPLETED from the books"
same "$(sql "select count(*) from orders where state = 'FILLED' and broker_order_id is not null")" $N "every order FILLED"
same "$(sql "select coalesce(sum(qty), 0) from positions")" $((N * LOT)) "each fill in the positions once"
run 0 "and again" "$PHALANX" -c "fanouts last 1"
same "$(sql "select coalesce(sum(qty), 0) from positions")" $((N * LOT)) "still once"
finish
