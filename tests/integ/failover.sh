#!/bin/sh
# A store that fails over (docs/ha.md): pg_auto_failover's monitor, a
# primary and a standby on loopback, phalanx on a multi-host DSN with
# target_session_attrs=read-write.  The primary is killed (-9) during a
# 100-account fan-out: the fan-out completes on the broker's word, its
# writes wait in the journal, the standby is promoted, and the next
# command replays the journal into it: no event lost, no order sent twice.
. "$(dirname "$0")/lib.sh"

command -v pg_autoctl >/dev/null 2>&1 ||
	{ fail "pg_autoctl is installed (scripts/deps.sh installs pg-auto-failover-cli)"; finish; }
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$pgbin/pg_ctl" ] || { fail "PostgreSQL's server programs are installed"; finish; }

paf="$TMPDIR/paf"
mkdir -p "$paf"
if [ "$(id -u)" -eq 0 ]; then
	chown postgres "$paf"
	as_pg="runuser -u postgres --"
else
	as_pg=""
fi
pa() {
	$as_pg env PATH="$pgbin:$PATH" XDG_CONFIG_HOME="$paf/cfg" \
	    XDG_DATA_HOME="$paf/data" pg_autoctl "$@"
}
pg() {
	port=$1
	shift
	$as_pg "$pgbin/psql" -h localhost -p "$port" -qAt "$@"
}
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# pa_bg LOG ARGS...: a keeper in its own process group (sets bgpid), so
# kill -9 -PGID takes it and every process it started.
pa_bg() {
	log=$1
	shift
	setsid $as_pg env PATH="$pgbin:$PATH" XDG_CONFIG_HOME="$paf/cfg" \
	    XDG_DATA_HOME="$paf/data" pg_autoctl "$@" >>"$log" 2>&1 &
	bgpid=$!
	keepers="$keepers $bgpid"
}
cleanup() {
	kill $simpid 2>/dev/null
	for p in $keepers; do kill -9 -"$p" 2>/dev/null; done
	for d in monitor node1 node2; do
		[ -f "$paf/$d/postmaster.pid" ] &&
			$as_pg "$pgbin/pg_ctl" -D "$paf/$d" stop -m immediate >/dev/null 2>&1
	done
	# A server process whose postmaster went with its keeper (the
	# monitor's logger and health-check worker did, and lived on):
	# anything still working in one of our data directories.
	for p in /proc/[0-9]*; do
		case "$(readlink "$p/cwd" 2>/dev/null)" in
		"$paf"/*) kill -9 "${p#/proc/}" 2>/dev/null ;;
		esac
	done
}
keepers=
trap cleanup EXIT INT TERM
state() {
	pa show state --pgdata "$paf/monitor" 2>/dev/null
}
# wait_for SECONDS COMMAND...: poll until COMMAND succeeds.
wait_for() {
	limit=$(($1 * 10))
	shift
	n=0
	while [ $n -lt $limit ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

p0=$(free_port)
p1=$(free_port)
p2=$(free_port)
pa create monitor --pgdata "$paf/monitor" --pgport "$p0" --hostname localhost \
	--auth trust --no-ssl >"$paf/monitor.log" 2>&1 ||
	{ fail "pg_autoctl creates a monitor" "$(tail -5 "$paf/monitor.log")"; finish; }
pa_bg "$paf/monitor.log" run --pgdata "$paf/monitor"
wait_for 30 pg "$p0" -d pg_auto_failover -c "select 1" >/dev/null 2>&1 ||
	{ fail "the monitor runs" "$(tail -5 "$paf/monitor.log")"; finish; }
# Notice a dead primary in seconds, not the default half minute.
pg "$p0" -d pg_auto_failover >/dev/null 2>&1 <<'EOF'
alter system set pgautofailover.health_check_period = 1000;
alter system set pgautofailover.health_check_timeout = 1000;
alter system set pgautofailover.health_check_max_retries = 1;
alter system set pgautofailover.health_check_retry_delay = 500;
alter system set pgautofailover.node_considered_unhealthy_timeout = 3000;
select pg_reload_conf();
EOF
monitor="postgres://autoctl_node@localhost:$p0/pg_auto_failover?sslmode=disable"
node() {
	pa_bg "$paf/node$1.log" create postgres --pgdata "$paf/node$1" --pgport "$2" \
		--hostname localhost --auth trust --no-ssl --dbname phalanx \
		--monitor "$monitor" --run
}
node 1 "$p1"
node1=$bgpid
wait_for 90 pg "$p1" -d phalanx -c "select 1" >/dev/null 2>&1 ||
	{ fail "the primary runs" "$(tail -5 "$paf/node1.log")"; finish; }
node 2 "$p2"
# The standby's base backup waits for a checkpoint: ask for one now.
primary_and_standby() {
	pg "$p1" -d phalanx -c checkpoint >/dev/null 2>&1
	state | grep -q 'node_1 .*read-write .* primary *| *primary' &&
	state | grep -q 'node_2 .*read-only .* secondary *| *secondary'
}
wait_for 120 primary_and_standby && ok "pg_auto_failover: a primary and a standby" ||
	{ fail "pg_auto_failover: a primary and a standby" "$(state; tail -5 "$paf/node2.log")"; finish; }

PHALANX_DSN="host=localhost,localhost port=$p1,$p2 dbname=phalanx user=postgres target_session_attrs=read-write sslmode=disable connect_timeout=2"
export PHALANX_DSN
sql() {
	psql "$PHALANX_DSN" -qAtc "$1"
}
run 0 "migrate through the multi-host DSN" "$PHALANX" db migrate

start_sim --users 100 --seed 11 --tick-ms 20
trap cleanup EXIT INT TERM	# start_sim set its own
{
	echo "broker add sim kind kite url $simbase api-key k"
	n=1
	while [ $n -le 100 ]; do
		echo "account add a$n broker sim user-id $(sim_user $n user_id) api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
		n=$((n + 1))
	done
} >"$TMPDIR/reg.phx"
run 0 "100 accounts" "$PHALANX" batch "$TMPDIR/reg.phx"
run 0 "instruments load" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
mkdir -p "$XDG_CONFIG_HOME/phalanx"
printf '[broker]\ntimeout_ms = 120s\n' >"$XDG_CONFIG_HOME/phalanx/phalanx.conf"

held() {
	curl -s "$simbase/sim/health" | sed -n 's/.*"held":\([0-9]*\).*/\1/p'
}
all_held() {
	[ "$(held)" = 100 ]
}
sim_faults '{"hold": true}'
"$PHALANX" -c "buy $FUT 1 lots to all" >"$TMPDIR/buy.out" 2>"$TMPDIR/buy.err" &
buy=$!
wait_for 60 all_held && ok "the simulator holds all 100 acks" || fail "the simulator holds all 100 acks" "$(held)"
same "$(sql "select count(*) from orders")" 100 "the orders are stored before they are sent"

