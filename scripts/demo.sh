#!/bin/sh
# The demo behind the README's first command: the private store, a
# `phalanx sim` in the background with six users, an empty store seeded
# with a demo desk (`phalanx demo seed`) whose demo-sim accounts trade as
# the simulator's users, the instrument dump loaded, then the console.
# The simulator is stopped when the console exits.
#   PHALANX_DEMO_PORT  simulator port (default 8788)
set -eu
cd "$(dirname "$0")/.."
PHALANX=${PHALANX:-./phalanx}
port=${PHALANX_DEMO_PORT:-8788}
home=${PHALANX_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/phalanx}
mkdir -p "$home"
simout="$home/demo-sim.out"

"$PHALANX" db start
"$PHALANX" sim --listen "127.0.0.1:$port" --users 6 --seed 42 \
    >"$simout" 2>"$home/demo-sim.err" &
simpid=$!
trap 'kill $simpid 2>/dev/null || :; wait $simpid 2>/dev/null || :' EXIT INT TERM
i=0
until grep -q '"listening"' "$simout" 2>/dev/null; do
	if ! kill -0 $simpid 2>/dev/null || [ $i -ge 50 ]; then
		echo "demo: phalanx sim did not start:" >&2
		cat "$home/demo-sim.err" >&2
		exit 1
	fi
	sleep 0.1
	i=$((i + 1))
done

user() { sed -n "${1}p" "$simout" | sed "s/.*\"$2\":\"\([^\"]*\)\".*/\1/"; }

# An empty store gets the demo desk and its history (phalanx demo seed):
# accounts in three groups on demo-sim (this simulator) and two paper
# brokers, strategies, connectors, incidents, runs, a month of equity.
# A store that already has accounts is used as it is.
if [ -z "$("$PHALANX" -c "account list" 2>/dev/null | awk 'NR > 1')" ]; then
	"$PHALANX" -o "sim.listen=127.0.0.1:$port" demo seed
fi
# A simulator starts flat every time, its order ids new: so do its
# accounts here, or a second demo would show (and offer to square off)
# positions the broker no longer has.  Before the keys are set: until
# then every command would warn that those positions cannot be checked.
"$PHALANX" db psql -qAtc "delete from positions where account_id in
    (select a.id from accounts a join brokers b on b.id = a.broker_id
     where b.name = 'demo-sim')" >/dev/null
if ! "$PHALANX" -c "broker list" | grep -q '^demo-sim '; then
	"$PHALANX" -c "broker add demo-sim kind kite url http://127.0.0.1:$port api-key $(user 1 api_key)"
fi
# Each demo-sim account trades as its own simulator user (up to six).
n=1
for name in $("$PHALANX" -c "account list" | awk 'NR > 1 && $2 == "demo-sim" { print $1 }'); do
	[ $n -le 6 ] || break
	echo "account set $name api-key $(user $n api_key) access-token $(user $n access_token) api-secret $(user $n api_secret)"
	n=$((n + 1))
done | "$PHALANX" batch - >/dev/null
"$PHALANX" -c "instruments load exchange NFO"
"$PHALANX" -c "account list"
fut=$("$PHALANX" db psql -Atc "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
echo
echo "In the console press : and type, for example:"
echo "      buy $fut 1 lots to group:scalpers --dry-run"
echo "      buy $fut 1 lots to group:scalpers"
echo "then s (square off the account under the cursor), ? for every key, q to quit."
sleep 2
"$PHALANX"
