#!/bin/sh
# The webhook accept batch (db/migrations/0028_hook_accept_set.sql): a
# batch is stored by one statement (hook_accept_set), and that gives the
# same rows and answers as storing its payloads one at a time
# (hook_accept_each, the fallback): ids in arrival order, duplicates by
# hash and by the sender's id found in the store and earlier in the same
# batch, a malformed payload never the original of a duplicate, another
# connector's payload never one.  A batch one item of which cannot be
# stored falls back to one at a time: that item answers its error, the
# others are stored.  The executor's claim (hook_signal_claim) takes the
# head of each strategy and symbol only, takes over a head whose session
# is gone, and leaves alone one a live session runs.
. "$(dirname "$0")/lib.sh"
fresh_db
cat >"$TMPDIR/reg.phx" <<EOF
broker add pp kind paper
account add paper1 broker pp
strategy add s target acct:paper1
connector add c1 dialect tradingview strategy s token c1-secret-01
connector add c2 dialect tradingview strategy s token c2-secret-02
EOF
run 0 "registry" "$PHALANX" batch "$TMPDIR/reg.phx"
c1=$(sql "select id from connectors where name = 'c1'")
c2=$(sql "select id from connectors where name = 'c2'")

H1=$(printf 'aa%.0s' $(seq 32))
H2=$(printf 'bb%.0s' $(seq 32))
H3=$(printf 'cc%.0s' $(seq 32))
H4=$(printf 'dd%.0s' $(seq 32))
# item CONNECTOR_ID HASH EXT_ID|- REASON|- [DEDUPE_S [DEDUPE_ID_S [SYMBOL]]]
item() {
	ext=
	[ "$3" != - ] && ext=",\"ext_id\":\"$3\""
	if [ "$4" != - ]; then
		sigs='[]'
		reason="\"$4\""
	else
		sigs="[{\"seq\":0,\"action\":\"buy\",\"symbol\":\"${7:-NIFTYFUT}\",\"exchange\":\"NFO\",\"qty\":1,\"unit\":\"lots\",\"order_type\":\"market\",\"price\":null,\"trigger_price\":null,\"product\":\"\",\"parsed\":{}$ext}]"
		reason=null
	fi
	printf '{"connector_id":%s,"connector":"c","method":"POST","remote":"127.0.0.1","ctype":"application/json","query":null,"body":"7b7d","hash":"%s","reason":%s,"signals":%s,"dedupe_s":%s,"dedupe_id_s":%s}' \
	    "$1" "$2" "$reason" "$sigs" "${5:-3600}" "${6:-3600}"
}
# psql with the batch as :'b'; the statements on stdin.
q() {
	psql "$PHALANX_DSN" -qAt -v b="$1"
}
# The rows stored after payload LO_P and signal LO_S, ids as ranks:
# p2(dup p1)[s2 DUPLICATE dup s1] ...
summary() {
	cat <<EOF
WITH p AS (SELECT id, duplicate_of, row_number() OVER (ORDER BY id) rn
    FROM webhook_payloads WHERE id > $1),
  s AS (SELECT id, payload_id, status, duplicate_of,
    row_number() OVER (ORDER BY id) rn FROM signals WHERE id > $2)
SELECT string_agg(format('p%s(dup %s)%s', p.rn,
    COALESCE((SELECT 'p' || x.rn FROM p x WHERE x.id = p.duplicate_of),
      p.duplicate_of::text, '-'),
    COALESCE((SELECT string_agg(format('[s%s %s dup %s]', s.rn, s.status,
      COALESCE((SELECT 's' || y.rn FROM s y WHERE y.id = s.duplicate_of),
        s.duplicate_of::text, '-')), '' ORDER BY s.id)
      FROM s WHERE s.payload_id = p.id), '')), ' ' ORDER BY p.rn) FROM p;
EOF
}
lastp() { sql "select coalesce(max(id), 0) from webhook_payloads"; }
lasts() { sql "select coalesce(max(id), 0) from signals"; }

# --- one batch: every kind of duplicate -------------------------------
b="[$(item "$c1" "$H1" E1 -),$(item "$c1" "$H1" - -),$(item "$c1" "$H2" E1 -),$(item "$c1" "$H3" - bad),$(item "$c1" "$H3" - -),$(item "$c1" "$H1" - -),$(item "$c2" "$H1" - -),$(item "$c2" "$H2" E1 -)]"
lp=$(lastp)
ls=$(lasts)
each=$( { echo "BEGIN; SELECT hook_accept_each(:'b') IS NOT NULL;"; summary "$lp" "$ls"; echo "ROLLBACK;"; } | q "$b" | sed -n 2p)
same "$each" "p1(dup -)[s1 QUEUED dup -] p2(dup p1)[s2 DUPLICATE dup s1] p3(dup -)[s3 DUPLICATE dup s1] p4(dup -) p5(dup -)[s4 QUEUED dup -] p6(dup p1)[s5 DUPLICATE dup s1] p7(dup -)[s6 QUEUED dup -] p8(dup -)[s7 QUEUED dup -]" \
	"one at a time: duplicates of the batch's own payloads and ids"
lp=$(lastp)
ls=$(lasts)
ans=$(echo "SELECT hook_accept_set(:'b');" | q "$b")
set=$(summary "$lp" "$ls" | psql "$PHALANX_DSN" -qAt)
same "$set" "$each" "one statement stores the same rows"
same "$(echo "SELECT string_agg(COALESCE(e->'signals'->0->>'status', 'none'), ',' ORDER BY n) FROM jsonb_array_elements(:'b'::jsonb) WITH ORDINALITY t(e, n);" | q "$ans")" \
	"QUEUED,DUPLICATE,DUPLICATE,none,QUEUED,DUPLICATE,QUEUED,QUEUED" "and answers each payload for itself"
