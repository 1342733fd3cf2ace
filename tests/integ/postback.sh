#!/bin/sh
# Postbacks in a hostile world, with phalanx sim as the broker and a
# PostgreSQL cluster of the test's own (it is stopped half way):
# - a postback alone moves its order forward (no router watching);
# - an edited replay (a filled order's real postback, status changed to
#   CANCELLED: the checksum covers only order id and time) is checked
#   against the broker's order book, not recorded, and logged as
#   suspicious with its source address;
# - a forged one is 403; a repeat is dropped, also after a restart;
# - with the store stopped: 503 at once with Retry-After, a forged one
#   still 403 (the secret is cached), and 3,000 postbacks leave serve's
#   RSS within SERVE_RSS_GROWTH_KB of where it was (385 MB grew before);
# - clients that reset the connection before the answer do not kill it
#   (SIGPIPE); bodies over 64 KiB are 413; bad JSON or a content type
#   other than application/json 400 with a message.
. "$(dirname "$0")/lib.sh"

# Growth allowed over 3,000 refused postbacks, KiB.  ASan's quarantine of
# freed memory is capped below so that it does not count as growth.
SERVE_RSS_GROWTH_KB=49152
NFLOOD=3000

own="$TMPDIR/ownpg"
PHALANX_DSN=$(sh "$PHALANX_SRCDIR/scripts/pg-temp.sh" start "$own") || {
	fail "own cluster starts"
	finish
	exit 1
}
export PHALANX_DSN
pgstop() { sh "$PHALANX_SRCDIR/scripts/pg-temp.sh" stop "$own" fast; }
pgstart() { sh "$PHALANX_SRCDIR/scripts/pg-temp.sh" start "$own" >/dev/null; }

servepid=
simpid=
cleanup() {
	[ -n "$servepid" ] && kill "$servepid" 2>/dev/null
	[ -n "$simpid" ] && kill "$simpid" 2>/dev/null
	pgstop
}
trap cleanup EXIT INT TERM

# serve LISTEN: start_serve on LISTEN, with a smaller ASan quarantine
# (the RSS figures below are the daemon's, not the sanitizer's).
serve() {
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=4:thread_local_quarantine_size_kb=64"
	export ASAN_OPTIONS
	SERVE_LISTEN=$1
	start_serve -o exec.mtm_ms=0
}

