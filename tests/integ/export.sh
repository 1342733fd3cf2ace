#!/bin/sh
# export: reports of a seeded store with known trades, orders and events.
# CSV round trips through psql \copy and Python's csv module, the header
# names firm, codes, period and a SHA-256 that export verify recomputes
# (one changed byte is caught), PDFs read back by pdfinfo/pdftotext (page
# count, header fields, hash in every footer) and rendered once by
# pdftoppm, an empty period, reversed and absurd dates, target filters
# and the day boundaries in IST, delivery by e-mail to an SMTP sink and
# by HTTP POST to a local receiver.
. "$(dirname "$0")/lib.sh"
fresh_db
SRC=${PHALANX_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
for t in pdfinfo pdftotext pdftoppm; do
	command -v $t >/dev/null || { fail "$t is installed (poppler-utils, scripts/deps.sh)"; finish; exit 1; }
done
OUT="$TMPDIR/out"
mkdir -p "$OUT"
cat >"$XDG_CONFIG_HOME/phalanx.conf" <<EOF2
EOF2
X() { "$PHALANX" -o firm.name="Acme Capital LLP" -o firm.algo_id=ALGO77 \
	-o report.member_code=M12345 "$@"; }

run 0 "registry" "$PHALANX" batch - <<'EOF2'
broker add z kind paper
broker add k2 kind paper
account add a1 broker z user-id AB1234 tags desk
account add a2 broker k2 user-id CD5678
account add a3 broker z user-id EF9012
EOF2

# Known trades: a1 buys 75 at 100.5 on average and sells them at 110.25
# on 2 Nov; a2 sells 30 a second before midnight IST on 3 Nov and buys
# them back a second after it; a3's only trade falls a second before the
# period.  One order's message carries a comma, quotes, a line break and
# a rupee sign.
sql "SET TimeZone = 'Asia/Kolkata';
INSERT INTO orders (id, account_id, client_tag, broker_order_id, state, side, symbol, exchange, product, order_type, qty, filled_qty, avg_price, message, created_at, updated_at) VALUES
 (1, 1, 'px1', 'B1', 'FILLED', 'BUY', 'NIFTY25DECFUT', 'NFO', 'NRML', 'MARKET', 75, 75, 100.5, 'plain', '2026-11-02 09:20', '2026-11-02 09:20'),
 (2, 1, 'px2', 'B2', 'FILLED', 'SELL', 'NIFTY25DECFUT', 'NFO', 'NRML', 'MARKET', 75, 75, 110.25, 'has, a comma and \"quotes\"', '2026-11-02 14:00', '2026-11-02 14:00'),
 (3, 2, 'px3', 'B3', 'REJECTED', 'BUY', 'BANKNIFTY25DECFUT', 'NFO', 'NRML', 'MARKET', 30, 0, 0, E'two\nlines, ₹ sign', '2026-11-03 10:00', '2026-11-03 10:00'),
 (4, 2, 'px4', 'B4', 'FILLED', 'SELL', 'BANKNIFTY25DECFUT', 'NFO', 'NRML', 'MARKET', 30, 30, 500, NULL, '2026-11-03 23:59:59', '2026-11-03 23:59:59'),
 (5, 2, 'px5', 'B5', 'FILLED', 'BUY', 'BANKNIFTY25DECFUT', 'NFO', 'NRML', 'MARKET', 30, 30, 480, '', '2026-11-04 00:00:01', '2026-11-04 00:00:01'),
 (6, 3, 'px6', 'B6', 'FILLED', 'BUY', 'NIFTY25DECFUT', 'NFO', 'NRML', 'MARKET', 75, 75, 99, 'outside', '2026-10-31 23:59:59', '2026-10-31 23:59:59');
INSERT INTO fills (order_id, account_id, trade_id, exchange, symbol, product, side, qty, price, fill_ts) VALUES
 (1, 1, 'T1', 'NFO', 'NIFTY25DECFUT', 'NRML', 'BUY', 50, 100, '2026-11-02 09:20:01'),
 (1, 1, 'T2', 'NFO', 'NIFTY25DECFUT', 'NRML', 'BUY', 25, 101.5, '2026-11-02 09:20:02'),
 (2, 1, 'T3', 'NFO', 'NIFTY25DECFUT', 'NRML', 'SELL', 75, 110.25, '2026-11-02 14:00:01'),
 (4, 2, 'T4', 'NFO', 'BANKNIFTY25DECFUT', 'NRML', 'SELL', 30, 500, '2026-11-03 23:59:59'),
 (5, 2, 'T5', 'NFO', 'BANKNIFTY25DECFUT', 'NRML', 'BUY', 30, 480, '2026-11-04 00:00:01'),
 (6, 3, 'T6', 'NFO', 'NIFTY25DECFUT', 'NRML', 'BUY', 75, 99, '2026-10-31 23:59:59');
INSERT INTO order_events (ts, order_id, state, filled_qty, latency_us)
 SELECT created_at + interval '1 ms', id, 'SUBMITTED', 0, 1000 * id FROM orders;
INSERT INTO order_events (ts, order_id, state, broker_status, filled_qty, message)
 SELECT created_at + interval '2 ms', id, state, state, filled_qty, message FROM orders;
SELECT setval(pg_get_serial_sequence('orders', 'id'), 100);" >/dev/null

NOV="from 2026-11-01 to 2026-11-30"
# data FILE: the CSV without its "#" header lines.
data() { sed '/^#/d' "$1"; }
hdr() { sed -n "s/^# $2: \(.*\)\r$/\1/p" "$1"; }

# -- CSV ------------------------------------------------------------------
run 0 "export orders as csv" X -c "export orders $NOV format csv to $OUT/orders.csv"
has "5 rows" "five orders in November"
f=$OUT/orders.csv
same "$(hdr "$f" firm)|$(hdr "$f" 'member code')|$(hdr "$f" brokers)|$(hdr "$f" 'client codes')|$(hdr "$f" 'algo ids')|$(hdr "$f" target)" \
	"Acme Capital LLP|M12345|k2,z|AB1234,CD5678,EF9012|ALGO77|all" "header: firm, member, brokers, client codes, algo ids, target"
same "$(hdr "$f" period)" "2026-11-01 to 2026-11-30 (IST, both days included)" "header: period"
same "$(hdr "$f" generator)" "phalanx $("$PHALANX" --version | cut -d' ' -f2)" "header: generator version"
case "$(hdr "$f" 'generated at')" in
20[0-9][0-9]-[01][0-9]-[0-3][0-9]\ [0-2][0-9]:[0-5][0-9]:[0-5][0-9]\ IST) ok "header: generated at, IST" ;;
*) fail "header: generated at" "$(hdr "$f" 'generated at')" ;;
esac
rid=$(hdr "$f" 'report id')
case "$rid" in RPT-20[0-9][0-9][01][0-9][0-3][0-9]-[0-9a-f]*) ok "header: report id $rid" ;;
*) fail "header: report id" "$rid" ;; esac
same "$(data "$f" | sha256sum | cut -d' ' -f1)" "$(hdr "$f" sha256)" "the header's sha256 is the data's, recomputed by sha256sum"
same "$(sql "select rows || ' ' || sha256 || ' ' || destination from exports where id = '$rid'")" \
	"5 $(hdr "$f" sha256) $f" "the export is recorded"