# The primary dies: its keeper first (it would restart it), then postgres.
pm=$(head -1 "$paf/node1/postmaster.pid")
kill -9 -"$node1" 2>/dev/null
kill -9 "$pm" 2>/dev/null
sim_faults '{"hold": false}' >/dev/null
wait $buy
same "$?" 0 "the fan-out completes on the broker's word with the primary dead"
out=$(cat "$TMPDIR/buy.out")
has "COMPLETED: 100 order(s), 0 failed" "all 100 orders confirmed"

promoted() {
	state | grep -q 'node_2 .*read-write'
}
wait_for 90 promoted && ok "the standby is promoted" || fail "the standby is promoted" "$(state)"
run 0 "the next command replays the journal into the new primary" "$PHALANX" -c "fanouts"
same "$(sql "select pg_is_in_recovery()")" f "the DSN reaches the new primary"
same "$(sql "select count(*) from orders where broker_order_id is not null")" 100 "every broker order id is stored"
filled=$(sql "select count(*) from orders where state = 'FILLED'")
same "$filled" 100 "every order reached FILLED in the store"
same "$(sql "select count(*) - count(distinct uid) from order_events where uid is not null")" 0 "no event stored twice"
same "$(sql "select count(*) from (select order_id from order_events where state = 'SUBMITTED' group by order_id) x")" 100 \
	"each order's submission event is stored"
jdir="$PHALANX_HOME/journal"
same "$(cat "$jdir"/*.jsonl 2>/dev/null | wc -l | tr -d ' ')" 0 "the journal is empty after the replay"

# The broker's books: one order per account, none sent twice.
twice=0
n=1
while [ $n -le 100 ]; do
	c=$(curl -s -H "X-Kite-Version: 3" -H "Authorization: token $(sim_user $n api_key):$(sim_user $n access_token)" \
		"$simbase/orders" | grep -o '"order_id"' | wc -l | tr -d ' ')
	[ "$c" = 1 ] || twice=$((twice + 1))
	n=$((n + 1))
done
same "$twice" 0 "each of the 100 accounts has exactly one order at the broker"
finish
