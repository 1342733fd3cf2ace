#!/bin/sh
# Run every benchmark against one throwaway PostgreSQL cluster and print
# their figures; a benchmark never fails on a time, only on a crash.
#   tests/bench/run.sh [BUILD_DIR [PATTERN]]	(default build/release, all)
# PATTERN (also $BENCH, as in `make bench BENCH=notify`) runs only the
# benchmarks whose name contains it.
# Each build/*/tests/bench/bench_* binary and tests/bench/*.sh script gets
# PHALANX_BENCH_DSN, PHALANX_SRCDIR, PHALANX_BUILD and its own TMPDIR.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build/release}" && pwd)
only=${2:-${BENCH:-}}

scratch=$(mktemp -d /tmp/phalanx-bench.XXXXXX)
chmod 755 "$scratch"
cleanup() {
	sh "$top/scripts/pg-temp.sh" stop "$scratch/pg"
	rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

PHALANX_BENCH_DSN=$(sh "$top/scripts/pg-temp.sh" start "$scratch/pg") || {
	echo "bench: cannot start a throwaway PostgreSQL cluster" >&2
	exit 1
}
export PHALANX_BENCH_DSN
export PHALANX_SRCDIR="$top"
export PHALANX_BUILD="$build"

status=0
run_one() {
	name=$1
	shift
	case "$name" in *"$only"*) ;; *) return 0 ;; esac
	t="$scratch/t.$name"
	mkdir -p "$t"
	chmod 755 "$t"
	echo "== $name"
	TMPDIR="$t" PHALANX_HOME="$t/home" "$@" || {
		echo "bench: $name exited with status $?" >&2
		status=1
	}
}

for bin in "$build"/tests/bench/bench_*; do
	[ -x "$bin" ] || continue
	case "$bin" in *.d|*.o) continue ;; esac
	run_one "$(basename "$bin")" "$bin"
done
for script in "$top"/tests/bench/*.sh; do
	[ -f "$script" ] || continue
	[ "$(basename "$script")" = run.sh ] && continue
	run_one "$(basename "$script")" sh "$script"
done
exit $status
