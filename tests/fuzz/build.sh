#!/bin/sh
# Build the libFuzzer targets with clang into build/fuzz/.  Run one with
#   build/fuzz/fuzz_parser -max_total_time=60
set -eu
cd "$(dirname "$0")/../.."
out=build/fuzz
mkdir -p "$out"
CC=${CC:-clang}
FLAGS="-std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -g -O1 -Isrc -I. \
	-fsanitize=fuzzer,address,undefined"
UTIL="src/util/xmalloc.c src/util/err.c src/util/strbuf.c"

$CC $FLAGS -o "$out/fuzz_parser" tests/fuzz/fuzz_parser.c \
	src/cmd/lexer.c src/cmd/parser.c src/cmd/grammar.c src/cmd/args.c \
	src/cmd/match.c src/cmd/value.c src/cmd/redact.c src/cmd/secret_src.c \
	$UTIL
# shellcheck disable=SC2046
$CC $FLAGS $(pkg-config --cflags jansson libsodium) \
	-o "$out/fuzz_kite_decode" tests/fuzz/fuzz_kite_decode.c \
	src/broker/kite_num.c src/broker/kite_error.c src/broker/kite_json.c \
	src/broker/kite_decode.c src/broker/kite_postback.c \
	src/broker/kite_encode.c src/broker/kite_csv.c src/broker/order_state.c \
	src/core/order.c src/util/timeutil.c \
	$UTIL \
	$(pkg-config --libs jansson libsodium)
echo "built: $(ls "$out" | tr '\n' ' ')"
