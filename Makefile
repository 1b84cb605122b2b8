# kpo: see README.md.  `make` builds, `make check` installs what is missing,
# builds and runs every test twice (plainly, then under ASan+UBSan).

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
CFLAGS  ?= -O2 -g
BUILD   ?= build

KPO_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wpedantic -Istages/lib
LDLIBS     = -lcsv -lz -lm -pthread
VERSION    = $(shell cat VERSION 2>/dev/null || echo 0.0.0)

LIB_SRC  = $(wildcard stages/lib/*.c)
LIB_HDR  = $(wildcard stages/lib/*.h)
LIB_OBJ  = $(LIB_SRC:stages/lib/%.c=$(BUILD)/lib/%.o)
STAGES   = $(patsubst stages/%.c,%,$(wildcard stages/kpo-*.c))
BINS     = $(STAGES:%=$(BUILD)/bin/%)
UNIT_SRC = $(wildcard tests/unit/*.c)
UNITS    = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%.t)
TOOL_SRC = $(wildcard tests/tools/*.c)
TOOLS    = $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)

SAN_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

FUZZ_CC      ?= clang
FUZZ_FLAGS    = -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_LIB_FLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_LIB_OBJ  = $(LIB_SRC:stages/lib/%.c=build-fuzz/lib/%.o)
FUZZ_TARGETS  = $(patsubst tests/fuzz/fuzz_%.c,build-fuzz/fuzz_%,$(wildcard tests/fuzz/fuzz_*.c))
SECONDS      ?= 600
# make check builds and runs the tests on every core (each test has its own
# scratch folder, so they run side by side).
NPROC        ?= $(shell nproc 2>/dev/null || echo 2)
# The slowest tests first, so the last to finish is a short one (CPU s,
# plain / ASan: run 18 / 51, nightly 42 / 42, run-ingested 9 / 41,
# nightly-sources 32 / 35, ingest-formats 12 / 25, nightly-score 15 / 21,
# metrics 10 / 15, ingest 10 / 16).
E2E_SLOW      = tests/e2e/run.t tests/e2e/nightly.t tests/e2e/run-ingested.t tests/e2e/nightly-sources.t \
                tests/e2e/ingest-formats.t tests/e2e/nightly-score.t tests/e2e/metrics.t tests/e2e/ingest.t
E2E           = $(E2E_SLOW) $(filter-out $(E2E_SLOW),$(wildcard tests/e2e/*.t))

.PHONY: all tests check check-plain check-asan check-fuzz check-cluster fuzz deps demo bench valgrind screenshot install clean
.DELETE_ON_ERROR:

all: $(BINS)

$(BUILD)/lib/%.o: stages/lib/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(KPO_CFLAGS) -DKPO_VERSION='"$(VERSION)"' $(CFLAGS) -c -o $@ $<

$(BUILD)/libkpo.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/bin/%: stages/%.c $(BUILD)/libkpo.a $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(KPO_CFLAGS) -DKPO_VERSION='"$(VERSION)"' $(CFLAGS) -o $@ $< $(BUILD)/libkpo.a $(LDLIBS)

$(BUILD)/tests/%.t: tests/unit/%.c tests/unit/tap.h $(BUILD)/libkpo.a $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(KPO_CFLAGS) -Itests/unit $(CFLAGS) -o $@ $< $(BUILD)/libkpo.a $(LDLIBS)

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libkpo.a $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(KPO_CFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libkpo.a $(LDLIBS)

tests: $(BINS) $(UNITS) $(TOOLS)

deps:
	scripts/install-deps

# prove runs the unit tests (C programs) and the end-to-end tests (shell),
# all speaking TAP; KPO_BUILD tells the shell tests which binaries to use,
# KPO_PYTHON the python3 interpreter, looked up once (tests/e2e/lib.sh).
KPO_PYTHON_SH = KPO_PYTHON="$$(python3 -c 'import sys; print(sys.executable)')"

check-plain: tests
	$(KPO_PYTHON_SH) KPO_BUILD=$(CURDIR)/$(BUILD) prove -j$(NPROC) -f --exec '' $(E2E) $(UNITS)

check-asan:
	$(MAKE) -j$(NPROC) BUILD=build-asan CFLAGS='$(SAN_FLAGS)' tests
	$(KPO_PYTHON_SH) ASAN_OPTIONS=abort_on_error=0:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	KPO_BUILD=$(CURDIR)/build-asan KPO_SANITIZED=1 \
	prove -j$(NPROC) -f --exec '' $(E2E) $(UNITS:$(BUILD)/%=build-asan/%)

# libFuzzer targets (clang): each replays tests/fuzz/regressions/ and then
# runs for a short, bounded time in `make check`; `make fuzz SECONDS=N` runs
# each for N seconds and keeps its corpus in build-fuzz/corpus/.
# The library is compiled once with the fuzzers' instrumentation and linked
# into each target.
build-fuzz/lib/%.o: stages/lib/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(KPO_CFLAGS) -DKPO_VERSION='"$(VERSION)"' $(FUZZ_LIB_FLAGS) -c -o $@ $<

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/memfile.h $(FUZZ_LIB_OBJ) $(LIB_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(KPO_CFLAGS) -DKPO_VERSION='"$(VERSION)"' $(FUZZ_FLAGS) -o $@ $< $(FUZZ_LIB_OBJ) $(LDLIBS)

check-fuzz: $(FUZZ_TARGETS)
	prove -f --exec '' tests/fuzz/check.t

fuzz: $(FUZZ_TARGETS)
	tests/fuzz/run $(SECONDS)

check: deps
	$(MAKE) -j$(NPROC) check-plain
	$(MAKE) check-asan
	$(MAKE) -j$(NPROC) check-fuzz

# The nightly on a real Slurm cluster of this one machine (munge, slurmctld
# and slurmd started by the test, as root, and stopped after it): apart from
# make check, which it would slow down; .ci/run runs both.
check-cluster: all
	scripts/install-deps --cluster
	$(KPO_PYTHON_SH) KPO_BUILD=$(CURDIR)/$(BUILD) prove -f --exec '' tests/cluster/*.t

# The demo report is dated 2026-11-28, the as-of date the samples were made
# for, so the page shows the same numbers whenever it is built.
demo: deps all
	PATH=$(CURDIR)/$(BUILD)/bin:$$PATH pipeline/kpo-nightly -c samples/demo.conf --as-of 2026-11-28
	@echo "open $(CURDIR)/out/latest/charts/index.html"

bench: all tests
	scripts/bench

valgrind: all
	scripts/valgrind-check

# A picture of index.html in headless Chromium (apt-get install chromium):
# the demo's latest report when there is one, else the test bundle's page.
screenshot: all
	if [ -f out/latest/charts/index.html ]; then \
		scripts/screenshot out/latest/charts $(BUILD)/screenshot.png; \
	else \
		rm -rf $(BUILD)/screenshot && \
		$(BUILD)/bin/kpo-chart -q -o $(BUILD)/screenshot tests/fixtures/bundle && \
		scripts/screenshot $(BUILD)/screenshot $(BUILD)/screenshot.png; \
	fi

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/doc/kpo/examples
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	sed 's/@VERSION@/$(VERSION)/' pipeline/kpo-nightly >$(DESTDIR)$(PREFIX)/bin/kpo-nightly
	chmod 755 $(DESTDIR)$(PREFIX)/bin/kpo-nightly
	install -m 644 $(wildcard stages/kpo-*.1) pipeline/kpo-nightly.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -d $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 644 docs/kpo.7 $(DESTDIR)$(PREFIX)/share/man/man7/
	install -m 644 pipeline/kpo.conf.example pipeline/crontab.example pipeline/kpo-nightly.service \
		pipeline/kpo-nightly.timer $(DESTDIR)$(PREFIX)/share/doc/kpo/examples/

clean:
	rm -rf build build-asan build-fuzz
