#!/bin/sh
# A trader with no broker at all: a paper broker serves the instrument dump
# (the simulator's table) and fills at last prices; the book carries over
# from one command to the next through the store.
. "$(dirname "$0")/lib.sh"
fresh_db

run 0 "paper broker" "$PHALANX" -c "broker add pp kind paper"
run 0 "accounts" "$PHALANX" batch - <<'PHX'
account add pa broker pp lots 1 tags desk
account add pb broker pp lots 2 tags desk
PHX
run 0 "instruments from the paper broker" "$PHALANX" -c "instruments load exchange NFO"
has "loaded" "the dump was loaded"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
same "$(sql "select lot_size from instruments where tradingsymbol = '$FUT'")" 65 "NIFTY lot 65 in the paper dump"

run 0 "buy on paper" "$PHALANX" -c "buy $FUT 1 lots to desk"
has "FILLED" "paper fills at the last price"
run 0 "positions in a new process" "$PHALANX" --json -c "positions desk"
has '"qty":65' "pa holds 1 lot"
has '"qty":130' "pb holds 2 lots"
run 0 "sell part on paper" "$PHALANX" -c "sell $FUT 1 lots to acct:pb policy equal"
same "$(sql "select p.qty from positions p join accounts a on a.id = p.account_id where a.name = 'pb'")" 65 \
	"the store's book follows"
run 0 "squareoff on paper" "$PHALANX" -c "squareoff desk"
run 0 "positions after squareoff" "$PHALANX" --json -c "positions desk"
hasnt '"qty":65' "nothing left open"
same "$(sql "select count(*) from positions where qty <> 0")" 0 "the store's book is flat"
same "$(sql "select count(*) - count(distinct broker_order_id) from orders where broker_order_id is not null")" 0 \
	"paper order ids never repeat across processes"
finish
