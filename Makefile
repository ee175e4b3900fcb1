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

HOST_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
ARCH     ?= $(HOST_ARCH)
PREFIX   ?= /usr/local
VERSION  := 0.1.0
SHARED   ?= $(abspath ../shared)
BUILD    ?= build
DEPS_PKG := libelf-dev libssl-dev check libsubunit-dev libseccomp-dev lz4 pkg-config gcc make help2man \
            man-db python3 acpica-tools libfdt-dev device-tree-compiler gcc-aarch64-linux-gnu qemu-user \
            clang libclang-rt-dev
# Cross builds for arm64 (Debian multiarch; libfdt-dev is not Multi-Arch:
# same, so they use the host's libfdt headers with libfdt1:arm64) and the
# nested arm64 test's busybox-static:arm64.  deps adds the architecture.
DEPS_ARM64 := libfdt1:arm64 libelf-dev:arm64 libssl-dev:arm64 check:arm64 libsubunit-dev:arm64 \
              libseccomp-dev:arm64

CFLAGS   ?= -O2 -g
CFLAGS   += -DCVM_VERSION=\"$(VERSION)\"
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers \
            -D_GNU_SOURCE -I. -Iarch/$(ARCH) -pthread -MMD -MP
LDFLAGS  += -Wl,--as-needed
LDLIBS   += -lelf -lcrypto -lfdt -lseccomp -pthread

ifeq ($(SAN),1)
BUILD    := build-san
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=address,undefined
endif

