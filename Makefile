# cvm: a minimal VMM for confidential guests, and the tool that measures them.
#
# Sources are found by wildcard: a new file in vmm/, loader/, measure/ or
# arch/*/ is built into libcvm.a; a new tests/unit/test-*.c registers its
# own Check suite; a new tests/integration/*.sh is run by `make check`.
#
# ARCH is the host architecture cvm-run drives KVM on (x86 or arm64).  In
# arch/<a>/, kvm*.c and ioport.c talk to KVM and are built for ARCH only;
# every other file is a pure guest-format builder, built on every host so
# that cvm-measure can measure any architecture's launch anywhere.

ARCH     ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
PREFIX   ?= /usr/local
VERSION  := 0.1.0
BUILD    ?= build
SHARED   ?= $(abspath ../shared)
CC       ?= gcc
DEPS_PKG := libelf-dev libssl-dev check libsubunit-dev libseccomp-dev lz4 pkg-config gcc make \
            help2man man-db clang libclang-rt-dev

CFLAGS   ?= -O2 -g
CFLAGS   += -DCVM_VERSION=\"$(VERSION)\"
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers \
            -D_GNU_SOURCE -I. -Iarch/$(ARCH) -pthread -MMD -MP
LDFLAGS  += -Wl,--as-needed
LDLIBS   += -lelf -lcrypto -lseccomp -pthread

ifeq ($(SAN),1)
BUILD    := build-san
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=address,undefined
endif

# The libFuzzer build (make fuzz): the library with clang, ASan+UBSan and
# coverage, one binary per tests/fuzz/fuzz-*.c.
FUZZ_DIR := build-fuzz
ifeq ($(FUZZ),1)
BUILD    := $(FUZZ_DIR)
CC       := clang
CFLAGS   += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all -Wno-gnu-variable-sized-type-not-at-end
endif

