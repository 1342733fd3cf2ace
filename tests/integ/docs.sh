#!/bin/sh
# The documentation against the binary: every man page renders without a
# groff warning, every front answers --help with a usage line, and what
# the binary lists (commands, configuration keys, simulator options) is in
# the page that documents it, and every key of the console's key table is
# in phalanx(1).  Needs no store and no simulator, so it sources check.sh
# (only PHALANX) rather than lib.sh (which wants PHALANX_TEST_DSN).
. "$(dirname "$0")/../check.sh"

# A home and a configuration of the test's own: a user's phalanx.conf or
# PHALANX_* settings must not change what the binary lists.
scratch=$(mktemp -d "$TMPDIR/docs.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
export PHALANX_HOME="$scratch/home"
export XDG_CONFIG_HOME="$scratch/config"
unset PHALANX_CONFIG PHALANX_DSN
mkdir -p "$PHALANX_HOME" "$XDG_CONFIG_HOME"

src=${PHALANX_SRCDIR:?PHALANX_SRCDIR must name the source tree}
man="$src/man"

# render PAGE: plain text, one line per paragraph, blanks squeezed, so a
# phrase is never split by filling or hyphenation.
render() {
	groff -man -Tascii -rLL=5000n -P-cbu "$1" 2>/dev/null | tr -s ' \t' '  '
}

# --- every page renders cleanly --------------------------------------
pages=0
for page in "$man"/*.1 "$man"/*.5 "$man"/*.7; do
	[ -f "$page" ] || continue
	pages=$((pages + 1))
	name=$(basename "$page")
	warn=$(groff -man -Tutf8 -ww -z "$page" 2>&1 >/dev/null)
	if [ -n "$warn" ]; then
		fail "$name renders without groff warnings" "$warn"
	elif [ -z "$(render "$page")" ]; then
		fail "$name renders to text"
	else
		ok "$name renders without groff warnings"
	fi
done
if [ "$pages" -ge 5 ]; then
	ok "$pages man pages found"
else
	fail "at least 5 man pages in man/, found $pages"
fi

# --- --help everywhere -----------------------------------------------
# help_ok DESCRIPTION ARGS...: exit 0 and a "usage:" line on stdout.
help_ok() {
	what=$1
	shift
	out=$("$PHALANX" "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ]; then
		fail "$what exits 0" "exit $rc: $out"
	elif ! printf '%s\n' "$out" | grep -qi '^ *usage:'; then
		fail "$what prints a usage line" "$out"
	else
		ok "$what exits 0 with a usage line"
	fi
}

help_ok "phalanx --help" --help
help_ok "phalanx batch --help" batch --help
help_ok "phalanx db --help" db --help
help_ok "phalanx sim --help" sim --help
help_ok "phalanx config --help" config --help
help_ok "phalanx tui --help" tui --help
help_ok "phalanx serve --help" serve --help
help_ok "phalanx shell --help" shell --help
help_ok "phalanx demo seed --help" demo seed --help

# Each db subcommand that "db --help" lists (and at least the six known).
subs=$("$PHALANX" db --help 2>/dev/null | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p')
# shellcheck disable=SC2086 # one word per subcommand, on purpose
listed=" $(printf '%s ' $subs)"
for sub in init start stop status migrate psql; do
	case "$listed" in
	*" $sub "*) ;;
	*) fail "db --help lists $sub" "$subs" ;;
	esac
done
for sub in $subs; do
	help_ok "phalanx db $sub --help" db "$sub" --help
done

# --- every command of the language is in phalanx-commands(7) ----------
cmds_txt=$(render "$man/phalanx-commands.7")
words=$("$PHALANX" -c help 2>/dev/null | awk '{
	w = ""
	for (i = 1; i <= NF; i++) {
		if ($i !~ /^[a-z][a-z-]*$/)
			break
		w = w (w == "" ? "" : " ") $i
	}
	if (w != "")
		print w
}' | sort -u)
if [ -z "$words" ]; then
	fail "phalanx -c help lists commands"
else
	n=0
	missing=""
	for w in $(printf '%s\n' "$words" | tr ' ' '_'); do
		w=$(printf '%s' "$w" | tr '_' ' ')
		n=$((n + 1))
		printf '%s\n' "$cmds_txt" | grep -qwF -- "$w" ||
			missing="$missing
$w"
	done
	if [ -n "$missing" ]; then
		fail "every command of phalanx -c help is in phalanx-commands.7" \
			"missing:$missing"
	else
		ok "all $n commands of phalanx -c help are in phalanx-commands.7"
	fi
fi

# --- every configuration key is in phalanx.conf(5) ---------------------
conf_txt=$(render "$man/phalanx.conf.5")
keys=$("$PHALANX" config 2>/dev/null | awk '$2 == "=" { print $1 }')
if [ -z "$keys" ]; then
	fail "phalanx config lists keys"
else
	n=0
	missing=""
	for k in $keys; do
		n=$((n + 1))
		printf '%s\n' "$conf_txt" | grep -qwF -- "$k" ||
			missing="$missing $k"
	done
	if [ -n "$missing" ]; then
		fail "every key of phalanx config is in phalanx.conf.5" \
			"missing:$missing"
	else
		ok "all $n keys of phalanx config are in phalanx.conf.5"
	fi
fi

# --- every simulator option is in phalanx-sim(1) ----------------------
sim_txt=$(render "$man/phalanx-sim.1")
opts=$("$PHALANX" sim --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u)
if [ -z "$opts" ]; then
	fail "phalanx sim --help lists options"
else
	n=0
	missing=""
	for o in $opts; do
		n=$((n + 1))
		printf '%s\n' "$sim_txt" | grep -qF -- "$o" ||
			missing="$missing $o"
	done
	if [ -n "$missing" ]; then
		fail "every option of phalanx sim --help is in phalanx-sim.1" \
			"missing:$missing"
	else
		ok "all $n options of phalanx sim --help are in phalanx-sim.1"
	fi
fi

# --- every key of the console is in phalanx(1) ------------------------
# The console's keys live in one table (ui/keymap.c) that the help overlay
# prints; each entry names its key(s) in the string after the TA_ action,
# e.g.  { 's', TC_MATRIX, TA_SQUAREOFF, "s", "square off ..." }  or
# "j k, Up Down".  Every name, split at commas and spaces, must appear as
# a word in the THE CONSOLE section of phalanx.1.
keymap="$src/ui/keymap.c"
console_txt=$(render "$man/phalanx.1" | awk '
	/^THE CONSOLE/ { on = 1; next }
	on && /^[A-Z][A-Z ]*[A-Z]$/ { exit }
	on { print }')
if [ ! -f "$keymap" ]; then
	fail "the console key table is in ui/keymap.c" "no $keymap"
elif [ -z "$console_txt" ]; then
	fail "phalanx.1 has a THE CONSOLE section"
else
	names=$(sed -n '/struct binding[^;]*\[\] *= *{/,/^};/p' "$keymap" |
	    sed -n 's/.*TA_[A-Z0-9_]*, *"\([^"]*\)".*/\1/p')
	keys=$(printf '%s\n' "$names" | tr ', ' '\n\n' | sed '/^$/d' | sort -u)
	n=$(printf '%s\n' "$names" | sed '/^$/d' | wc -l)
	if [ "$n" -lt 20 ]; then
		fail "ui/keymap.c lists at least 20 key bindings, found $n" \
		    "$names"
	else
		missing=""
		set -f	# "?" is a key, not a pattern
		for k in $keys; do
			printf '%s\n' "$console_txt" | grep -qwF -- "$k" ||
				missing="$missing $k"
		done
		set +f
		if [ -n "$missing" ]; then
			fail "every key of the console's key table is in phalanx.1" \
			    "missing:$missing"
		else
			ok "all $n key bindings of ui/keymap.c are in phalanx.1"
		fi
	fi
fi

finish
