# mini-runc: hand-written Makefile.  configure (from configure.ac) finds the
# compiler and the libraries and writes config.mk, which is included here;
# on a fresh checkout `make` runs ./autogen.sh and ./configure by itself.
#
#   make                 build ./mini-runc (objects in build/)
#   make install         install into $(DESTDIR)$(PREFIX) (default /usr/local)
#   make unit            build and run the unit tests (tests/unit/test-*.c)
#   make integration     run the bats tests (tests/integration, needs root)
#   make asan            ASan+UBSan build in build-asan/, unit + integration
#   make fuzz            libFuzzer targets for FUZZ_SECONDS (default 60)
#   make check           all of the above, counted by tests/run-all.sh
#   make bench           bench/run.sh: mini-runc against runc and crun
#   make demo            run a busybox container that shows its isolation
#   make clean           remove build products; distclean also configure's

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
# Keep the objects of chained pattern rules (test and fuzz objects).
.SECONDARY:
.SUFFIXES:

# Goals that must work without configure having run.
NO_CONFIG_GOALS := clean distclean help
ifneq ($(filter-out $(NO_CONFIG_GOALS),$(or $(MAKECMDGOALS),all)),)
include config.mk
endif

configure: configure.ac
	./autogen.sh

# Re-run configure with the arguments it was last given when its inputs change.
config.mk: config.mk.in configure
	@if [ -x config.status ]; then \
	  ./config.status --recheck && ./config.status; \
	else \
	  ./configure; \
	fi

# ---------------------------------------------------------------- sources --

SRCS := $(sort $(shell find src -name '*.c' 2>/dev/null))
MAIN_SRC := src/main.c
LIB_SRCS := $(filter-out $(MAIN_SRC),$(SRCS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test-*.c))
# Other .c files in tests/unit are shared helpers linked into every test.
UNIT_HELPERS := $(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c))
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz-*.c))

VERSION = $(PACKAGE_VERSION)
BASE_CPPFLAGS = -Iinclude -DMRC_VERSION='"$(VERSION)"' $(CPPFLAGS)
BASE_CFLAGS = -std=gnu11 $(WARN_CFLAGS) $(DEPS_CFLAGS)
TEST_CPPFLAGS = -Itests/unit

# ------------------------------------------------------------- variants --
# One set of rules per build directory, so the normal, sanitizer and fuzzer
# objects never mix.
#   $(1) build dir   $(2) compiler   $(3) compile flags   $(4) link flags

define variant
$(1)/%.o: %.c
	@mkdir -p $$(@D)
	$(2) $$(BASE_CPPFLAGS) $$(if $$(filter tests/%,$$<),$$(TEST_CPPFLAGS)) \
	  $$(BASE_CFLAGS) $(3) -MMD -MP -c -o $$@ $$<

$(1)/libmrc.a: $$(LIB_SRCS:%.c=$(1)/%.o)
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^

$(1)/tests/test-%: $(1)/tests/unit/test-%.o $$(UNIT_HELPERS:%.c=$(1)/%.o) $(1)/libmrc.a
	$(2) $(3) $(4) -o $$@ $$^ $$(DEPS_LIBS)

$(1)_UNIT_BINS := $$(UNIT_SRCS:tests/unit/%.c=$(1)/tests/%)
endef

ASAN_CC ?= clang
ASAN_CFLAGS ?= -O1 -g -fno-omit-frame-pointer
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all

FUZZ_CC ?= clang
FUZZ_CFLAGS ?= -O1 -g -fno-omit-frame-pointer

$(eval $(call variant,build,$$(CC),$$(CFLAGS),$$(LDFLAGS)))
# The sanitizer build is also the test build of fault injection (mrc/fault.h).
$(eval $(call variant,build-asan,$$(ASAN_CC),$$(ASAN_CFLAGS) $$(SAN_FLAGS) -DMRC_FAULTS,$$(LDFLAGS)))
$(eval $(call variant,build-fuzz,$$(FUZZ_CC),$$(FUZZ_CFLAGS) $$(SAN_FLAGS) -fsanitize=fuzzer-no-link,$$(LDFLAGS)))

mini-runc: build/src/main.o build/libmrc.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(DEPS_LIBS)

build-asan/mini-runc: build-asan/src/main.o build-asan/libmrc.a
	$(ASAN_CC) $(ASAN_CFLAGS) $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(DEPS_LIBS)