# Another ARCH than the host's is a cross build into BUILD-ARCH (build-arm64),
# with Debian's cross compiler unless CC is given.  arm64's libfdt is
# libfdt1:arm64 beside the host's headers (libfdt-dev is not Multi-Arch:
# same), hence the library by its file name.
ifneq ($(ARCH),$(HOST_ARCH))
BUILD    := $(BUILD)-$(ARCH)
ifeq ($(origin CC),default)
CC       := $(subst arm64,aarch64,$(subst x86,x86_64,$(ARCH)))-linux-gnu-gcc
endif
LDLIBS   := $(subst -lfdt,-l:libfdt.so.1,$(LDLIBS))
endif
# make check from x86 also cross-builds arm64 into BUILD-arm64 (the `arm64`
# target): its unit tests run under qemu-aarch64, its cvm-run on the nested
# arm64 KVM host.
ARM64_BUILD := $(if $(filter arm64,$(ARCH)),$(BUILD),$(BUILD)-arm64)

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
LIB_SRC  := $(filter-out vmm/main.c vmm/crypto-lazy.c measure/main.c $(filter-out arch/$(ARCH)/%,$(ARCH_HOST)), \
              $(wildcard vmm/*.c loader/*.c measure/*.c arch/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/unit/*.c tests/unit/fake/*.c)
# The fake kernel is the kernel of the ARCH built: its core (fake-kvm.c,
# fake-vm.c) everywhere, fake-arm64.c and fake-realm.c on arm64, the rest on
# x86.  Unit tests of x86's KVM side build for ARCH=x86 only, those of
# arm64's (they include fake-arm64.h) for arm64 only, with vm-test.c, the
# harness both share; found by what they include.
FAKE_ARM64 := tests/unit/fake/fake-arm64.c tests/unit/fake/fake-realm.c
ARM64_TESTS := $(shell grep -l '"tests/unit/fake/fake-arm64.h"' tests/unit/*.c)
ifneq ($(ARCH),x86)
TEST_SRC := $(filter-out $(filter-out tests/unit/fake/fake-kvm.c tests/unit/fake/fake-vm.c \
              $(FAKE_ARM64),$(wildcard tests/unit/fake/*.c)) $(filter-out $(ARM64_TESTS) \
              tests/unit/vm-test.c,$(shell grep -l -e '"arch/x86/kvm' -e '"arch/x86/cpuid.h"' \
              -e '"tests/unit/fake/' -e '"tests/unit/vm-test.h"' tests/unit/*.c)),$(TEST_SRC))
else
TEST_SRC := $(filter-out $(FAKE_ARM64) $(ARM64_TESTS),$(TEST_SRC))
endif
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)

CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt)

BINDIR   := $(PREFIX)/bin
MANDIR   := $(PREFIX)/share/man/man1
COMPDIR  := $(PREFIX)/share/bash-completion/completions
DOCDIR   := $(PREFIX)/share/doc/cvm
PROGS    := cvm-run cvm-measure

.PHONY: all check check-unit check-unit-arm64 check-integration check-standalone demo deps \
        install uninstall man clean bench bench-curves bench-deps guest arm64 fuzz fuzz-smoke \
        fuzz-build

all: $(BUILD)/cvm-run $(BUILD)/cvm-measure guest

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/libcvm.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# cvm-run loads libcrypto on first use (vmm/crypto-lazy.c).
$(BUILD)/cvm-run: $(BUILD)/vmm/main.o $(BUILD)/vmm/crypto-lazy.o $(BUILD)/libcvm.a
	$(CC) $(LDFLAGS) -o $@ $^ $(filter-out -lcrypto,$(LDLIBS))

$(BUILD)/cvm-measure: $(BUILD)/measure/main.o $(BUILD)/libcvm.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/cvm-unit: $(TEST_OBJ) $(BUILD)/libcvm.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

# The test guests are freestanding and never sanitized: they run inside the
# VM.  The arm64 one needs Debian's cross compiler (gcc-aarch64-linux-gnu).
ARM64_CC := aarch64-linux-gnu-gcc
guest:
	$(MAKE) -C tests/guest OUT=$(abspath $(BUILD))/guest
	@if command -v $(ARM64_CC) >/dev/null; then \
	  $(MAKE) -C tests/guest-arm64 OUT=$(abspath $(BUILD))/guest-arm64; \
	else echo "tests/guest-arm64 not built: no $(ARM64_CC) (Debian gcc-aarch64-linux-gnu)"; fi

# The arm64 cross build beside this one (nothing to do on arm64 itself),
# when the cross compiler and the arm64 libraries (DEPS_ARM64) are there.
ARM64_LIBS := libfdt.so.1 libelf.so libcrypto.so libseccomp.so libcheck_pic.a libsubunit.so
arm64:
ifneq ($(ARCH),arm64)
	@if ! command -v $(ARM64_CC) >/dev/null; then \
	  echo "no arm64 cross build: no $(ARM64_CC) (Debian gcc-aarch64-linux-gnu)"; \
	elif missing=$$(for l in $(ARM64_LIBS); do $(ARM64_CC) -print-file-name=$$l | grep -v /; done); \
	  [ -n "$$missing" ]; then \
	  echo "no arm64 cross build: no arm64" $$missing "(make deps, as root, adds them)"; \
	else $(MAKE) --no-print-directory ARCH=arm64 BUILD=$(ARM64_BUILD) $(ARM64_BUILD)/cvm-run \
	    $(ARM64_BUILD)/cvm-measure $(ARM64_BUILD)/cvm-unit; fi
endif

check: check-unit check-integration

check-unit: $(BUILD)/cvm-unit $(BUILD)/cvm-measure check-unit-arm64
	CVM_SHARED=$(SHARED) CVM_BUILD=$(abspath $(BUILD)) $(BUILD)/cvm-unit

# The arm64 build's unit tests from another architecture, under qemu-aarch64
# (Debian qemu-user), which also runs the cvm-measure they start.  Not under
# SAN=1: sanitizer runtimes do not run under qemu-user (LeakSanitizer stops
# with a fatal error; thread creation and Check's forked children spin,
# measured); test-nested-arm64 runs the arm64 realm suites with ASan+UBSan
# on its emulated arm64 machine instead.
check-unit-arm64: $(if $(filter arm64,$(ARCH))$(filter 1,$(SAN)),,arm64)
ifeq ($(ARCH):$(filter 1,$(SAN)),x86:)
	@if [ ! -x $(ARM64_BUILD)/cvm-unit ]; then \
	  echo "SKIP arm64 unit tests: no arm64 cross build (above)"; \
	elif ! command -v qemu-aarch64 >/dev/null; then \
	  echo "SKIP arm64 unit tests: no qemu-aarch64 (Debian qemu-user; make deps installs it)"; \
	else echo "arm64 unit tests, under qemu-aarch64:"; \
	  CVM_TEST_EXEC=qemu-aarch64 CVM_SHARED=$(SHARED) CVM_BUILD=$(abspath $(ARM64_BUILD)) \
	    qemu-aarch64 $(ARM64_BUILD)/cvm-unit; fi
else ifeq ($(ARCH),x86)
	@echo "SKIP arm64 unit tests under SAN=1: sanitizers do not run under qemu-aarch64 (the realm suites run in test-nested-arm64)"
endif

# The unit suites that need neither ../shared nor KVM (what a Debian package
# build can run).
STANDALONE := $(patsubst tests/unit/test-%.c,%, \
                $(shell grep -L 'test__shared\|test__build\|test__program' tests/unit/test-*.c))
check-standalone: $(BUILD)/cvm-unit
	@for s in $(STANDALONE); do CK_RUN_SUITE=$$s $(BUILD)/cvm-unit || exit 1; done

# Writes cvm-run's arm64 device tree for the QEMU tests (tests/integration).
$(BUILD)/arm64-dtb: $(BUILD)/tests/integration/arm64-dtb.o $(BUILD)/libcvm.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

check-integration: all $(BUILD)/arm64-dtb arm64 $(BUILD)/cvm-unit
	CVM_SHARED=$(SHARED) CVM_BUILD=$(abspath $(BUILD)) CVM_ARM64_BUILD=$(abspath $(ARM64_BUILD)) \
	  CVM_SAN=$(SAN) tests/integration/run-all.sh

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
# dpkg-query, not dpkg -s: with arm64 beside amd64, "dpkg -s libelf-dev"
# fails as ambiguous.
deps:
	@if [ "$$(id -u)" = 0 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then \
	  echo "adding the arm64 architecture (cross builds, arm64 packages for the nested test)"; \
	  dpkg --add-architecture arm64; \
	fi; \
	arm64=$$(dpkg --print-foreign-architectures | grep -qx arm64 && echo "$(DEPS_ARM64)"); \
	missing=$$(for p in $(DEPS_PKG) $$arm64; do \
	  dpkg-query -W -f='$${db:Status-Status}\n' $$p 2>/dev/null | grep -qx installed || echo $$p; \
	done); \
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

# make bench: every figure against a floor, limit or peer of the same run;
# make bench-curves: how cost grows (bench/plots/, the README's tables and
# plots; minutes: the conversion curve boots the nested KVM).  Neither is a
# test.  make bench-deps installs what they use beyond the build.
DEPS_BENCH := gnuplot-nox qemu-system-x86 busybox-static python3-cryptography
bench: all
	CVM_SHARED=$(SHARED) bench/run-all.sh $(BUILD)

bench-curves: all
	CVM_SHARED=$(SHARED) bench/curves.sh $(BUILD)

bench-deps:
	$(MAKE) deps DEPS_PKG="$(DEPS_PKG) $(DEPS_BENCH)"

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
	rm -rf build build-san build-arm64 build-san-arm64 $(FUZZ_DIR)
	$(MAKE) -C tests/guest clean OUT=$(abspath build)/guest
	$(MAKE) -C tests/guest-arm64 clean OUT=$(abspath build)/guest-arm64

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/vmm/main.d $(BUILD)/measure/main.d \
         $(BUILD)/tests/integration/arm64-dtb.d \
	$(FUZZ_BIN:=.d)
