#!/bin/sh
# The kite adapter over HTTPS: phalanx sim serving TLS with a certificate
# from a throwaway CA, accounts whose broker url is https://, a fan-out
# that completes once broker.ca_file names that CA, and one that fails
# with a certificate error, sending nothing and recording nothing as sent,
# without it (or with another CA, or an unreadable or bad file).
. "$(dirname "$0")/lib.sh"
fresh_db

command -v openssl >/dev/null 2>&1 || { fail "openssl is installed"; finish; exit 1; }
pki="$TMPDIR/pki"
mkdir -p "$pki"
# mkca NAME SUBJECT: a self-signed CA, NAME.pem and NAME.key.
mkca() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$2" \
	    -keyout "$pki/$1.key" -out "$pki/$1.pem" 2>"$pki/err" ||
		{ fail "openssl makes the CA $1" "$(cat "$pki/err")"; finish; exit 1; }
}
mkca ca "phalanx test CA"
mkca other "another CA"
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
	>"$pki/san.cnf"
if openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
	-keyout "$pki/sim.key" -out "$pki/sim.csr" 2>"$pki/err" &&
    openssl x509 -req -in "$pki/sim.csr" -CA "$pki/ca.pem" \
	-CAkey "$pki/ca.key" -CAcreateserial -days 2 \
	-extfile "$pki/san.cnf" -out "$pki/sim.pem" 2>"$pki/err"; then
	ok "a server certificate for IP 127.0.0.1 signed by the test CA"
else
	fail "openssl signs the server certificate" "$(cat "$pki/err")"
	finish
	exit 1
fi
CA="$pki/ca.pem"

# --- the simulator's options ------------------------------------------
run 2 "--tls-cert without --tls-key" "$PHALANX" sim --listen 127.0.0.1:0 \
	--tls-cert "$pki/sim.pem"
has "--tls-cert needs --tls-key" "the missing option is named"
run 1 "an unreadable certificate" "$PHALANX" sim --listen 127.0.0.1:0 \
	--tls-cert "$pki/none.pem" --tls-key "$pki/sim.key"
has "$pki/none.pem" "the certificate file is named"
run 1 "a key of another certificate" "$PHALANX" sim --listen 127.0.0.1:0 \
	--tls-cert "$pki/sim.pem" --tls-key "$pki/other.key"
has "does not match" "a mismatched key is said to be one"

start_sim --users 4 --seed 9 --tick-ms 20 --fill-lots 100 \
	--tls-cert "$pki/sim.pem" --tls-key "$pki/sim.key"
base="https://127.0.0.1:$simport"
key1=$(sim_user 1 api_key)
tok1=$(sim_user 1 access_token)
auth="Authorization: token $key1:$tok1"
out=$(curl -sS --cacert "$CA" -H "$auth" "$base/user/profile" 2>&1)
has '"user_id":"SIM001"' "the sim answers over HTTPS, its certificate checked"
out=$(curl -sS -H "$auth" "$base/user/profile" 2>&1)
has "certificate" "a client without the CA refuses the sim's certificate"
out=$(curl -sS -m 5 -H "$auth" "http://127.0.0.1:$simport/user/profile" 2>&1)
hasnt '"user_id"' "no plain HTTP on the TLS port"

# --- accounts on an https:// broker -------------------------------------
{
	echo "broker add simtls kind kite url $base api-key $key1"
	n=1
	while [ $n -le 4 ]; do
		echo "account add t$n broker simtls user-id $(sim_user $n user_id) tags tls api-key $(sim_user $n api_key) access-token $(sim_user $n access_token)"
		n=$((n + 1))
	done
} >"$TMPDIR/accounts.phx"
run 0 "four accounts on an https broker" "$PHALANX" batch "$TMPDIR/accounts.phx"
same "$(sql "select url from brokers where name = 'simtls'")" "$base" \
	"the broker's url is the https one"
run 0 "instruments load over HTTPS" "$PHALANX" -o broker.ca_file="$CA" \
	-c "instruments load exchange NFO"
FUT=$(sql "select tradingsymbol from instruments where name = 'NIFTY' and instrument_type = 'FUT' order by expiry limit 1")
[ -n "$FUT" ] && ok "the NIFTY future came over HTTPS ($FUT)" ||
	fail "instruments loaded over HTTPS"

# sim_orders STATUS: orders with STATUS over the four users, at the sim.
sim_orders() {
	total=0
	n=1
	while [ $n -le 4 ]; do
		c=$(curl -sS --cacert "$CA" -H 'X-Kite-Version: 3' \
		    -H "Authorization: token $(sim_user $n api_key):$(sim_user $n access_token)" \
		    "$base/orders" | grep -o "\"status\":\"$1\"" | wc -l)
		total=$((total + c))
		n=$((n + 1))
	done
	echo "$total"
}