same "$(sql "select count(*) from audit_log where action = 'export' and object = '$rid'")" 1 "and audited"

# RFC 4180 read by Python's csv module: CRLF records, the awkward message
# intact, the row count the header's.
same "$(python3 - "$f" <<'EOF2'
import csv, io, sys
raw = open(sys.argv[1], "rb").read()
head = [l for l in raw.split(b"\r\n") if l.startswith(b"#")]
body = raw[sum(len(l) + 2 for l in head):]
rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
names, rows = rows[0], rows[1:]
msg = {r[names.index("order_id")]: r[names.index("message")] for r in rows}
print(len(rows), int([l for l in head if l.startswith(b"# rows: ")][0][8:]),
      body.endswith(b"\r\n"), body.count(b"\n") == body.count(b"\r\n"),
      msg["2"] == 'has, a comma and "quotes"', msg["3"] == "two\nlines, \u20b9 sign",
      len(set(len(r) for r in rows)) == 1 and len(rows[0]) == len(names))
EOF2
)" "5 5 True False True True True" "python csv: 5 rows, CRLF records (a LF inside a quoted field stays), quoting intact"

# psql \copy back into a table: the same orders, NULL and '' kept apart.
sql "CREATE TABLE rt (created_at timestamptz, updated_at timestamptz, order_id bigint, fanout_id bigint, account text, client_code text, broker text, client_tag text, broker_order_id text, state text, side text, exchange text, symbol text, product text, order_type text, variety text, validity text, qty int, filled_qty int, price numeric, trigger_price numeric, avg_price numeric, message text)"
data "$f" >"$OUT/orders.data.csv"
psql "$PHALANX_DSN" -qc "\\copy rt from '$OUT/orders.data.csv' with (format csv, header true)" >/dev/null &&
	ok "psql \\copy reads the data back" || fail "psql \\copy reads the data back"