same "$(echo "SELECT bool_and(a < b) FROM (SELECT (e->>'payload')::bigint a, lead((e->>'payload')::bigint) OVER (ORDER BY n) b FROM jsonb_array_elements(:'b'::jsonb) WITH ORDINALITY t(e, n)) x WHERE b IS NOT NULL;" | q "$ans")" \
	t "payload ids follow the batch's order"
same "$(sql "select bool_and(s.id > p.prev_sig) from (select p.id, (select max(s2.id) from signals s2 where s2.payload_id < p.id) prev_sig from webhook_payloads p where p.id > $lp) p join signals s on s.payload_id = p.id")" \
	t "and so do signal ids"
same "$(sql "select count(*) from signals where id > $ls and status = 'DUPLICATE' and reason !~ '^same (payload|id) as (signal )?[0-9]+$'")" 0 \
	"a duplicate's reason names what it repeats"

# --- the next batch finds the first in the store ----------------------
b="[$(item "$c1" "$H1" - -),$(item "$c1" "$H2" E1 -),$(item "$c2" "$H3" E9 -)]"
lp=$(lastp)
ls=$(lasts)
each=$( { echo "BEGIN; SELECT hook_accept_each(:'b') IS NOT NULL;"; summary 0 0; echo "ROLLBACK;"; } | q "$b" | sed -n 2p)
echo "SELECT hook_accept_set(:'b') IS NOT NULL;" | q "$b" >/dev/null
same "$(summary 0 0 | psql "$PHALANX_DSN" -qAt)" "$each" "duplicates of stored payloads and ids: the same both ways"
same "$(sql "select string_agg(status, ',' order by id) from signals where id > $ls")" "DUPLICATE,DUPLICATE,QUEUED" \
	"a stored hash and a stored id are found"

# --- no window, no duplicates -----------------------------------------
b="[$(item "$c1" "$H1" E1 - 0 0),$(item "$c1" "$H1" E1 - 0 0)]"
ls=$(lasts)
echo "SELECT hook_accept_set(:'b') IS NOT NULL;" | q "$b" >/dev/null
same "$(sql "select string_agg(status, ',' order by id) from signals where id > $ls")" "QUEUED,QUEUED" \
	"with windows of 0 s nothing is a duplicate"

# --- the entry point: falls back when one item cannot be stored --------
b="[$(item "$c1" "$H2" - - 0 0),$(item 999999 "$H2" - - 0 0),$(item "$c2" "$H2" - - 0 0)]"
lp=$(lastp)
ans=$(echo "SELECT hook_accept_batch(:'b');" | q "$b")
same "$(echo "SELECT string_agg(CASE WHEN e ? 'error' THEN 'error ' || (e->>'state') ELSE e->'signals'->0->>'status' END, ',' ORDER BY n) FROM jsonb_array_elements(:'b'::jsonb) WITH ORDINALITY t(e, n);" | q "$ans")" \
	"QUEUED,error 23503,QUEUED" "an item of a gone connector answers its error alone"
same "$(sql "select count(*) from webhook_payloads where id > $lp")" 2 "the others are stored"
# Windows that differ within one batch: one at a time, same answers.
b="[$(item "$c1" "$H4" - - 3600 3600),$(item "$c1" "$H4" - - 0 0)]"
ans=$(echo "SELECT hook_accept_batch(:'b');" | q "$b")
same "$(echo "SELECT string_agg(e->'signals'->0->>'status', ',' ORDER BY n) FROM jsonb_array_elements(:'b'::jsonb) WITH ORDINALITY t(e, n);" | q "$ans")" \
	"QUEUED,QUEUED" "a batch of mixed windows is stored one at a time"
same "$(echo "SELECT hook_accept_batch('[]') = '[]';" | q x)" t "an empty batch answers nothing"

# --- the claim: heads only ---------------------------------------------
b="[$(item "$c1" "$H1" - - 0 0 BANKNIFTYFUT),$(item "$c1" "$H1" - - 0 0 BANKNIFTYFUT)]"
echo "SELECT hook_accept_set(:'b') IS NOT NULL;" | q "$b" >/dev/null
heads=$(sql "select string_agg(id::text, ',' order by id) from (select min(id) id from signals where status = 'QUEUED' group by symbol) x")
queued=$(sql "select count(*) from signals where status = 'QUEUED'")
[ "$queued" -gt 4 ] && ok "$queued signals queued on two symbols" || fail "signals queued" "$queued"
same "$(printf 'SELECT string_agg(id::text, %s ORDER BY id) FROM hook_signal_claim(0, 10);\nSELECT count(*) FROM hook_signal_claim(0, 10);\n' "','" | psql "$PHALANX_DSN" -qAt | tr '\n' ' ')" \
	"$heads 0 " "the oldest signal of each symbol is claimed, then nothing while this session runs them"
same "$(sql "select string_agg(id::text, ',' order by id) from hook_signal_claim(0, 10)")" "$heads" \
	"its session gone, they are taken over"
same "$(sql "select count(distinct claimed_by) from signals where status = 'EXECUTING'")" 1 "by the session that took them"
sql "update signals set status = 'DONE', claimed_by = NULL where status = 'EXECUTING'" >/dev/null
next=$(sql "select min(id) from signals where status = 'QUEUED' and symbol = 'NIFTYFUT'")
same "$(sql "select string_agg(id::text, ',' order by id) from hook_signal_claim(0, 1)")" "$next" \
	"once done, the next of the symbol is its head (one asked for: the oldest)"
same "$(sql "select exec_side || ' ' || exec_qty || ' ' || signed_lots from signals where id = $next")" "BUY 1 1" \
	"with the order it makes"
finish
