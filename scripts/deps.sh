#!/bin/sh
# Install the Debian packages phalanx needs to build, test and run.
# Only the missing ones are installed; nothing happens when all are there.
set -eu

PKGS="make gcc clang pkg-config libncurses-dev libpq-dev libcurl4-openssl-dev
libjansson-dev libevent-dev libreadline-dev libcmocka-dev libsodium-dev
libcairo2-dev libssl-dev postgresql postgresql-client tmux curl man-db
groff-base wrk locales python3 openssl prometheus poppler-utils
pg-auto-failover-cli postgresql-15-auto-failover postgresql-15-partman"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
# The compatibility test runs Zerodha's JavaScript client: node and npm,
# from Debian unless the machine already has them.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0

echo "phalanx: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "phalanx: run as root: apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
