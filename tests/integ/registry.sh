#!/bin/sh
# The account registry through batch mode, checked against the rows.
. "$(dirname "$0")/lib.sh"
fresh_db
SECRET=s3cr3t-api-secret-XYZ
TOKEN=tok-access-123456

cat >"$TMPDIR/setup.phx" <<PHX
# brokers first, then accounts in two groups
broker add zerodha kind kite url http://127.0.0.1:9 api-key key1 \\
    api-secret $SECRET access-token $TOKEN
broker add paper1 kind paper
account add alice broker zerodha user-id AB1234 lots 2 multiplier 0.5 \\
    capital 500000 weight 2 priority 1 max-lots 10 tags scalpers,family
account add bob broker zerodha user-id CD5678 priority 2 tags scalpers
account add carol broker paper1 priority 3 tags family
PHX
run 0 "batch file registers brokers and accounts" "$PHALANX" batch "$TMPDIR/setup.phx"
same "$(sql "select count(*) from accounts")" 3 "three accounts stored"
same "$(sql "select lots||'/'||multiplier||'/'||capital||'/'||weight||'/'||max_lots||'/'||user_id from accounts where name='alice'")" \
	"2/0.5000/500000.00/2.0000/10/AB1234" "every account field stored"
same "$(sql "select string_agg(tag, ',' order by tag) from account_tags t join accounts a on a.id=t.account_id where a.name='alice'")" \
	"family,scalpers" "tags stored"
same "$(sql "select count(*) from audit_log where action in ('broker.add','account.add')")" 5 "one audit row per change"
same "$(sql "select distinct front from audit_log")" batch "audit names the front"
same "$(sql "select distinct os_user from audit_log")" "$(id -un)" "audit names the OS user"

# Secrets: encrypted at rest, never printed.
same "$(sql "select count(*) from credentials where ciphertext like 'v1:%'")" 2 "credentials stored encrypted"
same "$(sql "select count(*) from credentials where ciphertext like '%$SECRET%' or ciphertext like '%$TOKEN%'")" 0 "no plaintext secret in the store"
run 0 "broker list" "$PHALANX" -c "broker list"
has "****" "secrets masked in the list"
hasnt "$SECRET" "api secret never printed"
hasnt "$TOKEN" "access token never printed"
run 0 "broker list --json" "$PHALANX" --json -c "broker list"
hasnt "$SECRET" "api secret never in --json"
has '"api_secret":"****"' "secret masked in --json"
same "$(sql "select count(*) from audit_log where detail::text like '%$SECRET%'")" 0 "no secret in the audit log"
run 0 "broker add --json" "$PHALANX" --json -c "broker add z2 kind kite url http://127.0.0.1:9 api-key k2 api-secret $SECRET access-token $TOKEN"
hasnt "$SECRET" "the echoed command hides the api secret"
hasnt "$TOKEN" "the echoed command hides the access token"
run 1 "broker add duplicate with secret" "$PHALANX" -c "broker add z2 kind kite url http://127.0.0.1:9 api-key k2 api-secret $SECRET"
hasnt "$SECRET" "errors never echo the secret"
run 0 "broker rm" "$PHALANX" -c "broker rm z2"

# Per-account credentials (one API key per user, as the simulator has).
run 0 "account with its own key and token" "$PHALANX" --json -c "account add sam broker zerodha user-id SM0001 api-key sk1 access-token $TOKEN"
hasnt "$TOKEN" "account token never echoed"
same "$(sql "select api_key from accounts where name='sam'")" sk1 "account api key stored"
same "$(sql "select count(*) from credentials c join accounts a on a.id=c.account_id where a.name='sam' and c.ciphertext like 'v1:%' and c.ciphertext not like '%$TOKEN%'")" 1 "account token encrypted"
run 0 "token refresh" "$PHALANX" -c "account set sam access-token newtok-987"
same "$(sql "select count(*) from credentials c join accounts a on a.id=c.account_id where a.name='sam'")" 1 "token replaced, not duplicated"
same "$(sql "select count(*) from audit_log where detail::text like '%newtok-987%' or detail::text like '%$TOKEN%'")" 0 "no token in the audit log"
run 0 "account rm sam" "$PHALANX" -c "account rm sam"

