#!/bin/sh
# The console under tmux never shows or keeps a secret: a token typed in
# the command bar is starred as it is typed, the message line, the feed
# and parse errors show the line redacted, Up recalls it redacted (and the
# parser refuses the "***"), the history file, the log file and tmux's
# scrollback never hold it.  "-" (stdin) is refused in the console,
# @env: works.  The console leaves no core dump.
. "$(dirname "$0")/../integ/lib.sh"

command -v tmux >/dev/null 2>&1 || { echo "tmux is not installed"; exit 1; }

fresh_db
"$PHALANX" -c "broker add paper1 kind paper" >/dev/null 2>&1
"$PHALANX" -c "account add xa broker paper1" >/dev/null 2>&1
same "$(sql "select count(*) from accounts")" 1 "one account registered"

export ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$TMPDIR/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$TMPDIR/ubsan"
export LANG=C.UTF-8
unset LC_ALL
sock="phalanx-sec-$$"
T() { tmux -L "$sock" "$@"; }
trap 'T kill-server >/dev/null 2>&1' EXIT INT TERM
S=SECRETVALUE
log="$TMPDIR/tui.log"

screen() { T capture-pane -p -t tui; }
keys() { T send-keys -t tui "$@"; }

wait_for() {
	i=0
	while [ $i -lt 150 ]; do
		out=$(screen)
		case "$out" in *"$1"*) ok "$2"; return 0 ;; esac
		sleep 0.1
		i=$((i + 1))
	done
	fail "$2: no \"$1\" on the screen" "$out"
	return 1
}

child_of() {
	for d in /proc/[0-9]*; do
		[ "$(sed 's/.*) //' "$d/stat" 2>/dev/null | cut -d' ' -f2)" = "$1" ] &&
		    { echo "${d#/proc/}"; return; }
	done
}

T new-session -d -s tui -x 160 -y 40 "env PS1='$ ' sh"
T set-option -t tui remain-on-exit on >/dev/null
keys "clear; KITE_T=tok-from-env \"$PHALANX\" -o log.file=$log -o log.level=debug tui; echo \"tui-exit=\$?\"" Enter
wait_for "Accounts 1 of 1" "the console is up"

# 1. Typed: starred as it is typed, nowhere once run.
keys :
keys "account set xa access-token ${S}1"
wait_for ":account set xa access-token ************" "the token is starred as it is typed"
out=$(screen)
hasnt "$S" "the command bar does not show the token"
keys Enter
wait_for "account set: account xa updated" "account set ran"
out=$(screen)
hasnt "$S" "no token on the screen after the command"
same "$(sql "select count(*) from credentials c join accounts a on a.id = c.account_id where a.name = 'xa'")" 1 \
	"the token was stored"
keys 2
wait_for "console: account set xa access-token ***" "the feed shows the line redacted"
out=$(screen)
hasnt "$S" "no token in the feed"
keys 1

# 2. A line the parser refuses: the error does not quote the token.
keys :
keys "account set xa access-token=${S}2" Enter
wait_for "unknown option" "the refused line is reported"
out=$(screen)
has "access-token=***" "the error quotes the line redacted"
hasnt "$S" "no token in the parse error"

# 3. Up recalls the line redacted, and "***" is not taken for a token.
keys :
keys Up
wait_for ":account set xa access-token=***" "Up recalls the refused line redacted"
keys Up
wait_for ":account set xa access-token ***" "Up recalls the first line redacted"
keys Enter
wait_for "stands for a hidden secret" "the recalled *** is refused"

# 4. Sources: "-" is refused here, @env: works.
keys :
keys "account set xa access-token -" Enter
wait_for "standard input is not available here" "\"-\" is refused in the console"
keys :
keys "account set xa access-token @env:KITE_T" Enter
wait_for "account set: account xa updated" "@env: works in the console"

# 5. The console holds the key: no core dumps.
shell_pid=$(T display-message -p -t tui '#{pane_pid}')
tui_pid=$(child_of "$shell_pid")
limit=$(awk '/^Max core file size/ { print $5, $6 }' "/proc/$tui_pid/limits" 2>/dev/null)
same "$limit" "0 0" "the console: no core dumps (soft and hard limit 0)"

keys q
wait_for "tui-exit=0" "q quits"
out=$(T capture-pane -p -S - -t tui)
hasnt "$S" "tmux's whole scrollback has no token"
out=$(cat "$PHALANX_HOME/history")
has "account set xa access-token ***" "the history keeps the command"
hasnt "$S" "the history file has no token"
out=$(cat "$log" 2>/dev/null)
hasnt "$S" "the log file has no token"
out=$(sql "select string_agg(t::text, ' ') from audit_log t")
hasnt "$S" "audit_log has no token"

T kill-server >/dev/null 2>&1
for f in "$TMPDIR"/asan* "$TMPDIR"/ubsan*; do
	[ -f "$f" ] || continue
	fail "sanitizer report $f" "$(head -n 40 "$f")"
done
finish
