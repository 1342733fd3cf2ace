#!/bin/sh
# The risk commands against a real store: templates as versioned data,
# bindings that only narrow, overrides with a second operator's approval
# and expiry, scope states, incidents with playbooks and sign-off, and
# the audit chain finding an edited row.
. "$(dirname "$0")/lib.sh"
fresh_db
chmod 755 "$TMPDIR" "$TMPDIR/home" "$PHALANX_HOME" 2>/dev/null
mkdir -p "$TMPDIR/nobody" && chown nobody "$TMPDIR/nobody"

# other CMD...: run phalanx as another operator (the nobody user).
other() {
	runuser -u nobody -- env PHALANX_DSN="$PHALANX_DSN" \
	    PHALANX_HOME="$TMPDIR/nobody" \
	    PHALANX_MASTER_KEY="$PHALANX_MASTER_KEY" "$(others_phalanx)" "$@"
}

run 0 "registry" "$PHALANX" batch - <<'EOF'
broker add p kind paper
account add ravi broker p tags scalpers capital 1000000
account add meera broker p tags family capital 500000
account add dev broker p tags family
EOF

run 0 "shipped templates listed" "$PHALANX" -c "rms template list"
for t in intraday-scalper positional expiry-day conservative; do
	has "$t" "shipped template $t"
done
run 0 "show a template" "$PHALANX" -c "rms template show intraday-scalper"
has "mtm-loss                 25000          on breach: squareoff" \
	"its loss limit and response"

# Bad values: a parse error naming the limit and value, nothing written.
run 2 "a negative limit is refused" "$PHALANX" -c "rms template add t1 mtm-loss -5"
run 2 "NaN is refused" "$PHALANX" -c "rms template add t1 mtm-loss NaN"
has 'mtm-loss: expected rupees with at most 2 decimals, got "NaN"' \
	"the refusal names the limit and the value"
run 2 "an absurd value is refused" "$PHALANX" -c \
	"rms template add t1 max-lots-per-order 99999999999"
has "max-lots-per-order: at most 100000" "the sane maximum is named"
run 2 "an unknown limit is refused" "$PHALANX" -c \
	"rms template add t1 max-lot 5"
has 'unknown limit "max-lot"' "the unknown limit is named"
run 2 "a backwards window is refused" "$PHALANX" -c \
	"rms template add t1 window 15:00-09:15"
same "$(sql "select count(*) from rms_templates where name = 't1'")" 0 \
	"nothing was written"

run 0 "a template from another" "$PHALANX" -c \
	"rms template add fam from conservative max-lots-per-order 1 approval yes"
has "fam is now version 1" "version 1"
run 0 "set writes the next version" "$PHALANX" -c \
	"rms template set fam mtm-loss 5000 price-band-pct none"
has "fam is now version 2" "version 2"
same "$(sql "select limits->>'mtm-loss', limits ? 'price-band-pct' from rms_templates where name = 'fam' and version = 2")" \
	"5000|f" "v2 has the new limit and lost the removed one"
run 1 "set on a missing template fails" "$PHALANX" -c \
	"rms template set nope mtm-loss 5"
has 'no RMS template "nope"' "and says which"

# Bindings narrow from the firm down.
run 0 "bind the scalper to the firm" "$PHALANX" -c \
	"rms apply intraday-scalper to all"
run 0 "bind fam to the family group" "$PHALANX" -c \
	"rms apply fam to group:family"
run 1 "an unknown group is refused" "$PHALANX" -c "rms apply fam to group:nope"
run 0 "state of meera" "$PHALANX" --json -c "rms state acct:meera"
same "$(printf '%s' "$out" | python3 -c '
import json, sys
d = {l["limit"]: l["value"] for l in json.load(sys.stdin)["data"][0]["limits"]}
print(d["max-lots-per-order"], d["mtm-loss"], d["window"], d["max-open-positions"])')" \
	"1 5000 09:30-15:00 3" "the group narrows the firm's limits"
run 0 "state of ravi" "$PHALANX" --json -c "rms state acct:ravi"
same "$(printf '%s' "$out" | python3 -c '
import json, sys
d = {l["limit"]: l["value"] for l in json.load(sys.stdin)["data"][0]["limits"]}
print(d["max-lots-per-order"], d["mtm-loss"])')" "10 25000" \
	"an account outside the group keeps the firm's"

# Overrides: tighten at once; loosen waits for someone else.
run 0 "a tightening override" "$PHALANX" -c \
	"rms override group:family mtm-loss 3000 until 23:59 reason \"cautious day\""
has "ACTIVE" "is in force at once"
run 0 "a loosening override" "$PHALANX" -c \
	"rms override group:family max-lots-per-order 4 until 23:59 reason \"client asked\""
has "PENDING" "waits for approval"
id=$(sql "select id from rms_overrides where value = '4'")
run 1 "self-approval is refused" "$PHALANX" -c "rms approve $id"
has "another operator must approve it" "and says why"
same "$(sql "select state from rms_overrides where id = $id")" PENDING \
	"it is still pending"
run 0 "another operator approves" other -c "rms approve $id"
same "$(sql "select approved_by from rms_overrides where id = $id")" nobody \
	"the approver is recorded"
