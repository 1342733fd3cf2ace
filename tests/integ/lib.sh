# Shared by the integration scripts that need the test database: sourced,
# not run.  On top of tests/check.sh (reporting, assertions, the
# simulator): fresh_db (a new empty database on the test cluster, exported
# as PHALANX_DSN), sql, and a PHALANX_HOME of the test's own.
. "$(dirname "$0")/../check.sh"
: "${PHALANX_TEST_DSN:?PHALANX_TEST_DSN must name the test cluster}"

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
