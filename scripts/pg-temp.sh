#!/bin/sh
# A throwaway PostgreSQL cluster for tests: Unix socket only, fsync off.
#   pg-temp.sh start DIR   -> prints a libpq conninfo on stdout (a second
#                             start of a stopped DIR keeps its data)
#   pg-temp.sh stop DIR [fast]
# PostgreSQL refuses to run as root; as root the cluster runs as the
# postgres system user (else nobody), which owns DIR.
set -eu

bindir() {
	if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
		pg_config --bindir
		return
	fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[ -x "$d/initdb" ] && { echo "$d"; return; }
	done
	dirname "$(command -v initdb)"
}

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		if id postgres >/dev/null 2>&1; then u=postgres; else u=nobody; fi
		su -s /bin/sh "$u" -c "$*"
	else
		sh -c "$*"
	fi
}

cmd=$1
dir=$2
BIN=$(bindir)
case "$cmd" in
start)
	mkdir -p "$dir"
	chmod 755 "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		if id postgres >/dev/null 2>&1; then u=postgres; else u=nobody; fi
		chown "$u" "$dir"
	fi
	fresh=0
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		fresh=1
		as_owner "'$BIN/initdb' -D '$dir/data' -U phalanx --auth=trust --no-sync -E UTF8 >'$dir/initdb.log' 2>&1" ||
			{ cat "$dir/initdb.log" >&2; exit 1; }
	fi
	as_owner "'$BIN/pg_ctl' -D '$dir/data' -l '$dir/pg.log' -w -o \"-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c jit=off\" start >/dev/null" ||
		{ cat "$dir/pg.log" >&2; exit 1; }
	[ $fresh -eq 1 ] && as_owner "'$BIN/psql' -h '$dir' -U phalanx -d postgres -qAtc 'create database phalanx_test'" >/dev/null
	echo "host=$dir user=phalanx dbname=phalanx_test"
	;;
stop)
	# immediate: fastest, and may lose commits (fsync is off); fast: clean.
	as_owner "'$BIN/pg_ctl' -D '$dir/data' -m ${3:-immediate} -w stop" >/dev/null 2>&1 || true
	;;
*)
	echo "usage: pg-temp.sh start|stop DIR" >&2
	exit 2
	;;
esac