run 0 "state after approval" "$PHALANX" --json -c "rms state acct:dev"
same "$(printf '%s' "$out" | python3 -c '
import json, sys
d = {l["limit"]: l["value"] for l in json.load(sys.stdin)["data"][0]["limits"]}
print(d["max-lots-per-order"], d["mtm-loss"])')" "4 3000" \
	"both overrides are in force"
run 1 "an approved override cannot be approved again" other -c "rms approve $id"
run 1 "an unknown override" other -c "rms approve 999"
has "no override 999" "is named"

# An override ends by itself.
soon=$(TZ=Asia/Kolkata date -d '+12 seconds' +%H:%M:%S)
run 0 "a short override" "$PHALANX" -c \
	"rms override acct:ravi max-lots-per-order 2 until $soon reason brief"
run 0 "it is in force" "$PHALANX" --json -c "rms state acct:ravi"
case "$out" in *'"limit": "max-lots-per-order", "value": "2"'*|*'"limit":"max-lots-per-order","value":"2"'*)
	ok "the short override is in force" ;;
*) fail "the short override is in force" "$out" ;;
esac
sleep 13
run 0 "after it ends" "$PHALANX" --json -c "rms state acct:ravi"
case "$out" in *'"value":"10"'*|*'"value": "10"'*)
	ok "the limit is back once it expired" ;;
*) fail "the limit is back once it expired" "$out" ;;
esac
run 1 "an override in the past is refused" "$PHALANX" -c \
	"rms override all mtm-loss 5 until 2020-01-01 reason x"
has "is not in the future" "and says so"

# Scope states.
run 0 "reduce a group" "$PHALANX" -c "rms reduce group:family reason \"too much risk\""
run 0 "its accounts are REDUCING" "$PHALANX" -c "rms state acct:dev"
has "dev  REDUCING" "dev reduces with its group"
run 0 "halt the firm" "$PHALANX" -c "rms halt all reason \"exchange glitch\""
run 0 "every account is HALTED" "$PHALANX" -c "rms state"
same "$(printf '%s\n' "$out" | grep -c '  HALTED  ')" 3 "all three halted"
run 0 "resume the firm" "$PHALANX" -c "rms resume all reason \"glitch over\""
run 0 "resume the group" "$PHALANX" -c "rms resume group:family reason ok"
run 0 "state again" "$PHALANX" -c "rms state"
same "$(printf '%s\n' "$out" | grep -c '  ACTIVE  ')" 3 "all three active"
same "$(sql "select count(*) from audit_log where action = 'rms.state'")" 4 \
	"every state change audited"

# Incidents: a breach row as the monitor writes it, then the operators.
inc=$(sql "with i as (insert into incidents (severity, scope_kind, scope_name, rule, summary, playbook) values ('critical', 'account', 'ravi', 'mtm-loss', 'mtm-loss: 26000 rupees, limit 25000', 'loss-limit') returning id), s as (insert into incident_steps (incident_id, n, title, automatic) select i.id, s.n, s.x->>'title', coalesce((s.x->>'automatic')::boolean, false) from i, playbooks p, jsonb_array_elements(p.steps) with ordinality s(x, n) where p.name = 'loss-limit') select id from i")
run 0 "incident list" "$PHALANX" -c "incident list open"
has "mtm-loss" "lists the open incident"
run 0 "acknowledge" "$PHALANX" -c "incident ack $inc note \"on it\""
has "ACKNOWLEDGED" "acknowledged"
run 1 "acknowledge twice" "$PHALANX" -c "incident ack $inc"
run 0 "a note" "$PHALANX" -c "incident note $inc \"called ravi\""
run 0 "a step" "$PHALANX" -c "incident step $inc 2 done note \"flat at broker\""
run 1 "the same step twice" "$PHALANX" -c "incident step $inc 2 done"
has "done already" "is refused"
run 1 "sign-off before resolve" "$PHALANX" -o rms.signoff_users=root,nobody \
	-c "incident signoff $inc note early"
has "sign-off comes after resolve" "is refused"
run 0 "resolve" "$PHALANX" -c "incident resolve $inc note \"flat, reviewed\""
run 1 "the resolver may not sign off" "$PHALANX" -o rms.signoff_users=root,nobody \
	-c "incident signoff $inc note mine"
has "another operator must sign it off" "is refused"
run 1 "an operator not listed may not sign off" other \
	-c "incident signoff $inc note \"not listed\""
has "rms.signoff_users" "names the setting"
run 0 "a listed operator signs off" other -o rms.signoff_users=root,nobody \
	-c "incident signoff $inc note \"reviewed by compliance\""
run 0 "show" "$PHALANX" -c "incident show $inc"
has "SIGNED_OFF" "signed off"
has "[x] 2. Confirm every account of the scope is flat at the broker" \
	"the step is ticked"
has "called ravi" "the note is on the timeline"
has "signed off by nobody" "the sign-off is shown"

# The audit chain: intact, then one row edited behind phalanx's back.
run 0 "audit verify" "$PHALANX" -c "audit verify"
has "audit chain intact" "intact"
run 1 "the log refuses edits" sql "update audit_log set object = 'x' where chain_seq = 3"
sql "alter table audit_log disable trigger audit_log_frozen; update audit_log set object = 'forged' where chain_seq = 3; alter table audit_log enable trigger audit_log_frozen" >/dev/null
run 1 "an edited row is found" "$PHALANX" -c "audit verify"
has "audit chain broken at row 3" "the first broken row is named"
has "row altered" "and what is wrong"

finish