# Targets resolve in priority order.
run 0 "account list group:scalpers" "$PHALANX" -c "account list group:scalpers"
same "$(echo "$out" | awk 'NR>1 {print $1}' | tr '\n' ' ')" "alice bob " "group target in priority order"
run 0 "account list family (bare tag)" "$PHALANX" -c "account list family"
same "$(echo "$out" | awk 'NR>1 {print $1}' | tr '\n' ' ')" "alice carol " "bare tag is a group"
run 0 "account list acct:carol,acct:alice" "$PHALANX" -c "account list acct:carol,acct:alice"
same "$(echo "$out" | awk 'NR>1 {print $1}' | tr '\n' ' ')" "alice carol " "account list in priority order"
run 1 "unknown group" "$PHALANX" -c "account list group:nobody"
has 'no account is tagged "nobody"' "unknown group named"

# set, tag, enable/disable, rm
run 0 "account set" "$PHALANX" -c "account set bob lots 3 max-lots 5 weight 1.5"
same "$(sql "select lots||'/'||max_lots||'/'||weight from accounts where name='bob'")" "3/5/1.5000" "set changes only the named fields"
run 0 "account tag" "$PHALANX" -c "account tag bob +swing -scalpers"
same "$(sql "select string_agg(tag, ',' order by tag) from account_tags t join accounts a on a.id=t.account_id where a.name='bob'")" "swing" "tags added and removed"
run 0 "account disable" "$PHALANX" -c "account disable carol"
same "$(sql "select enabled from accounts where name='carol'")" f "disabled"
run 0 "account enable" "$PHALANX" -c "account enable carol"
same "$(sql "select enabled from accounts where name='carol'")" t "enabled again"
run 0 "account list --json" "$PHALANX" -c "account list --json"
same "$(echo "$out" | wc -l | tr -d ' ')" 1 "--json prints one line per command"
has '"ok":true' "--json ok"
has '"name":"alice"' "--json carries the rows"

# Bad input: clear errors, nothing half-applied.
run 2 "unknown command" "$PHALANX" -c "acount list"
has 'unknown command' "unknown command named"
run 2 "missing argument" "$PHALANX" -c "account add dave"
has "broker" "missing broker named"
run 2 "bad number" "$PHALANX" -c "account add dave broker zerodha lots x"
has '"x"' "bad number quoted"
run 1 "unknown account" "$PHALANX" -c "account set ghost lots 2"
has 'unknown account "ghost"' "unknown account named"
run 1 "unknown broker" "$PHALANX" -c "account add dave broker nosuch"
has 'unknown broker "nosuch"' "unknown broker named"
run 1 "duplicate account" "$PHALANX" -c "account add alice broker zerodha user-id ZZ1"
has 'account "alice" already exists' "duplicate named"
run 1 "duplicate broker" "$PHALANX" -c "broker add paper1 kind paper"
has 'broker "paper1" already exists' "duplicate broker named"
run 1 "broker in use" "$PHALANX" -c "broker rm zerodha"
has "still has accounts" "broker in use refused"
same "$(sql "select count(*) from accounts where name='dave'")" 0 "failed adds left nothing"

# A parse error anywhere means nothing runs.
printf 'account add erin broker paper1\naccount add fred broker paper1\naccount add gina broker paper1 lots many\n' >"$TMPDIR/bad.phx"
run 2 "parse error on line 3" "$PHALANX" batch "$TMPDIR/bad.phx"
has "line 3" "error names the line"
has "column" "error names the column"
same "$(sql "select count(*) from accounts where name in ('erin','fred')")" 0 "nothing ran before the parse error"

# Failures do not stop the batch unless asked; exit 1.
printf 'account add erin broker nosuch\naccount add fred broker paper1\n' >"$TMPDIR/mixed.phx"
run 1 "a failed command fails the batch" "$PHALANX" batch "$TMPDIR/mixed.phx"
same "$(sql "select count(*) from accounts where name='fred'")" 1 "later commands still ran"
printf 'account add hank broker nosuch\naccount add ivan broker paper1\n' >"$TMPDIR/stop.phx"
run 1 "--stop-on-error" "$PHALANX" --stop-on-error batch "$TMPDIR/stop.phx"
same "$(sql "select count(*) from accounts where name='ivan'")" 0 "--stop-on-error stopped"
run 0 "stdin batch" sh -c "echo 'account rm fred' | '$PHALANX' batch -"
same "$(sql "select count(*) from accounts where name='fred'")" 0 "rm from stdin"
run 1 "rm unknown" "$PHALANX" -c "account rm fred"

# --json errors carry code and message.
run 1 "json error" "$PHALANX" --json -c "account set ghost lots 1"
has '"ok":false' "json ok false"
has '"code":"unknown-account"' "json error code"

# The store unreachable: a clear message and exit 3.
run 3 "store unreachable" env PHALANX_DSN="host=$TMPDIR/nowhere dbname=x connect_timeout=2" "$PHALANX" -c "account list"
has "store" "unreachable message names the store"
finish