ARCH_HOST := $(wildcard $(foreach a,$(wildcard arch/*),$(a)/kvm*.c $(a)/ioport.c))
LIB_SRC  := $(filter-out vmm/main.c measure/main.c $(filter-out arch/$(ARCH)/%,$(ARCH_HOST)), \
              $(wildcard vmm/*.c loader/*.c measure/*.c arch/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/unit/*.c tests/unit/fake/*.c)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)

CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt)

BINDIR   := $(PREFIX)/bin
MANDIR   := $(PREFIX)/share/man/man1
COMPDIR  := $(PREFIX)/share/bash-completion/completions
DOCDIR   := $(PREFIX)/share/doc/cvm
PROGS    := cvm-run cvm-measure

.PHONY: all check check-unit check-integration check-standalone demo deps install uninstall \
        man clean bench guest fuzz fuzz-smoke fuzz-build

all: $(BUILD)/cvm-run $(BUILD)/cvm-measure guest

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/libcvm.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/cvm-run: $(BUILD)/vmm/main.o $(BUILD)/libcvm.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/cvm-measure: $(BUILD)/measure/main.o $(BUILD)/libcvm.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/cvm-unit: $(TEST_OBJ) $(BUILD)/libcvm.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

# The test guest is freestanding and never sanitized: it runs inside the VM.
guest:
	$(MAKE) -C tests/guest OUT=$(abspath $(BUILD))/guest

check: check-unit check-integration

check-unit: $(BUILD)/cvm-unit $(BUILD)/cvm-measure
	CVM_SHARED=$(SHARED) CVM_BUILD=$(abspath $(BUILD)) $(BUILD)/cvm-unit

# The unit suites that need neither ../shared nor KVM (what a Debian package
# build can run).
STANDALONE := $(patsubst tests/unit/test-%.c,%, \
                $(shell grep -L 'test__shared\|test__build' tests/unit/test-*.c))
check-standalone: $(BUILD)/cvm-unit
	@for s in $(STANDALONE); do CK_RUN_SUITE=$$s $(BUILD)/cvm-unit || exit 1; done

check-integration: all
	CVM_SHARED=$(SHARED) CVM_BUILD=$(abspath $(BUILD)) CVM_SAN=$(SAN) tests/integration/run-all.sh

# Every tests/fuzz/fuzz-*.c, run FUZZ_SECONDS each, or until FUZZ_RUNS
# executions when that is given (tests/fuzz/run.sh); fuzz-smoke is the
# short pass CI runs.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,$(wildcard tests/fuzz/fuzz-*.c))

$(FUZZ_DIR)/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_DIR)/libcvm.a
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_DIR)/libcvm.a $(LDLIBS)

fuzz-build:
	$(MAKE) FUZZ=1 $(FUZZ_BIN)

fuzz: fuzz-build guest
	SHARED=$(SHARED) BUILD=$(abspath build) tests/fuzz/run.sh $(FUZZ_SECONDS) \
		$(abspath $(FUZZ_DIR)) $(abspath $(FUZZ_BIN))

fuzz-smoke: fuzz-build guest
	SHARED=$(SHARED) BUILD=$(abspath build) tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS) \
		$(abspath $(FUZZ_DIR)) $(abspath $(FUZZ_BIN))

# Installs missing Debian packages (as root), builds, boots the test guest.
deps:
	@missing=$$(for p in $(DEPS_PKG); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:" $$missing; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages (run as root to install):" $$missing; exit 3; fi; \
	fi

# Without a usable KVM it says why, then boots the same guest with cvm-run
# on a nested KVM under QEMU TCG (tests/integration/test-nested-kvm.sh).
demo: deps
	$(MAKE) all
	@if $(BUILD)/cvm-run check --quiet; then \
	  $(BUILD)/cvm-run --config configs/test-guest.ini --kernel $(BUILD)/guest/cvm-guest.elf; \
	else \
	  echo "make demo: no usable KVM here (above); its launch plan:"; \
	  $(BUILD)/cvm-run --config configs/test-guest.ini --kernel $(BUILD)/guest/cvm-guest.elf --dry-run; \
	  echo "make demo: booting it with cvm-run on a nested KVM (Debian's kvm-amd in QEMU TCG) instead:"; \
	  CVM_SHARED=$(SHARED) CVM_BUILD=$(abspath $(BUILD)) tests/integration/test-nested-kvm.sh \
	    >$(BUILD)/demo-nested.log 2>&1; st=$$?; \
	  grep '^elf-4: ' $(BUILD)/nested/console.log 2>/dev/null; \
	  [ $$st -eq 0 ] || { tail -n 3 $(BUILD)/demo-nested.log; exit 3; }; \
	fi

bench: all
	bench/run-all.sh $(BUILD)

# The man pages are generated from --help and --version, plus the sections
# in doc/PROG.h2m: they cannot drift from the programs.
man: $(PROGS:%=$(BUILD)/man/%.1)

$(BUILD)/man/%.1: $(BUILD)/% doc/%.h2m
	@mkdir -p $(dir $@)
	help2man --no-info --include doc/$*.h2m --output $@ $(BUILD)/$*

# make install PREFIX=/usr DESTDIR=/tmp/root: binaries, man pages, bash
# completion, the example configs.
install: $(PROGS:%=$(BUILD)/%) man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(COMPDIR) \
		$(DESTDIR)$(DOCDIR)/examples
	install -m 0755 $(PROGS:%=$(BUILD)/%) $(DESTDIR)$(BINDIR)
	install -m 0644 $(PROGS:%=$(BUILD)/man/%.1) $(DESTDIR)$(MANDIR)
	for p in $(PROGS); do install -m 0644 completion/cvm.bash $(DESTDIR)$(COMPDIR)/$$p; done
	install -m 0644 configs/*.ini $(DESTDIR)$(DOCDIR)/examples

uninstall:
	rm -f $(PROGS:%=$(DESTDIR)$(BINDIR)/%) $(PROGS:%=$(DESTDIR)$(MANDIR)/%.1) \
		$(PROGS:%=$(DESTDIR)$(COMPDIR)/%) $(wildcard $(DESTDIR)$(DOCDIR)/examples/*.ini)
	-rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf build build-san $(FUZZ_DIR)
	$(MAKE) -C tests/guest clean OUT=$(abspath build)/guest

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/vmm/main.d $(BUILD)/measure/main.d \
	$(FUZZ_BIN:=.d)
