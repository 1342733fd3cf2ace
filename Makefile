# phalanx -- multi-account execution console.
#
#   make            build ./phalanx (gcc, -Werror)
#   make CC=clang   the same with clang
#   make check      install deps if missing, build with ASan+UBSan, run all tests
#   make bench      run the benchmarks and print their figures
#   make deps       install the Debian packages phalanx needs (as root)
#   make fuzz       build the libFuzzer targets (clang)
#   make fuzz-smoke run each for FUZZ_SECONDS (60) on its corpus

BUILD	?= release
O	:= build/$(BUILD)
CC	?= cc
PKGS	:= ncursesw libpq libcurl jansson libevent libevent_openssl openssl readline \
	   libsodium cairo
PREFIX	?= /usr/local

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN	:= -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes
CSTD	:= -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE
INCS	:= -Isrc -I. $(PKG_CFLAGS)
ifeq ($(BUILD),asan)
OPT	:= -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else ifeq ($(BUILD),fuzz)
OPT	:= -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
else
OPT	:= -O2 -g
endif
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) $(INCS) $(CFLAGS) -MMD -MP \
	-DPX_SRCDIR='"$(CURDIR)"'
LDFLAGS_ALL = $(OPT) $(LDFLAGS)

ENGINE_SRCS := $(sort $(filter-out src/main.c, \
	$(shell find src db -name '*.c' 2>/dev/null)))
FRONT_SRCS  := $(sort $(wildcard ui/*.c widgets/*.c))
UNIT_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
BENCH_SRCS  := $(sort $(wildcard tests/bench/bench_*.c))
FUZZ_SRCS   := $(sort $(wildcard tests/fuzz/fuzz_*.c))

# db/migrations/*.sql are compiled into the binary (scripts/embed-migrations.sh).
MIGRATIONS  := $(sort $(wildcard db/migrations/*.sql))
ENGINE_OBJS := $(ENGINE_SRCS:%.c=$(O)/%.o) $(O)/gen/migrations.o
FRONT_OBJS  := $(FRONT_SRCS:%.c=$(O)/%.o)
UNIT_BINS   := $(UNIT_SRCS:%.c=$(O)/%)
BENCH_BINS  := $(BENCH_SRCS:%.c=$(O)/%)
FUZZ_BINS   := $(FUZZ_SRCS:%.c=$(O)/%)
LIBPX       := $(O)/libphalanx.a

ifeq ($(BUILD),release)
BIN	:= phalanx
else
BIN	:= $(O)/phalanx
endif

.PHONY: FORCE all check golden unit integ tui bench deps fuzz fuzz-bins fuzz-smoke clean install man-check
all: $(BIN)

# V=1 shows the full compiler lines.
ifeq ($(V),1)
Q :=
else
Q := @
endif

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) -c $< -o $@

# The list of migrations, rewritten only when a file is added, removed or
# renamed: a removed migration is not newer than the embedded copy, so
# without this the binary kept it.
$(O)/gen/migrations.list: FORCE
	@mkdir -p $(dir $@)
	@echo $(MIGRATIONS) | cmp -s - $@ || echo $(MIGRATIONS) > $@

$(O)/gen/migrations.c: $(MIGRATIONS) $(O)/gen/migrations.list scripts/embed-migrations.sh
	@mkdir -p $(dir $@)
	sh scripts/embed-migrations.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(O)/gen/%.o: $(O)/gen/%.c
	$(Q)$(CC) $(CFLAGS_ALL) -c $< -o $@

$(LIBPX): $(ENGINE_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BIN): $(O)/src/main.o $(FRONT_OBJS) $(LIBPX)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(O)/src/main.o $(FRONT_OBJS) $(LIBPX) $(PKG_LIBS) -lm

# A unit test may name functions to mock in tests/unit/NAME.wrap (one per line).
$(O)/tests/unit/%: tests/unit/%.c $(LIBPX) $(FRONT_OBJS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS_ALL) -o $@ $< $(FRONT_OBJS) $(LIBPX) \
		$(foreach f,$(shell cat tests/unit/$*.wrap 2>/dev/null),-Wl,--wrap=$(f)) \
		$(CMOCKA_LIBS) $(PKG_LIBS) -lm

$(O)/tests/bench/%: tests/bench/%.c $(LIBPX)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS_ALL) -o $@ $< $(LIBPX) $(PKG_LIBS) -lm

# A libFuzzer target links the whole engine, built with fuzzer coverage.
$(O)/tests/fuzz/%: tests/fuzz/%.c $(LIBPX)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS_ALL) -fsanitize=fuzzer -o $@ $< $(LIBPX) $(PKG_LIBS) -lm

deps:
	sh scripts/deps.sh

# The test suite runs on the sanitizer build; the tree must also build
# warning-free with clang.
check: deps
	$(MAKE) BUILD=release all
	$(MAKE) BUILD=clang CC=clang all
	$(MAKE) BUILD=asan unit-bins
	sh tests/run.sh build/asan

unit-bins: $(BIN) $(UNIT_BINS)

# Re-record the console's golden screens (tests/tui/golden/) on purpose,
# with the build make check compares them under.
golden:
	$(MAKE) BUILD=asan all
	PHALANX_GOLDEN_RECORD=1 sh tests/run.sh build/asan tui/golden.sh

bench: deps
	$(MAKE) BUILD=release all bench-bins
	sh tests/bench/run.sh build/release $(BENCH)

bench-bins: $(BENCH_BINS)

fuzz:
	$(MAKE) BUILD=fuzz CC=clang fuzz-bins

fuzz-bins: $(FUZZ_BINS)

# Every target for FUZZ_SECONDS (default 60) on its kept corpus,
# tests/fuzz/corpus/NAME/ (new finds are added there).
FUZZ_SECONDS ?= 60
fuzz-smoke: fuzz
	sh tests/fuzz/smoke.sh build/fuzz $(FUZZ_SECONDS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7 \
		$(DESTDIR)$(PREFIX)/share/phalanx/migrations
	install -m 755 phalanx $(DESTDIR)$(PREFIX)/bin/phalanx
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 man/*.7 $(DESTDIR)$(PREFIX)/share/man/man7/
	install -m 644 db/migrations/*.sql $(DESTDIR)$(PREFIX)/share/phalanx/migrations/

clean:
	rm -rf build phalanx

-include $(shell find build -name '*.d' 2>/dev/null)

FORCE:
