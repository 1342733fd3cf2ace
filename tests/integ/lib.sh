# Shared by the integration scripts: sourced, not run.
# Provides: fresh_db (a new empty database on the test cluster, exported as
# PHALANX_DSN), ok/fail reporting, and assertions on a command's exit code
# and output.
set -u
: "${PHALANX:?PHALANX must point at the binary under test}"
: "${PHALANX_TEST_DSN:?PHALANX_TEST_DSN must name the test cluster}"
: "${TMPDIR:=/tmp}"

checks=0
failures=0
export PHALANX_HOME="$TMPDIR/home/phalanx"
export PHALANX_MASTER_KEY=0000000000000000000000000000000000000000000000000000000000000001
export XDG_CONFIG_HOME="$TMPDIR/config"
mkdir -p "$PHALANX_HOME" "$XDG_CONFIG_HOME"

fresh_db() {
	db="t_$(basename "$0" .sh)_$$"
	db=$(echo "$db" | tr -c 'a-z0-9_\n' '_')
	psql "$PHALANX_TEST_DSN" -qAtc "drop database if exists $db" >/dev/null 2>&1
	psql "$PHALANX_TEST_DSN" -qAtc "create database $db" >/dev/null
	PHALANX_DSN=$(echo "$PHALANX_TEST_DSN" | sed "s/dbname=[^ ]*/dbname=$db/")
	export PHALANX_DSN
}

sql() {
	psql "$PHALANX_DSN" -qAtc "$1"
}

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
