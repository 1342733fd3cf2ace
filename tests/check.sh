# Shared by the shell tests: sourced, not run, and needing only the binary.
# Provides ok/fail reporting, assertions on a command's exit code and
# output, finish (the summary and the exit status), and a phalanx sim on a
# free port.  tests/integ/lib.sh adds what needs the test database.
set -u
: "${PHALANX:?PHALANX must point at the binary under test}"
: "${TMPDIR:=/tmp}"

checks=0
failures=0

ok() {
	checks=$((checks + 1))
	echo "ok - $1"
}

fail() {
	checks=$((checks + 1))
	failures=$((failures + 1))
	echo "not ok - $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    # /'
	return 0
}

# run EXPECTED_EXIT DESCRIPTION CMD...: output in $out (stdout+stderr).
run() {
	want=$1
	what=$2
	shift 2
	out=$("$@" 2>&1)
	got=$?
	if [ "$got" -eq "$want" ]; then
		ok "$what (exit $got)"
	else
		fail "$what: exit $got, wanted $want" "$out"
	fi
}

# has TEXT DESCRIPTION: $out contains TEXT.
has() {
	case "$out" in
	*"$1"*) ok "$2" ;;
	*) fail "$2: no \"$1\" in output" "$out" ;;
	esac
}

hasnt() {
	case "$out" in
	*"$1"*) fail "$2: \"$1\" must not appear" "$out" ;;
	*) ok "$2" ;;
	esac
}

# same GOT WANT DESCRIPTION
same() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		fail "$3: got \"$1\", wanted \"$2\""
	fi
}

finish() {
	echo "$checks checks, $failures failed"
	[ "$failures" -eq 0 ]
}

# start_sim ARGS...: run `phalanx sim` on a free port in the background;
# sets simpid, simport, simbase and simout (its user lines; its stderr is
# in $simout.err), and stops it on exit.
start_sim() {
	simout="$TMPDIR/sim.$$.out"
	: >"$simout"
	"$PHALANX" sim --listen 127.0.0.1:0 "$@" >"$simout" 2>"$simout.err" &
	simpid=$!
	trap 'kill $simpid ${servepid:-} 2>/dev/null' EXIT INT TERM
	i=0
	simport=
	while [ $i -lt 100 ] && [ -z "$simport" ]; do
		simport=$(sed -n 's/^{"listening":"127\.0\.0\.1:\([0-9]*\)"}$/\1/p' "$simout")
		kill -0 $simpid 2>/dev/null || break
		[ -z "$simport" ] && sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$simport" ]; then
		fail "phalanx sim starts" "$(cat "$simout.err")"
		finish
		exit 1
	fi
	simbase="http://127.0.0.1:$simport"
}

# start_serve [OPTION...]: "phalanx OPTION... serve" on $SERVE_LISTEN (a
# free loopback port unless set), its stdout in $TMPDIR/serve.out (new at
# each start), its log appended to $TMPDIR/serve.err; sets servepid, sport
# and sbase, and ends the test failed if it does not listen.  The sim's
# exit trap kills it too; a test with more to clean sets its own.
start_serve() {
	: >"$TMPDIR/serve.out"
	"$PHALANX" "$@" serve --listen "${SERVE_LISTEN:-127.0.0.1:0}" \
	    >"$TMPDIR/serve.out" 2>>"$TMPDIR/serve.err" &
	servepid=$!
	i=0
	sport=
	while [ $i -lt 100 ] && [ -z "$sport" ]; do
		sport=$(sed -n 's/^{"listening":"127\.0\.0\.1:\([0-9]*\)"}$/\1/p' "$TMPDIR/serve.out")
		kill -0 $servepid 2>/dev/null || break
		[ -z "$sport" ] && sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$sport" ]; then
		fail "phalanx serve listens" "$(cat "$TMPDIR/serve.err")"
		finish
		exit 1
	fi
	sbase="http://127.0.0.1:$sport"
}

# others_phalanx: the path of a copy of $PHALANX that another user can
# run (a build under root's /root, mode 700, cannot be entered by them).
others_phalanx() {
	if [ ! -x "$TMPDIR/bin/phalanx" ]; then
		mkdir -p "$TMPDIR/bin"
		cp "$PHALANX" "$TMPDIR/bin/phalanx"
		chmod 755 "$TMPDIR" "$TMPDIR/bin" "$TMPDIR/bin/phalanx"
	fi
	echo "$TMPDIR/bin/phalanx"
}

# sim_user N KEY: a field of the Nth simulated user.
sim_user() {
	sed -n "${1}p" "$simout" | sed "s/.*\"$2\":\"\([^\"]*\)\".*/\1/"
}

# sim_faults JSON: set the simulator's fault injection.
sim_faults() {
	curl -s -X POST -d "$1" "$simbase/sim/faults" >/dev/null
}
