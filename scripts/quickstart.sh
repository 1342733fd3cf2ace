#!/bin/sh
# The README's first command: install what is missing, build, start the
# private store, register a demo registry (paper broker, accounts in two
# groups) and open the console on it.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
make
export PATH="$PWD:$PATH"
./phalanx db start
if ! ./phalanx -c "broker list" | grep -q '^demo-paper'; then
	./phalanx batch <<'PHX'
# A demo registry: one paper broker, five accounts in two groups.
broker add demo-paper kind paper
account add ravi   broker demo-paper user-id RV0001 lots 2 capital 1000000 priority 1 tags scalpers,family
account add meera  broker demo-paper user-id MR0002 lots 1 capital 500000  priority 2 tags family
account add arjun  broker demo-paper user-id AJ0003 lots 1 capital 800000  priority 3 tags scalpers
account add kavya  broker demo-paper user-id KV0004 lots 3 capital 2000000 priority 4 tags scalpers,hni
account add dev    broker demo-paper user-id DV0005 lots 1 capital 300000  priority 5 tags family
PHX
fi
./phalanx -c "account list"
exec ./phalanx