same "$(sql "select count(*) from rt join orders o on o.id = rt.order_id and o.created_at = rt.created_at and o.client_tag = rt.client_tag and o.state = rt.state and o.qty = rt.qty and o.avg_price = rt.avg_price and o.message is not distinct from rt.message join accounts a on a.id = o.account_id and a.name = rt.account and a.user_id = rt.client_code")" \
	5 "round trip: every order back, equal column by column (NULL and '' apart)"

# -- targets and day boundaries in IST ------------------------------------
run 0 "trades of a2" X -c "export trades $NOV acct:a2 format csv to $OUT/a2.csv"
same "$(data "$OUT/a2.csv" | sed 1d | cut -d, -f5 | tr -d '\r' | paste -sd,)" "T4,T5" "acct:a2: its two trades"
same "$(hdr "$OUT/a2.csv" 'client codes')|$(hdr "$OUT/a2.csv" target)" "CD5678|acct:a2" "header names a2's code and the target"
run 0 "trades of group desk" X -c "export trades $NOV group:desk format csv to $OUT/desk.csv"
same "$(hdr "$OUT/desk.csv" rows)" 3 "group:desk: a1's three trades"
run 0 "one IST day" X -c "export trades from 2026-11-04 to 2026-11-04 format csv to $OUT/d4.csv"
same "$(data "$OUT/d4.csv" | sed 1d | cut -d, -f5 | tr -d '\r')" "T5" "4 Nov IST holds T5 (00:00:01) and not T4 (23:59:59 the day before)"
run 0 "the day before the period" X -c "export trades from 2026-10-31 to 2026-10-31 format csv to $OUT/d31.csv"
same "$(data "$OUT/d31.csv" | sed 1d | cut -d, -f5 | tr -d '\r')" "T6" "31 Oct holds only T6"
run 1 "an unknown account" X -c "export trades $NOV acct:nobody format csv to $OUT/x.csv"
has "unknown account nobody" "names the account"
[ ! -e "$OUT/x.csv" ] && ok "and writes nothing" || fail "a file for an unknown account"

