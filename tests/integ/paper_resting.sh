#!/bin/sh
# Resting paper orders (LIMIT, SL) live in the store, not only in the
# process that placed them: another process can cancel them, and a new
# process still has them (they fill there when the price crosses).
. "$(dirname "$0")/lib.sh"
fresh_db

run 0 "paper broker" "$PHALANX" -c "broker add pp kind paper"
run 0 "account" "$PHALANX" -c "account add pa broker pp lots 1"
run 0 "instruments" "$PHALANX" -c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
LAST=$(sql "select floor(last_price)::int from instruments where tradingsymbol = '$FUT'")
LOW=$((LAST - 1000))

rows() {
	sql "select body->>'status' || ':' || resting from paper_orders order by order_id" | tr '\n' ' '
}

run 0 "a limit below the market rests" "$PHALANX" -c "buy $FUT 1 lots limit $LOW to acct:pa"
has "OPEN" "the order is open"
same "$(rows)" "OPEN:true " "the resting order is in the store"
id1=$(sql "select order_id from paper_orders")
same "$(sql "select broker_order_id from orders")" "$id1" "the same id the router recorded"

run 0 "another process cancels it" "$PHALANX" -c "cancel acct:pa"
same "$(rows)" "CANCELLED:false " "the store has it cancelled"
run 0 "a third process finds nothing left to cancel" "$PHALANX" -c "cancel acct:pa"
same "$(rows)" "CANCELLED:false " "still cancelled once"

# A new process has the resting order: a market order there moves the
# last price through the limit and the stored order fills.
run 0 "a second limit rests" "$PHALANX" -c "buy $FUT 1 lots limit $LOW to acct:pa"
id2=$(sql "select order_id from paper_orders where resting")
sql "update instruments set last_price = $((LOW - 100)) where tradingsymbol = '$FUT'"
run 0 "a market sell in a new process" "$PHALANX" -c "sell $FUT 1 lots to acct:pa"
same "$(sql "select body->>'status' || ':' || resting from paper_orders where order_id = '$id2'")" \
	"COMPLETE:false" "the restarted book had the resting order and filled it"
same "$(sql "select (body->>'avg')::bigint from paper_orders where order_id = '$id2'")" "$((LOW * 100))" \
	"filled at its limit"
finish
