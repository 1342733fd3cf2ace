#!/bin/sh
# Run the whole suite against one build: cmocka unit tests, then the
# integration and TUI scripts, all sharing one throwaway PostgreSQL cluster.
#   tests/run.sh BUILD_DIR [PATTERN]    (PHALANX_TEST_SHOW=1: print every log)
# Each tests/integ/*.sh and tests/tui/*.sh gets PHALANX (the binary under
# test), PHALANX_TEST_DSN, PHALANX_SRCDIR and its own TMPDIR; exit 0 = pass.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:?usage: tests/run.sh BUILD_DIR [PATTERN]}" && pwd)
pattern=${2:-}

scratch=$(mktemp -d /tmp/phalanx-test.XXXXXX)
chmod 755 "$scratch"
cleanup() {
	sh "$top/scripts/pg-temp.sh" stop "$scratch/pg"
	rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

PHALANX_TEST_DSN=$(sh "$top/scripts/pg-temp.sh" start "$scratch/pg") || {
	echo "tests: cannot start a throwaway PostgreSQL cluster" >&2
	exit 1
}
export PHALANX_TEST_DSN
export PHALANX="$build/phalanx"
export PHALANX_SRCDIR="$top"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"

passed=0
failed=0
failures=""

run_one() {
	name=$1
	shift
	case "$name" in *"$pattern"*) ;; *) return ;; esac
	t="$scratch/t.$(echo "$name" | tr '/' '_')"
	mkdir -p "$t"
	chmod 755 "$t"
	# A test that skips did not run what it names: under make check a
	# skip is a failure, never a pass.
	if TMPDIR="$t" HOME="$t/home" "$@" >"$t.log" 2>&1 &&
	    ! grep -q '^\[  SKIPPED \]\|^ok - skipped\|^ok .*# SKIP' "$t.log"; then
		passed=$((passed + 1))
		echo "ok   $name"
		# PHALANX_TEST_SHOW=1 shows what a passing test checked.
		[ -n "${PHALANX_TEST_SHOW:-}" ] && sed 's/^/     | /' "$t.log"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		echo "FAIL $name"
		# The last 60 lines; all of them with PHALANX_TEST_SHOW=1.
		lines=${PHALANX_TEST_SHOW:+1000000}
		sed 's/^/     | /' "$t.log" | tail -n "${lines:-60}"
	fi
}

for bin in "$build"/tests/unit/test_*; do
	[ -x "$bin" ] || continue
	case "$bin" in *.d|*.o) continue ;; esac
	run_one "unit/$(basename "$bin")" "$bin"
done
for script in "$top"/tests/integ/*.sh "$top"/tests/tui/*.sh; do
	[ -f "$script" ] || continue
	[ "$(basename "$script")" = lib.sh ] && continue
	run_one "$(basename "$(dirname "$script")")/$(basename "$script")" sh "$script"
done

echo
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