# -- PnL against figures computed here ------------------------------------
run 0 "export pnl" X -c "export pnl $NOV format csv to $OUT/pnl.csv"
want=$(python3 -c '
b = 50 * 100 + 25 * 101.5; s = 75 * 110.25
print("%.2f" % (75 * (s / 75 - b / 75)))')
same "$(data "$OUT/pnl.csv" | tr -d '\r' | awk -F, '$1 == "2026-11-02" && $2 == "a1" { print $12 }')" "$want" \
	"a1 realised on 2 Nov: 75 x (110.25 - 100.50) = $want"
same "$(data "$OUT/pnl.csv" | tr -d '\r' | awk -F, '$2 == "a2" { print $1, $11, $12 }' | paste -sd,)" \
	"2026-11-03 -30 0.00,2026-11-04 30 0.00" "a2's overnight short: open on the 3rd, closed on the 4th, nothing realised within a day"
run 0 "export sla" X -c "export sla $NOV format csv to $OUT/sla.csv"
same "$(data "$OUT/sla.csv" | tr -d '\r' | awk -F, '$2 == "a2" { print $4, $6, $7, $8, $9 }')" "3 1 33.33 3 4.000" \
	"a2: 3 orders, 1 rejected (33.33%), 3 acks, p50 of 3, 4, 5 ms = 4 ms"

# -- verify -----------------------------------------------------------------
run 0 "phalanx export verify intact" "$PHALANX" export verify "$f"
has "intact" "says intact"
run 0 "export verify as a command" "$PHALANX" --json -c "export verify $f"
has '"verdict":"intact"' "json verdict"
# One byte of the data changed: 75 becomes 76 in the first order.
sed '0,/,75,75,/s//,76,75,/' "$f" >"$OUT/changed.csv"
cmp -s "$f" "$OUT/changed.csv" && fail "the test changed a byte" || ok "the test changed one byte"
same "$(cmp -l "$f" "$OUT/changed.csv" | wc -l)" 1 "exactly one byte differs"
run 1 "phalanx export verify altered" "$PHALANX" export verify "$OUT/changed.csv"
has "ALTERED" "says altered"
has "ALTERED (data)" "the data is the part altered"
run 1 "export verify as a command, altered" "$PHALANX" -c "export verify $OUT/changed.csv"
has "was altered" "the command says altered"
# The header's count changed instead.
sed 's/^# rows: 5/# rows: 4/' "$f" >"$OUT/rows.csv"
run 1 "a changed row count" "$PHALANX" export verify "$OUT/rows.csv"
has "header says 4" "names the count"
has "ALTERED (header)" "the header is the part altered"
# The seal: the SHA-256 of the header lines above it, recomputed here.
same "$(python3 - "$f" <<'EOF2'
import hashlib, sys
raw = open(sys.argv[1], "rb").read()
print(hashlib.sha256(raw[:raw.index(b"# report sha256: ")]).hexdigest())
EOF2
)" "$(hdr "$f" 'report sha256')" "report sha256: the header lines above it, recomputed by python"
same "$(sql "select report_sha256 from exports where id = '$rid'")" "$(hdr "$f" 'report sha256')" "the store records the seal"
# One byte of the header changed, the data left alone: a client code.
sed '0,/AB1234/s//AB1235/' "$f" >"$OUT/client.csv"
same "$(cmp -l "$f" "$OUT/client.csv" | wc -l)" 1 "one header byte differs"
run 1 "a changed client code" "$PHALANX" export verify "$OUT/client.csv"
has "ALTERED (header)" "names the header as altered"
has "the data still matches its sha256" "and the data as intact"
run 1 "a changed client code, as a command" "$PHALANX" --json -c "export verify $OUT/client.csv"
has '"part":"header"' "json: the part"
# The data and its sha256 line changed together: the seal still catches it.
newsha=$(sed '0,/,75,75,/s//,76,75,/' "$f" | sed '/^#/d' | sha256sum | cut -d' ' -f1)
sed '0,/,75,75,/s//,76,75,/' "$f" | sed "s/^# sha256: .*\r\$/# sha256: $newsha\r/" >"$OUT/both.csv"
same "$(hdr "$OUT/both.csv" sha256)" "$newsha" "the tamperer rewrote the data's sha256 line"
run 1 "data and its hash changed together" "$PHALANX" export verify "$OUT/both.csv"
has "ALTERED (header)" "the seal catches a rewritten sha256 line"
# A line removed from the data.
awk 'NR != 16' "$f" >"$OUT/cut.csv"
run 1 "a removed line" "$PHALANX" export verify "$OUT/cut.csv"
run 2 "a file that is no report" "$PHALANX" export verify /etc/hostname
run 2 "a file that is not there" "$PHALANX" export verify "$OUT/none.csv"

# -- empty period, bad dates ------------------------------------------------
run 0 "an empty period" X -c "export trades from 2025-01-01 to 2025-01-31 format csv to $OUT/empty.csv"
has "0 rows" "zero rows"
same "$(hdr "$OUT/empty.csv" rows)|$(data "$OUT/empty.csv" | tr -d '\r')" \
	"0|fill_ts,account,client_code,broker,trade_id,exchange_order_id,broker_order_id,client_tag,exchange,symbol,product,side,qty,price,value" \
	"the empty report has its header and column names"
