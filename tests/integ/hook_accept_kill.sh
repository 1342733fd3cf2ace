#!/bin/sh
# The webhook accept connection in pipeline mode (src/net/pg_pipe.c,
# db/store_hook_accept.c) while its backend is killed again and again
# under a burst: every request is answered, 200 or 503; a payload answered
# 200 is stored, once; none is stored twice; a 503 says "send it again"
# (its batch was in flight: it may or may not have been stored).  After
# the burst the daemon accepts again.
. "$(dirname "$0")/lib.sh"
fresh_db

start_sim --users 1 --seed 33 --tick-ms 20 --cash 1000000000 --rate-limit 0
{
	echo "broker add sim kind kite url $simbase api-key k"
	echo "account add k1 broker sim user-id $(sim_user 1 user_id) api-key $(sim_user 1 api_key) access-token $(sim_user 1 access_token)"
	echo "strategy add s target acct:k1"
	echo "connector add c dialect tradingview strategy s token kill-secret-01"
} >"$TMPDIR/reg.phx"
run 0 "registry" "$PHALANX" batch "$TMPDIR/reg.phx"
run 0 "instruments NFO" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
[ -n "$FUT" ] && ok "a NIFTY future to trade: $FUT" || fail "a NIFTY future"

start_serve -o hook.dedupe_s=0 -o exec.rate_per_sec=1000
hook="http://127.0.0.1:$sport/hook/c"
printf '{"passphrase":"kill-secret-01","ticker":"%s","exchange":"NFO","action":"buy","contracts":"1"}' \
    "$FUT" >"$TMPDIR/body.json"
out=$(curl -s -w ' %{http_code}' -H 'Content-Type: application/json' \
    --data-binary @"$TMPDIR/body.json" "$hook?n=0")
case "$out" in *' 200') ok "a payload before the burst: 200" ;;
	*) fail "a payload before the burst: 200" "$out" ;; esac

# The accept connection's backend: it last ran hook_accept_run.
killer() {
	while [ ! -e "$TMPDIR/burst.done" ]; do
		sql "select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query like '%hook_accept_run%'" >>"$TMPDIR/kills"
		sleep 0.03
	done
}
N=600
urls=
i=1
while [ $i -le $N ]; do
	urls="$urls -o /dev/null $hook?n=$i"
	i=$((i + 1))
done
: >"$TMPDIR/kills"
killer &
killpid=$!
# shellcheck disable=SC2086 # the URLs and their -o are words, split on purpose
curl -s -Z --parallel-max 32 -w '%{http_code} %{url_effective}\n' \
    -H 'Content-Type: application/json' --data-binary @"$TMPDIR/body.json" \
    $urls >"$TMPDIR/answers" 2>/dev/null
touch "$TMPDIR/burst.done"
wait "$killpid"

kills=$(awk '{ n += $1 } END { print n + 0 }' "$TMPDIR/kills")
[ "$kills" -ge 2 ] && ok "the accept backend was killed $kills times in the burst" ||
	fail "the accept backend was killed during the burst" "$kills kills"
same "$(wc -l <"$TMPDIR/answers" | tr -d ' ')" "$N" "every request was answered"
same "$(awk '$1 != 200 && $1 != 503' "$TMPDIR/answers" | head -3)" "" \
    "each answer is 200 (stored) or 503 (send it again)"
n503=$(awk '$1 == 503' "$TMPDIR/answers" | wc -l | tr -d ' ')
[ "$n503" -ge 1 ] && ok "$n503 requests in flight at a kill were answered 503" ||
	fail "some request was in flight at a kill" "no 503 in $N"

# The n of each stored payload, from its query (the token is starred).
sql "select substring(query from 'n=([0-9]+)') from webhook_payloads where connector_id = (select id from connectors where name = 'c')" |
    sort >"$TMPDIR/stored"
same "$(uniq -d "$TMPDIR/stored" | head -3)" "" "no payload stored twice"
sed -n 's/^200 .*[?&]n=\([0-9]*\)$/\1/p' "$TMPDIR/answers" | sort >"$TMPDIR/ok200"
same "$(comm -23 "$TMPDIR/ok200" "$TMPDIR/stored" | head -3)" "" \
    "every payload answered 200 is stored"
same "$(sql "select count(*) from webhook_payloads p where p.query like '%n=%' and not exists (select 1 from signals s where s.payload_id = p.id)")" 0 \
    "each stored payload has its signal"

out=$(curl -s -w ' %{http_code}' -H 'Content-Type: application/json' \
    --data-binary @"$TMPDIR/body.json" "$hook?n=9999")
case "$out" in *' 200') ok "after the burst the daemon accepts again" ;;
	*) fail "after the burst the daemon accepts again" "$out" ;; esac
kill "$servepid"
wait "$servepid" 2>/dev/null
finish
