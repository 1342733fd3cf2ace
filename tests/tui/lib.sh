# Shared by the console's tmux tests: sourced, not run.  On top of
# tests/integ/lib.sh: a tmux server of the test's own, polling the pane
# (screen, keys, wait_for, wait_gone), and checks of what a trader reads:
# no number cut by an ellipsis, no stray text over the layout.
. "$(dirname "$0")/../integ/lib.sh"

command -v tmux >/dev/null 2>&1 || { echo "tmux is not installed"; exit 1; }

# Sanitizer reports go to files, checked by tui_finish.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$TMPDIR/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$TMPDIR/ubsan"
export LANG=C.UTF-8
unset LC_ALL
# The first-start walkthrough stays out of the way of scripted keys.
export PHALANX_TOUR=off
sock="phalanx-tui-$(basename "$0" .sh)-$$"
T() { tmux -L "$sock" "$@"; }
trap 'T kill-server >/dev/null 2>&1' EXIT
trap 'exit 1' INT TERM

screen() { T capture-pane -p -t tui; }
keys() { T send-keys -t tui "$@"; }

# wait_for TEXT DESCRIPTION [TENTHS]: poll the pane (15 s by default).
wait_for() {
	i=0
	while [ $i -lt "${3:-150}" ]; do
		out=$(screen)
		case "$out" in *"$1"*) ok "$2"; return 0 ;; esac
		sleep 0.1
		i=$((i + 1))
	done
	fail "$2: no \"$1\" on the screen" "$out"
	return 1
}

# wait_gone TEXT DESCRIPTION
wait_gone() {
	i=0
	while [ $i -lt 150 ]; do
		out=$(screen)
		case "$out" in *"$1"*) ;; *) ok "$2"; return 0 ;; esac
		sleep 0.1
		i=$((i + 1))
	done
	fail "$2: \"$1\" is still on the screen" "$out"
	return 1
}

# tui_session COLS ROWS: a shell in a pane of that size.
tui_session() {
	T new-session -d -s tui -x "$1" -y "$2" "env PS1='$ ' sh"
	T set-option -t tui remain-on-exit on >/dev/null
}

# tui_resize COLS ROWS: and wait until the pane has that many rows.
tui_resize() {
	T resize-window -t tui -x "$1" -y "$2"
	i=0
	while [ $i -lt 100 ]; do
		[ "$(screen | wc -l | tr -d ' ')" -eq "$2" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.3
}

# no_cut_numbers WHAT: no ellipsis right after or before a digit anywhere
# on the screen (a number is shown whole or not at all).
no_cut_numbers() {
	out=$(screen)
	bad=$(printf '%s\n' "$out" | grep -n -E '[0-9][.,]?(…|~)|(…|~)[0-9]' || true)
	if [ -z "$bad" ]; then
		ok "no number cut on $1"
	else
		fail "no number cut on $1" "$bad
$out"
	fi
}

# layout_intact WHAT ROWS: the frame is where it belongs and nothing else
# was written over it: header first, tabs second, the key line last, and
# no line of stray program output ("phalanx: ..." or a sanitizer report).
layout_intact() {
	out=$(screen)
	rows=$(printf '%s\n' "$out" | wc -l | tr -d ' ')
	first=$(printf '%s\n' "$out" | sed -n 1p)
	second=$(printf '%s\n' "$out" | sed -n 2p)
	bad=$(printf '%s\n' "$out" | grep -n -E 'phalanx: |phalanx [a-z]+: |duplicate key|AddressSanitizer|runtime error' || true)
	case "$first" in
	" phalanx  "*IST*) ok "$1: header on the first line" ;;
	*) fail "$1: header on the first line" "$out" ;;
	esac
	case "$second" in
	*"1 Matrix"*"5 Positions"*) ok "$1: tabs on the second line" ;;
	*) fail "$1: tabs on the second line" "$out" ;;
	esac
	same "$rows" "$2" "$1: the screen has its $2 rows"
	if [ -z "$bad" ]; then
		ok "$1: no stray text on the screen"
	else
		fail "$1: no stray text on the screen" "$bad
$out"
	fi
}

tui_finish() {
	T kill-server >/dev/null 2>&1
	for f in "$TMPDIR"/asan* "$TMPDIR"/ubsan*; do
		[ -f "$f" ] || continue
		fail "sanitizer report $f" "$(head -n 40 "$f")"
	done
	finish
}