run 0 "the empty report verifies" "$PHALANX" export verify "$OUT/empty.csv"
run 2 "a reversed period" X -c "export trades from 2026-11-30 to 2026-11-01 format csv"
has "the period is reversed" "says reversed"
has "column 34" "points at the end date"
run 2 "an absurd year" X -c "export trades from 1970-01-01 to 2026-11-01 format csv"
has "start date in 2000..2099" "names the range"
run 2 "no such day" X -c "export trades from 2026-02-30 to 2026-03-01 format csv"
has "expected a date YYYY-MM-DD" "names the date"
run 2 "two destinations" X -c "export trades $NOV format csv to $OUT/a.csv http http://127.0.0.1:1/x"
has "one destination" "says one"
[ "$(sql "select count(*) from exports where rows = 0")" = 1 ] && ok "bad commands recorded nothing" ||
	fail "exports rows after refused commands" "$(sql "select * from exports")"

# -- default names and atomic writes ----------------------------------------
mkdir -p "$OUT/dir"
run 0 "to a directory" X -c "export trades $NOV format csv to $OUT/dir"
# shellcheck disable=SC2012 # phalanx's own file names: plain
n=$(ls -A "$OUT/dir" | wc -l)
same "$n $(ls "$OUT/dir" | grep -c '^phalanx-trades-2026-11-01-2026-11-30-RPT-.*\.csv$')" "1 1" \
	"one file, named for kind, period and id; no temporary left"
# shellcheck disable=SC2012 # phalanx's own file names: plain
same "$(ls -A "$PHALANX_HOME/exports" 2>/dev/null | wc -l)" 0 "no spool left behind"
(cd "$OUT/dir" && X -o report.dir="$OUT/dir" -c "export orders $NOV format csv" >/dev/null) &&
	same "$(ls "$OUT/dir" | grep -c '^phalanx-orders-')" 1 "report.dir takes an export with no destination" ||
	fail "export to report.dir"
# A period changed in a file phalanx named: the name gives the field away.
# shellcheck disable=SC2012 # phalanx's own file names: plain
g=$(ls "$OUT/dir/"phalanx-trades-*.csv | head -1)
gn=$(basename "$g")
mkdir -p "$OUT/tamper"
sed 's/^# period: 2026-11-01/# period: 2026-11-02/' "$g" >"$OUT/tamper/$gn"
same "$(cmp -l "$g" "$OUT/tamper/$gn" | wc -l)" 1 "one byte of the period differs"
run 1 "a changed period" "$PHALANX" export verify "$OUT/tamper/$gn"
has "ALTERED (header)" "the header"
has 'field "period" says "2026-11-02 to 2026-11-30' "names the period"
same "$(echo "$out" | grep -c 'field "report')" 0 "and no other field"

# -- PDF --------------------------------------------------------------------
run 0 "export orders as pdf" X -c "export orders $NOV format pdf to $OUT/orders.pdf"
p=$OUT/orders.pdf
psha=$(echo "$out" | sed -n 's/^ *sha256 //p')
same "$psha" "$(hdr "$f" sha256)" "the PDF's hash is the CSV's: same data"
pdfinfo "$p" >"$OUT/info" 2>&1 && ok "pdfinfo reads it" || fail "pdfinfo" "$(cat "$OUT/info")"
same "$(sed -n 's/^Pages: *//p' "$OUT/info")" 3 "cover, charts, one table page"
same "$(sed -n 's/^Author: *//p' "$OUT/info")" "Acme Capital LLP" "metadata: author is the firm"
same "$(sed -n 's/^Title: *//p' "$OUT/info")" "phalanx orders report 2026-11-01 to 2026-11-30" "metadata: title"
has_info() { grep -q "$1" "$OUT/info" && ok "$2" || fail "$2" "$(cat "$OUT/info")"; }
has_info "^Subject:.*$psha" "metadata: subject holds the hash"
has_info "^Creator: *phalanx" "metadata: creator"
pdftotext -layout "$p" "$OUT/orders.txt"
out=$(pdftotext -f 1 -l 1 -layout "$p" -)
has "firm:                 Acme Capital LLP" "cover: firm"
has "member code:          M12345" "cover: member code"
has "client codes:         AB1234,CD5678,EF9012" "cover: client codes"
has "algo ids:             ALGO77" "cover: algo ids"
has "report id:            RPT-" "cover: report id"
has "period:               2026-11-01 to 2026-11-30" "cover: period"
has "rows:                 5" "cover: rows"
has "sha256:               $psha" "cover: sha256"
same "$(grep -c "page [1-3] of 3 .*sha256 $psha" "$OUT/orders.txt")" 3 "every footer: page i of n, report id and hash"
# The PDF's seal binds its cover: recomputed from the cover's text as
# header lines, it is the one in every footer and in the metadata.
pseal=$(X --json -c "export orders $NOV format pdf to $OUT/orders2.pdf" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["report_sha256"])')
same "${#pseal}" 64 "the export names its report sha256"
same "$(pdftotext -f 1 -l 1 -layout "$OUT/orders2.pdf" - | python3 -c '
import hashlib, re, sys
labels = ["report", "firm", "member code", "brokers", "client codes", "algo ids",
          "target", "report id", "period", "generated at", "generator", "rows", "sha256"]
