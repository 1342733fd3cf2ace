#!/bin/sh
# /metrics under Prometheus: the exposition passes promtool, the shipped
# rules check and pass their unit tests, every metric a Grafana dashboard
# or a rule names is one phalanx serve exports, and Debian's prometheus,
# started on loopback, scrapes a daemon and answers with its series.
. "$(dirname "$0")/lib.sh"
fresh_db

for tool in promtool prometheus; do
	command -v $tool >/dev/null 2>&1 ||
		{ fail "$tool is installed (scripts/deps.sh installs prometheus)"; finish; }
done
top=$(cd "$(dirname "$0")/../.." && pwd)

start_serve
ok "serve listens on $sport"
start_sim --users 2 --seed 5 --tick-ms 20 --postback-url "$sbase/postback/kite"
trap 'kill $simpid $servepid $prompid 2>/dev/null' EXIT INT TERM

{
	echo "broker add sim kind kite url $simbase api-key k"
	for n in 1 2; do
		echo "account add p$n broker sim user-id $(sim_user $n user_id) api-key $(sim_user $n api_key) access-token $(sim_user $n access_token) api-secret $(sim_user $n api_secret)"
	done
} >"$TMPDIR/reg.phx"
run 0 "accounts" "$PHALANX" batch "$TMPDIR/reg.phx"
run 0 "instruments load" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
run 0 "a fan-out whose postbacks reach the daemon" "$PHALANX" -c "buy $FUT 1 lots to all"

# The store's gauges come every 5 s: RMS scope states, incidents, outbox.
i=0
while [ $i -lt 100 ]; do
	curl -s "$sbase/metrics" >"$TMPDIR/metrics.txt"
	grep -q '^phalanx_rms_scopes{kind="account",state="active"} 2$' "$TMPDIR/metrics.txt" && break
	sleep 0.2
	i=$((i + 1))
done
out=$(cat "$TMPDIR/metrics.txt")
has 'phalanx_rms_scopes{kind="account",state="active"} 2' "the store's gauges: two active accounts"
has 'phalanx_incidents_open{severity="critical"} 0' "no open critical incident"
has 'phalanx_notify_queue_depth{state="failed"} 0' "no failed alert"
promtool check metrics <"$TMPDIR/metrics.txt" >"$TMPDIR/promtool.out" 2>&1 &&
	ok "promtool check metrics is clean" || fail "promtool check metrics" "$(cat "$TMPDIR/promtool.out")"
out=$(cat "$TMPDIR/metrics.txt")
has "# TYPE phalanx_order_ack_seconds histogram" "ack latency is a histogram, not a summary"
hasnt "summary" "no summaries"

# The shipped rules and their unit tests.
run 0 "promtool check rules" promtool check rules "$top/scripts/prometheus/phalanx.rules.yml"
run 0 "promtool test rules" promtool test rules "$top/scripts/prometheus/tests/phalanx.test.yml"
cp "$top/scripts/prometheus/prometheus.yml" "$top/scripts/prometheus/phalanx.rules.yml" "$TMPDIR/"
run 0 "promtool check config" promtool check config "$TMPDIR/prometheus.yml"

# Every phalanx_* name in a dashboard or a rule is an exported family
# (a histogram's _bucket/_sum/_count belong to it).
exported=$(sed -n 's/^# TYPE \([a-z_:]*\) .*/\1/p' "$TMPDIR/metrics.txt")
missing=
named=0
for f in "$top"/scripts/grafana/*.json "$top/scripts/prometheus/phalanx.rules.yml"; do
	# shellcheck disable=SC2013 # metric names hold no spaces
	for m in $(grep -o 'phalanx_[a-z_]*' "$f" | sort -u); do
		named=$((named + 1))
		base=$(echo "$m" | sed 's/_\(bucket\|sum\|count\)$//')
		echo "$exported" | grep -qx "$m" && continue
		echo "$exported" | grep -qx "$base" &&
			grep -q "^# TYPE $base histogram" "$TMPDIR/metrics.txt" && continue
		missing="$missing $(basename "$f"):$m"
	done
done
[ "$named" -gt 20 ] && [ -z "$missing" ] &&
	ok "all $named metric names in dashboards and rules are exported" ||
	fail "dashboards and rules name only exported metrics" "missing:$missing"
for f in "$top"/scripts/grafana/*.json; do
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["panels"] and d["uid"]' "$f" ||
		fail "$(basename "$f") is a dashboard"
done

# A real Prometheus scraping the daemon every second.
pport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$TMPDIR/prom.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $top/scripts/prometheus/phalanx.rules.yml
scrape_configs:
  - job_name: phalanx
    static_configs:
      - targets: ['127.0.0.1:$sport']
EOF
prometheus --config.file="$TMPDIR/prom.yml" --storage.tsdb.path="$TMPDIR/prom-data" \
	--web.listen-address="127.0.0.1:$pport" >"$TMPDIR/prom.log" 2>&1 &
prompid=$!
query() {
	curl -s -G "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1"
}
# Prometheus sees what the daemon counts: at least one postback, never
# more than the daemon says right after.
i=0
val=
while [ $i -lt 150 ]; do
	val=$(query 'sum(phalanx_postbacks_total)' |
		python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null)
	[ -n "$val" ] && [ "$val" -ge 1 ] 2>/dev/null && break
	sleep 0.2
	i=$((i + 1))
done
own=$(curl -s "$sbase/metrics" | awk '/^phalanx_postbacks_total/ { n += $2 } END { print n + 0 }')
[ -n "$val" ] && [ "$val" -ge 1 ] 2>/dev/null && [ "$val" -le "$own" ] &&
	ok "prometheus scraped the daemon's postback count ($val of $own)" ||
	fail "prometheus scraped the daemon" "prometheus: $val, daemon: $own; $(tail -3 "$TMPDIR/prom.log")"
out=$(query 'phalanx_order_ack_seconds_bucket{le="+Inf"}')
has '"status":"success"' "prometheus answers the histogram's buckets"
out=$(query 'up{job="phalanx"}')
has '"value":[' "the target is up in prometheus"

kill "$prompid" "$servepid" 2>/dev/null
wait "$servepid"
finish