build-fuzz/fuzz-%: build-fuzz/tests/fuzz/fuzz-%.o build-fuzz/libmrc.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer $(LDFLAGS) \
	  -o $@ $^ $(DEPS_LIBS)

FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build-fuzz/%)

-include $(shell find build build-asan build-fuzz -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- build --

.PHONY: all unit-build asan-build fuzz-build
all: mini-runc

unit-build: $(build_UNIT_BINS)
asan-build: build-asan/mini-runc $(build-asan_UNIT_BINS)
fuzz-build: $(FUZZ_BINS)

# -------------------------------------------------------------- install --

BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
MAN_PAGES := $(wildcard man/*.[1-8])

.PHONY: install uninstall
install: all
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 mini-runc $(DESTDIR)$(BINDIR)/mini-runc
	@set -e; for page in $(MAN_PAGES); do \
	  section=$${page##*.}; \
	  echo "install -m 0644 $$page $(DESTDIR)$(MANDIR)/man$$section/"; \
	  install -d $(DESTDIR)$(MANDIR)/man$$section; \
	  install -m 0644 $$page $(DESTDIR)$(MANDIR)/man$$section/; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mini-runc
	@set -e; for page in $(MAN_PAGES); do \
	  section=$${page##*.}; \
	  rm -f $(DESTDIR)$(MANDIR)/man$$section/$${page##*/}; \
	done

# ---------------------------------------------------------------- tests --

FUZZ_SECONDS ?= 60

.PHONY: unit integration asan fuzz check bench demo
unit: unit-build
	@if [ -z "$(build_UNIT_BINS)" ]; then \
	  echo "unit: no tests in tests/unit/test-*.c"; \
	else \
	  prove --exec '' $(build_UNIT_BINS); \
	fi

integration: all
	MINI_RUNC=$(abspath mini-runc) bats tests/integration

# The sanitizer environment lives in tests/run-all.sh, so `make asan` and
# `make check` run the sanitized tests the same way.
asan: asan-build
	+bash tests/run-all.sh asan

# Each target fuzzes a scratch copy of its seed corpus (tests/fuzz/corpus-NAME
# if present, else tests/fuzz/corpus) so new inputs never land in the tree,
# with the dictionary tests/fuzz/NAME.dict when there is one.
fuzz: fuzz-build
	@set -e; rm -rf build-fuzz/run; \
	[ -n "$(FUZZ_BINS)" ] || echo "fuzz: no targets in tests/fuzz"; \
	for bin in $(FUZZ_BINS); do \
	  name=$${bin##*/fuzz-}; seeds=tests/fuzz/corpus-$$name; \
	  [ -d $$seeds ] || seeds=tests/fuzz/corpus; \
	  dir=build-fuzz/run/$$name; mkdir -p $$dir/corpus $$dir/artifacts; \
	  if [ -d $$seeds ]; then cp -R $$seeds/. $$dir/corpus/; fi; \
	  dict=; [ ! -f tests/fuzz/$$name.dict ] || dict=-dict=tests/fuzz/$$name.dict; \
	  echo "fuzz: $$bin for $(FUZZ_SECONDS)s on a copy of $$seeds"; \
	  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	     UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	     $$bin -max_total_time=$(FUZZ_SECONDS) -timeout=25 -rss_limit_mb=2048 \
	       -print_final_stats=1 -artifact_prefix=$$dir/artifacts/ $$dict \
	       $$dir/corpus > $$dir/log 2>&1; then \
	    grep -E '^(Done|stat::number_of_executed_units)' $$dir/log || true; \
	  else \
	    tail -n 60 $$dir/log; \
	    echo "fuzz: $$bin failed; reproducer in $$dir/artifacts, log in $$dir/log"; \
	    exit 1; \
	  fi; \
	done

check:
	+bash tests/run-all.sh

bench: all
	BENCH_REQUIRE_MINI_RUNC=1 MINI_RUNC=$(abspath mini-runc) bash bench/run.sh

demo: all
	MINI_RUNC=$(abspath mini-runc) bash tests/demo.sh

# ---------------------------------------------------------------- clean --

.PHONY: clean distclean help
clean:
	rm -rf build build-asan build-fuzz mini-runc

distclean: clean
	rm -rf config.mk config.status config.log configure aclocal.m4 autom4te.cache

help:
	@sed -n '4,15s/^# \{0,1\}//p' Makefile
