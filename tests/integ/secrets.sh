#!/bin/sh
# Secrets never leak, end to end: what `phalanx shell` and `phalanx -c`
# are given (history file, output, log file, audit_log, --json, parse
# errors, ps); secrets read from @file:, @env: and standard input, checked
# by the simulator accepting the token they stored; the private cluster's
# postmaster started without PHALANX_MASTER_KEY in its environment; no
# core dumps from a process that holds the key.
. "$(dirname "$0")/lib.sh"
fresh_db

start_sim --users 2 --seed 11
work="$TMPDIR/secrets.$$"
mkdir -p "$work"
cleanup() {
	kill $simpid 2>/dev/null
	[ -n "${servepid:-}" ] && kill "$servepid" 2>/dev/null
	exec 3>&- 2>/dev/null
	[ -n "${cpid:-}" ] && kill "$cpid" 2>/dev/null
	if [ -n "${chome:-}" ]; then
		PHALANX_HOME="$chome" "$PHALANX" db stop >/dev/null 2>&1
		if [ -L "$chome/store" ]; then
			target=$(readlink "$chome/store")
			case "$target" in
			/var/lib/phalanx/?*|/tmp/phalanx-*/?*) rm -rf "$target" ;;
			esac
		fi
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

key1=$(sim_user 1 api_key)
tok1=$(sim_user 1 access_token)
log="$work/phalanx.log"

run 0 "kite broker" "$PHALANX" -c "broker add sim kind kite url $simbase api-key $key1"
run 0 "account without a token" "$PHALANX" -c \
	"account add s1 broker sim user-id $(sim_user 1 user_id) api-key $key1"

# 1. phalanx shell through a pipe, every shape of line.
S=SECRETVALUE
printf '%s\n' \
	"account set s1 access-token ${S}1" \
	"account set access-token ${S}2" \
	"account set s1 access-token=${S}3" \
	"account set s1 acess-token ${S}4" \
	"account set s1 access-token \\" \
	"  ${S}5" \
	"account set s1 ACCESS-TOKEN \"${S}6" \
	"account set s1 api-secret ${S}7 lots x" \
	"account set s1 access-token ${S}8 --json" |
	"$PHALANX" -o log.file="$log" -o log.level=debug shell >"$work/shell.out" 2>&1
same "$?" 0 "shell ran the lines"
out=$(cat "$work/shell.out")
has "error: line 1" "the refused lines were refused"
has '"cmd":"account set s1 access-token *** --json"' "--json echoes the line redacted"
hasnt "$S" "the shell's output has no secret"
out=$(cat "$PHALANX_HOME/history")
has "account set s1 access-token ***" "the history keeps the command"
has "account set s1 access-token=***" "and a refused one, redacted"
hasnt "$S" "the history file has no secret"
same "$(stat -c %a "$PHALANX_HOME/history")" 600 "the history file is private"
out=$(cat "$log" 2>/dev/null)
hasnt "$S" "the log file has no secret"
out=$(sql "select string_agg(t::text, ' ') from audit_log t")
has "account.set" "audit_log has the changes"
hasnt "$S" "audit_log has no secret"
out=$(sql "select string_agg(c::text, ' ') from credentials c")
hasnt "$S" "credentials are stored encrypted"

# 2. A history written by an older phalanx is cleaned when read.
echo "account set s1 access-token OLDSECRET99" >>"$PHALANX_HOME/history"
chmod 644 "$PHALANX_HOME/history"
run 0 "help in the shell (it used to wait forever)" timeout 60 sh -c 'echo help | "$PHALANX" shell'
has "buy SYMBOL QTY" "help answers"
out=$(cat "$PHALANX_HOME/history")
hasnt "OLDSECRET99" "an old secret is gone from the history"
has "account set s1 access-token ***" "its line is kept redacted"
same "$(stat -c %a "$PHALANX_HOME/history")" 600 "and the file is private again"

# 3. Parse errors and --json through -c.
run 2 "-c with access-token=" "$PHALANX" --json -c "account set s1 access-token=${S}9"
hasnt "$S" "the parse error has no secret (-c --json)"
run 2 "batch with a refused line" sh -c "printf 'account set s1 lots 2\naccount set s1 lots 2 access-token \"%s x\" junk\n' ${S}10 | \"\$PHALANX\" batch"
hasnt "$S" "the parse error has no secret (batch)"

# 4. Secrets from a file, the environment and stdin: the sim says
# whether the token stored is the right one.
run 0 "a wrong token" "$PHALANX" -c "account set s1 access-token nope"
run 1 "the sim refuses it" "$PHALANX" -c "positions acct:s1"
printf '%s\n' "$tok1" >"$work/token"
chmod 600 "$work/token"
run 0 "access-token @file:" "$PHALANX" -c "account set s1 access-token @file:$work/token"
run 0 "the sim accepts the token read from the file" "$PHALANX" -c "positions acct:s1"
run 0 "a wrong token again" "$PHALANX" -c "account set s1 access-token nope"
run 0 "access-token @env:" env KITE_TOKEN_T="$tok1" "$PHALANX" -c \
	"account set s1 access-token @env:KITE_TOKEN_T"
run 0 "the sim accepts the token from the environment" "$PHALANX" -c "positions acct:s1"
run 0 "a wrong token once more" "$PHALANX" -c "account set s1 access-token nope"
run 0 "access-token - (stdin)" sh -c "printf '%s\n' '$tok1' | \"\$PHALANX\" -c 'account set s1 access-token -'"
run 0 "the sim accepts the token from stdin" "$PHALANX" -c "positions acct:s1"
out=$(sql "select string_agg(t::text, ' ') from audit_log t")
hasnt "$tok1" "audit_log never has the token"

