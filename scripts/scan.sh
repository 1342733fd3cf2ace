#!/bin/sh
# Static analysis: cppcheck, shellcheck on every script, clang's
# scan-build.  Fails on findings not in the baseline under scripts/scan/
# (one "file:check" line per finding, line numbers left out so edits
# elsewhere in a file do not churn it).  Run from the top of the tree:
#
#   sh scripts/scan.sh [cppcheck|shellcheck|scan-build]...   (default: all)
#   sh scripts/scan.sh --update ...   rewrite the baselines on purpose
set -u
update=0
if [ "${1:-}" = "--update" ]; then
	update=1
	shift
fi
tools=${*:-cppcheck shellcheck scan-build}
out=${SCAN_OUT:-build/scan}
mkdir -p "$out"
status=0

# compare NAME: findings in $out/NAME.txt against scripts/scan/NAME.baseline
compare() {
	base="scripts/scan/$1.baseline"
	sort "$out/$1.txt" >"$out/$1.sorted"
	if [ $update -eq 1 ]; then
		cp "$out/$1.sorted" "$base"
		echo "scan: $1: baseline rewritten ($(wc -l <"$base") findings)"
		return
	fi
	[ -f "$base" ] || : >"$base"
	# comm -23: lines (with multiplicity) in the run but not the baseline.
	comm -23 "$out/$1.sorted" "$base" >"$out/$1.new"
	if [ -s "$out/$1.new" ]; then
		echo "scan: $1: new findings (details in $out/$1.log):"
		sed 's/^/  /' "$out/$1.new"
		status=1
	else
		echo "scan: $1: no new findings ($(wc -l <"$out/$1.sorted") known)"
	fi
}

run_cppcheck() {
	cppcheck -q --enable=warning,portability --inline-suppr --std=c11 \
	    --library=scripts/scan/cppcheck.cfg -Isrc -I. \
	    --template='{file}:{line}:{id}:{message}' \
	    src db ui widgets >"$out/cppcheck.log" 2>&1
	sed -n 's/^\([a-z][^:]*\):[0-9]*:\([A-Za-z]*\):.*/\1:\2/p' \
	    "$out/cppcheck.log" >"$out/cppcheck.txt"
	compare cppcheck
}

run_shellcheck() {
	files=$(git ls-files | while read -r f; do
		[ -f "$f" ] && head -1 "$f" | grep -q '^#!.*\(/sh\|bash\)' &&
		    echo "$f"
	done)
	# shellcheck disable=SC2086
	shellcheck -f gcc $files >"$out/shellcheck.log" 2>&1
	sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: [a-z]*: .*\[\(SC[0-9]*\)\]$/\1:\2/p' \
	    "$out/shellcheck.log" >"$out/shellcheck.txt"
	compare shellcheck
}

run_scan_build() {
	# Only what is compiled is analysed: every file, then.
	rm -rf "$out/scan-build-report" build/scan
	mkdir -p "$out"
	scan-build -o "$out/scan-build-report" --use-cc=clang \
	    make -s BUILD=scan CC=clang -j"$(nproc)" all \
	    >"$out/scan-build.log" 2>&1
	# "file.c:12:3: warning: ... [checker]" from the analyser's output.
	sed -n 's/^\([a-z][^:]*\.[ch]\):[0-9]*:[0-9]*: warning: .*\[\([a-zA-Z.]*\)\]$/\1:\2/p' \
	    "$out/scan-build.log" | grep -v ':-W' >"$out/scan-build.txt"
	compare scan-build
}

for t in $tools; do
	case $t in
	cppcheck) run_cppcheck ;;
	shellcheck) run_shellcheck ;;
	scan-build) run_scan_build ;;
	*) echo "scan: unknown tool $t" >&2; exit 2 ;;
	esac
done
exit $status