# --- a fan-out in batch mode, the CA trusted ----------------------------
echo "buy $FUT 1 lots to group:tls" >"$TMPDIR/buy.phx"
run 0 "fan-out over HTTPS with broker.ca_file" "$PHALANX" \
	-o broker.ca_file="$CA" batch "$TMPDIR/buy.phx"
has "COMPLETED" "the fan-out completed"
fid=$(sql "select max(id) from fanouts")
same "$(sql "select state from fanouts where id = $fid")" COMPLETED \
	"the store has the fan-out COMPLETED"
same "$(sql "select count(*) from orders where fanout_id = $fid and state = 'FILLED' and broker_order_id is not null")" 4 \
	"four orders FILLED in the store, each with the broker's id"
same "$(sim_orders COMPLETE)" 4 "four orders COMPLETE at the sim"

# --- no CA, another CA: a certificate error, nothing sent -------------
# nothing_sent WHAT N: the last fan-out failed, no order of it is recorded
# as sent, acknowledged or filled, and the sim still has its N orders.
nothing_sent() {
	fid=$(sql "select max(id) from fanouts")
	same "$(sql "select state from fanouts where id = $fid")" FAILED \
		"$1: the fan-out is FAILED in the store"
	same "$(sql "select count(*) from orders where fanout_id = $fid and (state <> 'REJECTED' or broker_order_id is not null or filled_qty <> 0)")" 0 \
		"$1: no order of it is recorded sent or filled"
	same "$(sql "select count(*) from orders where fanout_id = $fid")" 4 \
		"$1: all four legs are recorded, refused"
	same "$(sim_orders '[A-Z ]*')" "$2" "$1: the sim got no new order"
}
run 3 "fan-out without the CA fails (broker unreachable)" "$PHALANX" \
	batch "$TMPDIR/buy.phx"
has "SSL certificate problem" "the certificate problem is said"
has "TLS with $base failed, nothing sent" "the error names the url and says nothing was sent"
has "broker.ca_file" "the error points at broker.ca_file"
nothing_sent "no CA" 4

run 3 "fan-out trusting another CA fails" "$PHALANX" \
	-o broker.ca_file="$pki/other.pem" batch "$TMPDIR/buy.phx"
has "SSL certificate problem" "another CA: the certificate problem is said"
nothing_sent "another CA" 4

# --- a CA file that is not one -------------------------------------------
run 1 "an unreadable broker.ca_file is refused" "$PHALANX" \
	-o broker.ca_file="$pki/missing.pem" batch "$TMPDIR/buy.phx"
has "broker.ca_file: cannot read \"$pki/missing.pem\"" "the missing file is named"
fid=$(sql "select max(id) from fanouts")
same "$(sql "select count(*) from orders where fanout_id = $fid and state = 'NEW' and broker_order_id is null")" 4 \
	"its four legs stay NEW: never sent"
run 1 "a directory as broker.ca_file is refused" "$PHALANX" \
	-o broker.ca_file="$pki" batch "$TMPDIR/buy.phx"
has "broker.ca_file: cannot read \"$pki\"" "the directory is named"
echo "not a certificate" >"$pki/junk.pem"
run 3 "a broker.ca_file without certificates fails" "$PHALANX" \
	-o broker.ca_file="$pki/junk.pem" batch "$TMPDIR/buy.phx"
has "$pki/junk.pem" "curl's error names the file"
same "$(sim_orders '[A-Z ]*')" 4 "no bad CA file sent an order"
same "$(sql "select count(*) from orders where fanout_id <> (select min(id) from fanouts) and (state not in ('NEW', 'REJECTED') or broker_order_id is not null or filled_qty <> 0)")" 0 \
	"no order after the first fan-out is recorded as sent or filled"

# The trusted CA again: the same accounts trade, nothing was left stuck.
run 0 "fan-out with the CA again" "$PHALANX" -o broker.ca_file="$CA" \
	batch "$TMPDIR/buy.phx"
same "$(sim_orders COMPLETE)" 8 "eight orders COMPLETE at the sim"
# The same through libcurl alone (the lean sender carried those above).
run 0 "fan-out over HTTPS through libcurl alone" "$PHALANX" \
	-o broker.ca_file="$CA" -o broker.lean_http=false batch "$TMPDIR/buy.phx"
same "$(sim_orders COMPLETE)" 12 "twelve orders COMPLETE at the sim"
run 3 "through libcurl alone, no CA: a certificate error" "$PHALANX" \
	-o broker.lean_http=false batch "$TMPDIR/buy.phx"
has "SSL certificate problem" "libcurl alone: the certificate problem is said"
nothing_sent "libcurl alone, no CA" 12
# A square-off opens its spare connections ahead (http_client_expect):
# TLS goes over those too.
run 0 "squareoff over HTTPS" "$PHALANX" -o broker.ca_file="$CA" \
	-c "squareoff group:tls"
same "$(sim_orders COMPLETE)" 16 "four closing orders COMPLETE at the sim"
same "$(sql "select count(*) from positions where qty <> 0")" 0 \
	"the positions table is flat after the square-off"
finish
