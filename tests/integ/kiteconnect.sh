#!/bin/sh
# `phalanx sim` speaks Kite Connect v3 well enough for Zerodha's own
# JavaScript client (npm package kiteconnect) to use it unchanged.  The
# client is installed from the npm registry into TMPDIR; without node,
# npm or the registry the test fails (scripts/deps.sh installs them).
. "$(dirname "$0")/../check.sh"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	fail "node or npm is not installed (scripts/deps.sh installs them)"
	finish
	exit 1
fi
mod="$TMPDIR/kc"
mkdir -p "$mod"
if ! (cd "$mod" && timeout 120 npm install --silent --no-audit --no-fund \
    kiteconnect@5 >"$mod/npm.log" 2>&1); then
	fail "npm could not install kiteconnect" "$(tail -5 "$mod/npm.log")"
	finish
	exit 1
fi
start_sim --users 1 --seed 21 --tick-ms 20
cp "$PHALANX_SRCDIR/tests/compat/kiteconnect.js" "$mod/"
out=$(cd "$mod" && timeout 60 node kiteconnect.js "$simbase" "$simout" 2>&1)
echo "$out"
case "$out" in
*"not ok"*) fail "the Kite Connect client works against phalanx sim" ;;
*ok*) ok "the Kite Connect client works against phalanx sim" ;;
*) fail "the Kite Connect client ran" "$out" ;;
esac
finish