got = {}
for l in sys.stdin.read().splitlines():
    m = re.match(r"^(report|firm|member code|brokers|client codes|algo ids|target|report id|period|generated at|generator|rows|sha256):\s+(.*?)\s*$", l)
    if m and m.group(1) not in got:
        got[m.group(1)] = m.group(2)
print(hashlib.sha256("".join("# %s: %s\r\n" % (k, got[k]) for k in labels).encode()).hexdigest())')" \
	"$pseal" "the PDF's report sha256 is the SHA-256 of its cover's header lines"
same "$(pdftotext -layout "$OUT/orders2.pdf" - | grep -c "report sha256 $pseal")" 3 "every footer holds the report sha256"
pdfinfo "$OUT/orders2.pdf" | grep -q "^Subject:.*report sha256 $pseal" && ok "metadata: subject holds the report sha256" ||
	fail "metadata: subject" "$(pdfinfo "$OUT/orders2.pdf")"
pdftotext -f 1 -l 1 -layout "$OUT/orders2.pdf" - | grep -q "report sha256: *$pseal" && ok "cover: report sha256" || fail "cover: report sha256"
out=$(cat "$OUT/orders.txt")
has "BANKNIFTY25DECFUT" "the table holds the orders"

# Many pages: 260 more events make 270 rows, 6 table pages.
sql "INSERT INTO order_events (ts, order_id, state, latency_us) SELECT timestamptz '2026-11-05 10:00+05:30' + g * interval '1 s', 1 + g % 5, 'OPEN', 200 * g FROM generate_series(1, 260) g" >/dev/null
run 0 "export events as pdf" X -c "export events $NOV format pdf to $OUT/events.pdf"
same "$(pdfinfo "$OUT/events.pdf" | sed -n 's/^Pages: *//p')" 8 "270 rows: cover, charts and 6 table pages"
heads=0
for pg in 3 4 5 6 7 8; do
	pdftotext -f $pg -l $pg -layout "$OUT/events.pdf" - | grep -q "event_id.*latency_us" && heads=$((heads + 1))
done
same "$heads" 6 "the column names head every table page"
same "$(pdftotext -layout "$OUT/events.pdf" - | grep -c 'page [1-8] of 8 ')" 8 "page i of 8 on all 8 pages"
pdftotext -f 2 -l 2 "$OUT/events.pdf" - | grep -q "Ack latency histogram" && ok "a chart page" || fail "no latency histogram"
pdftoppm -r 60 -png -f 2 -l 3 "$OUT/events.pdf" "$OUT/events" &&
	[ -s "$OUT/events-2.png" ] && ok "pdftoppm renders the charts and a table page ($OUT/events-2.png)" ||
	fail "pdftoppm renders"
run 0 "pnl as pdf" X -c "export pnl $NOV format pdf to $OUT/pnl.pdf"
pdftotext "$OUT/pnl.pdf" - | grep -q "Equity curve" && ok "pnl: equity curve" || fail "pnl: no equity curve"
pdftotext "$OUT/pnl.pdf" - | grep -q "Realised PnL by day" && ok "pnl: PnL bars" || fail "pnl: no PnL bars"
run 0 "an empty pdf" X -c "export sla from 2025-01-01 to 2025-01-02 format pdf to $OUT/empty.pdf"
same "$(pdfinfo "$OUT/empty.pdf" | sed -n 's/^Pages: *//p')" 3 "empty: cover, charts, one table page"
pdftotext "$OUT/empty.pdf" - | grep -q "no rows in this period" && ok "empty: says no rows" || fail "empty pdf says nothing"

