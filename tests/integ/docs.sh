#!/bin/sh
# The documentation against the binary: every man page renders without a
# groff warning, every front answers --help with a usage line, and what
# the binary lists (commands, configuration keys, simulator options) is in
# the page that documents it.  Needs no store and no simulator.
. "$(dirname "$0")/lib.sh"

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
help_ok "phalanx serve --help" serve --help

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

finish
