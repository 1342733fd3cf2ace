#!/bin/sh
# Run every libFuzzer target in BUILD_DIR/tests/fuzz for SECONDS each on
# its corpus under tests/fuzz/corpus/NAME (seeds kept in the repository;
# new finds land there too).  A crash leaves its input in
# BUILD_DIR/fuzz-artifacts/ and fails the run.
#   tests/fuzz/smoke.sh build/fuzz 60
set -u
build=${1:?usage: tests/fuzz/smoke.sh BUILD_DIR [SECONDS]}
secs=${2:-60}
cd "$(dirname "$0")/../.." || exit 2
art="$build/fuzz-artifacts"
mkdir -p "$art"
status=0
n=0
for bin in "$build"/tests/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	corpus="tests/fuzz/corpus/$name"
	mkdir -p "$corpus"
	n=$((n + 1))
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$art/$name-" "$corpus" \
	    >"$art/$name.log" 2>&1; then
		echo "ok   $name ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$art/$name.log" |
		    sed 's/.*: //' || true) runs, $(find "$corpus" -type f | wc -l) corpus files)"
	else
		echo "FAIL $name (see $art/$name.log)"
		tail -30 "$art/$name.log"
		status=1
	fi
done
if [ $n -eq 0 ]; then
	echo "no fuzz targets in $build/tests/fuzz"
	exit 1
fi
exit $status