# -- delivery: e-mail and HTTP ----------------------------------------------
python3 "$SRC/tests/notify_fake.py" >"$TMPDIR/fake.out" 2>"$TMPDIR/fake.err" &
fakepid=$!
trap 'kill $fakepid 2>/dev/null' EXIT
i=0
while [ $i -lt 100 ] && ! grep -q smtp "$TMPDIR/fake.out"; do sleep 0.1; i=$((i + 1)); done
port() { sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" "$TMPDIR/fake.out"; }
HP=$(port http)
SP=$(port smtp)
FAKE="http://127.0.0.1:$HP"
flog() {
	curl -s "$FAKE/_log" | python3 -c "
import json, sys, base64, email, hashlib
L = json.load(sys.stdin)
print($1)"
}
# fsave FILE PYEXPR: write PYEXPR (bytes or text) over L to FILE as is.
fsave() {
	curl -s "$FAKE/_log" | python3 -c "
import json, sys, base64, email
L = json.load(sys.stdin)
v = $2
open(sys.argv[1], 'wb').write(v if isinstance(v, bytes) else v.encode())" "$1"
}
run 1 "email with no e-mail channel" X -c "export trades $NOV format csv email compliance@desk.example"
has "no e-mail channels" "says there is none"
run 0 "an e-mail channel" "$PHALANX" -c "channel add mail kind email smtp smtp://127.0.0.1:$SP tls none from reports@desk.example to ops@desk.example user u password p"
run 0 "export by e-mail" X -c "export trades $NOV format csv email compliance@desk.example"
has "delivered to mailto:compliance@desk.example" "says delivered"
fsave "$OUT/mailed.csv" "[a.get_payload(decode=True) for a in email.message_from_string([e['data'] for e in L if e.get('smtp')][-1]).walk() if (a.get_filename() or '').endswith('.csv')][0]"
run 0 "the attachment verifies" "$PHALANX" export verify "$OUT/mailed.csv"
same "$(flog "[e['rcpt'] for e in L if e.get('smtp')][-1]")" "['<compliance@desk.example>']" \
	"sent to the address asked for, not the channel's recipients"
run 0 "a pdf by e-mail" X -o report.email_channel=mail -c "export pnl $NOV format pdf email compliance@desk.example"
same "$(flog "[a.get_content_type() + ' ' + str(a.get_payload(decode=True)[:5]) for a in email.message_from_string([e['data'] for e in L if e.get('smtp')][-1]).walk() if a.get_filename()][0]")" \
	"application/pdf b'%PDF-'" "the PDF attached"
run 0 "export by http" X -c "export trades $NOV format csv http $FAKE/reports"
sha=$(echo "$out" | sed -n 's/^ *sha256 //p')
same "$(flog "[(e['path'], e['headers'].get('x-phalanx-sha256'), e['headers'].get('content-type').split(';')[0]) for e in L if e.get('path') == '/reports'][-1]")" \
	"('/reports', '$sha', 'text/csv')" "POSTed with its hash and type"
fsave "$OUT/posted.csv" "[e['body'] for e in L if e.get('path') == '/reports'][-1]"
run 0 "the posted body verifies" "$PHALANX" export verify "$OUT/posted.csv"
curl -s -X POST -d '{"prefix": "/broken", "mode": "500"}' "$FAKE/_mode" >/dev/null
run 1 "a receiver answering 500" X -c "export trades $NOV format pdf http $FAKE/broken"
has "status 500" "names the status"
has "the report is kept at" "says where the file is"
same "$(sql "select count(*) from exports where destination like '%/broken'")" 0 "a failed delivery is not recorded as done"
same "$(sql "select count(*) from exports where destination like 'mailto:%'") $(sql "select count(*) from exports where destination = '$FAKE/reports'")" \
	"2 1" "deliveries recorded with their destination"
finish