# Clear refusals, nothing half-applied, the value never echoed.
run 2 "a missing file" "$PHALANX" -c "account set s1 lots 3 access-token @file:$work/none"
has "cannot read @file:$work/none (for \"access-token\"): No such file" "names the file"
same "$(sql "select lots from accounts where name = 's1'")" 1 "nothing applied"
run 2 "an unset variable" env -u KITE_TOKEN_T "$PHALANX" -c "account set s1 access-token @env:KITE_TOKEN_T"
has "environment variable KITE_TOKEN_T (for \"access-token\") is not set" "names the variable"
: >"$work/empty"
run 2 "an empty file" "$PHALANX" -c "account set s1 access-token @file:$work/empty"
has "is empty" "says it is empty"
printf 'bad %s value\n' "$S" >"$work/bad"
run 2 "a file that holds no key" "$PHALANX" -c "account set s1 access-token @file:$work/bad"
hasnt "$S" "the bad value is not shown"
printf 'account set s1 lots 3\naccount set s1 access-token -\n' >"$work/script"
run 2 "stdin is the script" sh -c "\"\$PHALANX\" batch <'$work/script'"
has "standard input is not available here" "says why"
same "$(sql "select lots from accounts where name = 's1'")" 1 "the batch did not run"
run 0 "stdin when the script is a file" sh -c "printf '%s\n' '$tok1' | \"\$PHALANX\" batch '$work/script'"
same "$(sql "select lots from accounts where name = 's1'")" 3 "the batch ran"
run 0 "and the token works" "$PHALANX" -c "positions acct:s1"

# 5. ps: a -c line shows its secrets starred while the command runs
# (kept waiting here on stdin for a second secret).
mkfifo "$work/in"
"$PHALANX" -c "account set s1 access-token ${S}11 api-secret -" <"$work/in" >"$work/ps.out" 2>&1 &
cpid=$!
exec 3>"$work/in"
i=0
while [ $i -lt 200 ]; do
	cmdline=$(tr '\0' ' ' <"/proc/$cpid/cmdline" 2>/dev/null)
	case "$cmdline" in *"access-token *"*) break ;; esac
	sleep 0.05
	i=$((i + 1))
done
case "$cmdline" in
*"access-token *************"*) ok "ps shows the -c line starred" ;;
*) fail "ps shows the -c line starred" "$cmdline" ;;
esac
out=$cmdline
hasnt "$S" "ps does not show the secret"
# (Unless it already ended: nobody would read the line.)
kill -0 "$cpid" 2>/dev/null && echo "secret-from-stdin" >&3
exec 3>&-
wait "$cpid"
same "$?" 0 "the command ran once its second secret came"
cpid=

# 6. No core dumps from a process that holds the key; not dumpable.
core_limit() {
	awk '/^Max core file size/ { print $5, $6 }' "/proc/$1/limits" 2>/dev/null
}
"$PHALANX" serve --listen 127.0.0.1:0 >"$work/serve.out" 2>&1 &
servepid=$!
i=0
while [ $i -lt 100 ] && ! grep -q '"listening"' "$work/serve.out"; do
	sleep 0.05
	i=$((i + 1))
done
same "$(core_limit "$servepid")" "0 0" "serve: no core dumps (soft and hard limit 0)"
kill "$servepid"
wait "$servepid" 2>/dev/null
servepid=

# Dumpable or not shows as the owner of the files under /proc/PID of a
# process that is not root's: root when it is not dumpable.
asuser=
[ "$(id -u)" -eq 0 ] && asuser="setpriv --reuid=65534 --regid=65534 --clear-groups"
rm -f "$work/in"
mkfifo "$work/in"
chmod 644 "$work/in"
bin=$PHALANX
[ -n "$asuser" ] && bin=$(others_phalanx)
(ulimit -S -c unlimited 2>/dev/null; exec $asuser "$bin" batch) <"$work/in" >/dev/null 2>&1 &
cpid=$!
exec 3>"$work/in"
bin=$(readlink -f "$bin")
i=0
while [ $i -lt 200 ]; do
	[ "$(readlink "/proc/$cpid/exe" 2>/dev/null)" = "$bin" ] &&
	    [ "$(core_limit "$cpid")" = "0 0" ] && break
	sleep 0.05
	i=$((i + 1))
done
same "$(core_limit "$cpid")" "0 0" "batch: no core dumps, even when asked for"
same "$(stat -c %U "/proc/$cpid/environ")" root "batch: not dumpable (its /proc files are root's)"
exec 3>&-
wait "$cpid" 2>/dev/null
cpid=

# 7. The private cluster's server does not inherit the master key, nor a
# token the user keeps in the environment for @env:.
chome=$(mktemp -d)
run 0 "db start with PHALANX_MASTER_KEY set" env -u PHALANX_DSN PHALANX_HOME="$chome" \
	PHALANX_TEST_FSYNC_OFF=1 KITE_TOKEN_T="$tok1" "$PHALANX" db start
pid=$(head -n 1 "$chome/store/data/postmaster.pid" 2>/dev/null)
if [ -n "$pid" ] && [ -r "/proc/$pid/environ" ]; then
	envs=$(tr '\0' '\n' <"/proc/$pid/environ")
	out=$envs
	has "PATH=" "the postmaster's environment is readable here"
	hasnt "PHALANX_MASTER_KEY" "the postmaster has no PHALANX_MASTER_KEY"
	hasnt "$tok1" "nor the user's token"
	hasnt "0000000000000000000000000000000000000000000000000000000000000001" \
		"nor the key's value under another name"
else
	fail "the postmaster's pid and environment" "pid=$pid"
fi

finish