# wait_for SQL WANT: poll up to 5 s.
wait_for() {
	i=0
	while [ "$(sql "$1" 2>/dev/null)" != "$2" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# post FILE [CONTENT-TYPE]: POST the file; code in $code, body in $out,
# headers in $TMPDIR/h, seconds in $secs.
post() {
	res=$(curl -s -D "$TMPDIR/h" -o "$TMPDIR/b" -w '%{http_code} %{time_total}' \
	    --max-time 10 -H "Content-Type: ${2:-application/json}" \
	    --data-binary @"$1" "$sbase/postback/kite")
	code=${res% *}
	secs=${res#* }
	out=$(cat "$TMPDIR/b")
}

# body ORDER_ID OUT [KEY=VALUE...]: the order as the sim's book shows it,
# in Kite's postback shape, signed with the user's api secret; then the
# edits (an edited replay keeps its valid checksum).
body() {
	curl -s -H "X-Kite-Version: 3" -H "Authorization: token $key:$tok" \
	    "$simbase/orders" >"$TMPDIR/orders.json"
	oid=$1
	dst=$2
	shift 2
	perl -MJSON::PP -MDigest::SHA=sha256_hex -e '
		my ($file, $oid, $user, $secret, @kv) = @ARGV;
		open my $f, "<", $file or die "$file: $!";
		local $/;
		my $j = decode_json(<$f>);
		my ($o) = grep { $_->{order_id} eq $oid } @{$j->{data}};
		die "no order $oid in the book\n" unless $o;
		$o->{user_id} = $user;
		$o->{checksum} = sha256_hex($o->{order_id} .
		    $o->{order_timestamp} . $secret);
		for (@kv) {
			my ($k, $v) = split /=/, $_, 2;
			$o->{$k} = $k =~ /(quantity|price)$/ ? $v + 0 : $v;
		}
		print JSON::PP->new->canonical->encode($o);
	' "$TMPDIR/orders.json" "$oid" "$user" "$secret" "$@" >"$dst"
}

sim_requests() {
	curl -s "$simbase/sim/health" | sed 's/.*"requests":\([0-9]*\).*/\1/'
}

rss_kb() {
	sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$1/status"
}

serve 127.0.0.1:0
start_sim --users 1 --seed 13 --tick-ms 20 --postback-url "$sbase/postback/kite"
trap cleanup EXIT INT TERM
user=$(sim_user 1 user_id)
key=$(sim_user 1 api_key)
tok=$(sim_user 1 access_token)
secret=$(sim_user 1 api_secret)
{
	echo "broker add sim kind kite url $simbase api-key k"
	echo "account add p1 broker sim user-id $user api-key $key access-token $tok api-secret $secret"
} >"$TMPDIR/reg.phx"
run 0 "account with its api secret" "$PHALANX" batch "$TMPDIR/reg.phx"
run 0 "instruments load" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")

# price FRACTION: FRACTION of the pinned price P, on the 0.05 tick.
price() {
	awk -v p="$P" -v f="$1" 'BEGIN { printf "%.2f", int(p * f / 0.05) * 0.05 }'
}
pin() {
	curl -s -X POST -d "{\"instrument\":\"NFO:$FUT\",\"price\":\"$1\"}" \
	    "$simbase/sim/price" >/dev/null
}

# --- a postback alone moves the order --------------------------------
# The market is pinned, so the order rests until we move it: its fill
# comes after the place call's own events are stored, and only by
# postback (nothing watches it).
P=$(sql "select round(last_price / 0.05) * 0.05 from instruments where tradingsymbol = '$FUT'")
pin "$P"
run 0 "a limit buy, not watched" "$PHALANX" -o exec.settle_ms=0 -c "buy $FUT 1 lots limit $(price 0.9) to all"
wait_for "select state from orders" OPEN
pin "$(price 0.85)"
wait_for "select state from orders" FILLED
same "$(sql "select state || ' ' || filled_qty from orders")" "FILLED 65" \
	"the postbacks alone moved the order to FILLED"
oid=$(sql "select broker_order_id from orders")
same "$(sql "select avg_price from orders")" "$(price 0.85)00" "and to its average price"
wait_for "select coalesce(sum(qty), 0) from positions" 65
same "$(sql "select qty || ' ' || avg_price from positions")" "65 $(price 0.85)00" \
	"the postback's fill moved the position, once"

# --- an edited replay ------------------------------------------------
body "$oid" "$TMPDIR/cancel.json" status=CANCELLED filled_quantity=0 \
	cancelled_quantity=65 pending_quantity=0
before=$(sim_requests)
events=$(sql "select count(*) from order_events")
post "$TMPDIR/cancel.json"
after=$(sim_requests)
same "$code" 409 "an edited replay (FILLED order reported CANCELLED) is refused"
has "broker" "the answer says the broker's book disagrees"
same "$(sql "select count(*) from order_events")" "$events" "nothing recorded for it"
same "$(sql "select state || ' ' || filled_qty from orders")" "FILLED 65" "the order stays FILLED"
# One request is the health call itself.
[ $((after - before)) -ge 2 ] && ok "the broker's order book was consulted ($((after - before - 1)) request(s))" ||
	fail "the broker's order book was consulted" "sim requests $before -> $after"
if grep -q 'suspicious.*127\.0\.0\.1' "$TMPDIR/serve.err"; then
	ok "logged as suspicious with its source address"
else
	fail "logged as suspicious with its source address" "$(tail -5 "$TMPDIR/serve.err")"
fi

# An earlier state of the order, genuinely in the broker's history: not
# recorded, not suspicious either.
body "$oid" "$TMPDIR/lower.json" status="OPEN PENDING" filled_quantity=0 pending_quantity=65 average_price=0
post "$TMPDIR/lower.json"
same "$code" 200 "an earlier state (OPEN PENDING, 0 filled) is answered 200"
has "ignored" "and ignored"
# A lower fill the book never showed, another price for the same fill.
body "$oid" "$TMPDIR/lower2.json" status=OPEN filled_quantity=13 pending_quantity=52
post "$TMPDIR/lower2.json"
same "$code" 409 "a lower filled quantity the book never had is refused"
body "$oid" "$TMPDIR/price.json" average_price=1.05
post "$TMPDIR/price.json"
same "$code" 409 "another average price for the same fill is refused"
same "$(sql "select state || ' ' || filled_qty from orders")" "FILLED 65" "the order is still FILLED"
same "$(sql "select count(*) from order_events")" "$events" "and none of them was recorded"
same "$(sql "select count(*) from postbacks_seen where verdict = 'suspicious'")" 3 \
	"three suspicious postbacks remembered"

# --- forged ----------------------------------------------------------
body "$oid" "$TMPDIR/forged.json" status=CANCELLED checksum=0000000000000000000000000000000000000000000000000000000000000000
post "$TMPDIR/forged.json"
same "$code" 403 "a forged postback is 403"

# --- duplicates survive a restart --------------------------------------
run 0 "a resting limit order" "$PHALANX" -c "buy $FUT 1 lots limit $(price 0.7) to all"
wait_for "select count(*) from orders where state = 'OPEN'" 1
oid2=$(sql "select broker_order_id from orders where state = 'OPEN'")
body "$oid2" "$TMPDIR/open.json"
post "$TMPDIR/open.json"
same "$code" 200 "the resting order's postback is answered 200"
n2=$(sql "select count(*) from order_events e join orders o on o.id = e.order_id where o.broker_order_id = '$oid2'")
kill "$servepid"
wait "$servepid"
serve "127.0.0.1:$sport"
post "$TMPDIR/open.json"
same "$code" 200 "the same postback after a restart is answered 200"
has "duplicate" "and called a duplicate"
same "$(sql "select count(*) from order_events e join orders o on o.id = e.order_id where o.broker_order_id = '$oid2'")" \
	"$n2" "and not recorded again"

# --- the store stopped -----------------------------------------------
# Warm the secret cache of this serve first: a good postback.
body "$oid2" "$TMPDIR/open2.json" status=OPEN exchange_update_timestamp="2026-01-01 09:15:00"
post "$TMPDIR/open2.json"
pgstop
body "$oid2" "$TMPDIR/open3.json" status=OPEN exchange_update_timestamp="2026-01-01 09:16:00"
post "$TMPDIR/open3.json"
same "$code" 503 "store stopped: a postback is 503"
grep -qi '^Retry-After: [0-9]' "$TMPDIR/h" && ok "with Retry-After" ||
	fail "with Retry-After" "$(cat "$TMPDIR/h")"
awk "BEGIN { exit !($secs < 1.0) }" && ok "at once (${secs}s)" || fail "503 at once" "${secs}s"
post "$TMPDIR/forged.json"
same "$code" 403 "store stopped: a forged postback is still 403 (cached secret)"

rss0=$(rss_kb "$servepid")
: >"$TMPDIR/flood.cfg"
i=0
while [ $i -lt $NFLOOD ]; do
	printf 'url = "%s/postback/kite"\noutput = "/dev/null"\n' "$sbase" >>"$TMPDIR/flood.cfg"
	i=$((i + 1))
done
curl -s --parallel --parallel-max 64 --max-time 3 -K "$TMPDIR/flood.cfg" \
	-H "Content-Type: application/json" --data-binary @"$TMPDIR/open3.json" \
	-w '%{http_code}\n' >"$TMPDIR/flood.codes" 2>/dev/null
n503=$(grep -c '^503$' "$TMPDIR/flood.codes")
if [ "$n503" = "$NFLOOD" ]; then
	ok "all $NFLOOD postbacks answered 503"
else
	fail "all $NFLOOD postbacks answered 503" "$(cut -c1-40 "$TMPDIR/flood.codes" | sort | uniq -c)"
fi
rss1=$(rss_kb "$servepid")
if [ -n "$rss1" ] && [ $((rss1 - rss0)) -lt $SERVE_RSS_GROWTH_KB ]; then
	ok "RSS grew $((rss1 - rss0)) KiB (< $SERVE_RSS_GROWTH_KB)"
else
	fail "RSS stays bounded" "$rss0 -> ${rss1:-dead} KiB"
fi

# --- clients that hang up -------------------------------------------
# hangup FILE N: N connections that each send 20 pipelined postbacks and
# close at once, then N that send one and reset.  Answering the second
# pipelined request writes to a closed socket: SIGPIPE, unless ignored.
hangup() {
	perl -MSocket -e '
		my ($port, $file, $n) = @ARGV;
		open my $f, "<", $file or die "$file: $!";
		local $/;
		my $b = <$f>;
		my $req = "POST /postback/kite HTTP/1.1\r\nHost: x\r\n" .
		    "Content-Type: application/json\r\nContent-Length: " .
		    length($b) . "\r\n\r\n" . $b;
		for my $rst (0, 1) {
			for (1 .. $n) {
				socket(my $s, PF_INET, SOCK_STREAM, 0) or die;
				connect($s, sockaddr_in($port,
				    inet_aton("127.0.0.1"))) or die;
				setsockopt($s, SOL_SOCKET, SO_LINGER,
				    pack("ii", 1, 0)) if $rst;
				syswrite($s, $rst ? $req : $req x 20);
				close($s);
			}
		}
	' "$sport" "$1" "$2"
	sleep 0.5
}
# Store down: pipelined postbacks with a valid checksum, then forged.
hangup "$TMPDIR/open3.json" 20
hangup "$TMPDIR/forged.json" 20
pgstart
i=0
while [ "$(curl -s -o /dev/null -w '%{http_code}' "$sbase/healthz")" != 200 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
same "$(curl -s -o /dev/null -w '%{http_code}' "$sbase/healthz")" 200 "the store is back"
# Store up: answers come after a query, or after the broker's book.
hangup "$TMPDIR/open3.json" 20
hangup "$TMPDIR/cancel.json" 20
# Queries run in order: once this one is answered, so are the others.
body "$oid2" "$TMPDIR/open4.json" status=OPEN exchange_update_timestamp="2026-01-01 09:17:00"
post "$TMPDIR/open4.json"
same "$code" 200 "a postback after the hang-ups is answered"
sleep 0.5
kill -0 "$servepid" 2>/dev/null && ok "serve survives clients that hang up" ||
	fail "serve survives clients that hang up" "$(tail -5 "$TMPDIR/serve.err")"

# --- bodies ----------------------------------------------------------
head -c 70000 /dev/zero | tr '\0' ' ' >"$TMPDIR/big.json"
post "$TMPDIR/big.json"
same "$code" 413 "a body over 64 KiB is 413"
printf '{"user_id":"%s",' "$user" >"$TMPDIR/bad.json"
post "$TMPDIR/bad.json"
same "$code" 400 "malformed JSON is 400"
has "JSON" "and the message says JSON"
post "$TMPDIR/open2.json" "text/plain"
same "$code" 400 "a content type other than JSON is 400"
has "Content-Type" "and the message names the header"

out=$(curl -s "$sbase/metrics")
has 'phalanx_postbacks_total{result="suspicious"}' "metrics count suspicious postbacks"
kill "$servepid"
wait "$servepid"
same "$?" 0 "serve stops cleanly"
servepid=
finish
