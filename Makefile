# cellsense: IIO drivers, libcellsense and the tools.
#
#   make            library (static, shared, pkg-config), tools, kernel modules
#   make demo       the whole pipeline on the simulated front-end, in a VM
#   make check      every test; ends in "N passed, N failed"
#   make check-debug  the VM tests on a KASAN/lockdep/kmemleak kernel (slow)
#   make bench      benchmarks, each a ratio against a baseline
#   make soak       minutes of every front-end to the CAN bus under faults,
#                   in a VM (SOAK_MINUTES, default 5); not part of check
#
# Userspace: C11, warnings are errors. Kernel: out of tree through Kbuild,
# against Debian's linux-headers-amd64; KDIR=... to cross-build.

# the first rule below is not 'all': say which goal plain 'make' builds
.DEFAULT_GOAL := all

VERSION    := 0.1.0
SOVERSION  := 0
BUILD      ?= build
KDIR       ?= /lib/modules/$(shell $(CURDIR)/scripts/kernel-abi.sh)/build
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share/cellsense
# the compiled overlays; on a Raspberry Pi set OVERLAYDIR=/boot/firmware/overlays
OVERLAYDIR ?= $(DATADIR)/overlays
ifeq ($(PREFIX),/usr)
UDEVRULESDIR   ?= /usr/lib/udev/rules.d
SYSTEMDUNITDIR ?= /usr/lib/systemd/system
else
UDEVRULESDIR   ?= /etc/udev/rules.d
SYSTEMDUNITDIR ?= /etc/systemd/system
endif
DKMSSRCDIR ?= /usr/src/cellsense-$(VERSION)
V          ?= 0
ifeq ($(V),0)
Q          := @
msg         = @printf '  %-6s %s\n' $(1) $(2)
else
Q          :=
msg         =
endif

CC         ?= gcc
CFLAGS     ?= -O2 -g
STD_FLAGS  := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
              -Wmissing-prototypes -D_DEFAULT_SOURCE
ifeq ($(SAN),1)
# the sanitizer build also runs the portable SIMD kernels (two doubles a
# vector) where the normal one picks AVX2: make check covers both forms
STD_FLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all \
              -fno-omit-frame-pointer -DCS_PORTABLE_KERNELS
LDSAN      := -fsanitize=address,undefined
endif
ALL_CFLAGS := $(STD_FLAGS) $(CFLAGS) -Ilib -DCS_VERSION='"$(VERSION)"' \
              -DCS_DATADIR='"$(PREFIX)/share/cellsense"'
LIB_CFLAGS := $(ALL_CFLAGS) -fPIC -fvisibility=hidden -DCS_BUILDING_LIB
LIB_LIBS   := -lliquid -liio -ljson-c -lcrypto -lpthread -lm

LIB_SRCS   := $(wildcard lib/*/*.c)
PUBLIC_HDRS := lib/cellsense.h $(wildcard lib/cellsense-*.h)
KERNEL_SRCS := $(shell find kernel -name '*.[ch]' -o -name Kbuild | grep -v '\.mod\.c$$' | sort)
LIB_OBJS   := $(LIB_SRCS:lib/%.c=$(BUILD)/obj/lib/%.o)
SONAME     := libcellsense.so.$(SOVERSION)
LIB_A      := $(BUILD)/lib/libcellsense.a
LIB_SO     := $(BUILD)/lib/libcellsense.so.$(VERSION)
LIB_PC     := $(BUILD)/lib/pkgconfig/cellsense.pc

TOOLS      := $(sort $(basename $(notdir $(filter-out tools/tools-%.c \
              tools/csplot-%.c,$(wildcard tools/*.c)))))
TOOL_BINS  := $(TOOLS:%=$(BUILD)/bin/%)
TOOLS_COMMON := $(BUILD)/obj/tools/tools-common.o
TOOL_LDFLAGS := $(LDSAN) -L$(BUILD)/lib -Wl,-rpath,'$$ORIGIN/../lib'
LIBS_sense2can := $(shell pkg-config --libs libsocketcan 2>/dev/null)
LIBS_canactuate := $(shell pkg-config --libs libgpiod 2>/dev/null)
LIBS_usacq := -lgpiod
# the fleet tools share tools-mqtt.c (broker options, the connection)
TOOLS_MQTT := $(BUILD)/obj/tools/tools-mqtt.o
LIBS_sense2mqtt := $(TOOLS_MQTT) -lmosquitto
LIBS_mqtt2pg := $(TOOLS_MQTT) -lmosquitto -lpq
$(BUILD)/bin/sense2mqtt $(BUILD)/bin/mqtt2pg: $(TOOLS_MQTT)
$(TOOLS_MQTT) $(BUILD)/obj/tools/sense2mqtt.o $(BUILD)/obj/tools/mqtt2pg.o: tools/tools-mqtt.h
$(BUILD)/obj/tools/mqtt2pg.o: ALL_CFLAGS += -I$(shell pg_config --includedir 2>/dev/null)
# csacq writes the run's sidecar with tools-runmeta.c (json-c)
TOOLS_RUNMETA := $(BUILD)/obj/tools/tools-runmeta.o
LIBS_csacq := $(TOOLS_RUNMETA) -liio -lgpiod -ljson-c
$(BUILD)/bin/csacq: $(TOOLS_RUNMETA)
$(TOOLS_RUNMETA) $(BUILD)/obj/tools/csacq.o: tools/tools-runmeta.h lib/cs-iioattr.h
# csplot's modes in their own files (csplot.h)
CSPLOT_PARTS := $(patsubst tools/%.c,$(BUILD)/obj/tools/%.o,\
                $(wildcard tools/csplot-*.c))
LIBS_csplot := $(CSPLOT_PARTS)
$(BUILD)/bin/csplot: $(CSPLOT_PARTS)
$(CSPLOT_PARTS) $(BUILD)/obj/tools/csplot.o: tools/csplot.h

FUZZ_SRCS  := $(wildcard fuzz/fuzz-*.c)
FUZZ_BINS  := $(FUZZ_SRCS:fuzz/%.c=$(BUILD)/fuzz/%)
UNIT_SRCS  := $(wildcard tests/unit/test-*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all lib tools modules unit deps demo check bench clean install \
        install-modules overlays lint fuzz vm-test soak check-debug
.DELETE_ON_ERROR:
# keep objects: they are intermediates of pattern chains
.SECONDARY:

all: lib tools modules

lib: $(LIB_A) $(LIB_SO) $(LIB_PC)
tools: $(TOOL_BINS)
unit: $(UNIT_BINS)

$(BUILD)/obj/lib/%.o: lib/%.c lib/cellsense.h $(wildcard lib/cellsense-*.h) \
                      $(wildcard lib/cs-*.h)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(LIB_CFLAGS) -c -o $@ $<

$(BUILD)/obj/tools/%.o: tools/%.c lib/cellsense.h $(wildcard lib/cellsense-*.h) tools/tools-common.h
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

$(LIB_SO): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDSAN) -shared -Wl,-soname,$(SONAME) -Wl,--no-undefined \
		-o $@ $^ $(LIB_LIBS)
	$(Q)ln -sf libcellsense.so.$(VERSION) $(BUILD)/lib/$(SONAME)
	$(Q)ln -sf $(SONAME) $(BUILD)/lib/libcellsense.so

$(LIB_PC): lib/cellsense.pc.in Makefile
	@mkdir -p $(@D)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

$(BUILD)/bin/%: $(BUILD)/obj/tools/%.o $(TOOLS_COMMON) $(LIB_SO)
	@mkdir -p $(@D)
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $< $(TOOLS_COMMON) $(TOOL_LDFLAGS) -lcellsense \
		$(LIBS_$*) -lm

$(BUILD)/tests/%: tests/unit/%.c $(LIB_A)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LDSAN) $(LIB_A) \
		$$(pkg-config --libs cmocka) $(LIB_LIBS)

# libFuzzer targets for every parser of outside input (clang).
fuzz: $(FUZZ_BINS)
$(BUILD)/fuzz/%: fuzz/%.c $(LIB_SRCS) lib/cellsense.h
	@mkdir -p $(@D)
	$(call msg,FUZZ,$@)
	$(Q)clang -g -O1 -fsanitize=fuzzer,address,undefined -D_DEFAULT_SOURCE \
		-Ilib -DCS_VERSION='"$(VERSION)"' -DCS_SRCDIR='"$(CURDIR)"' \
		-o $@ $< $(LIB_SRCS) $(LIB_LIBS)

# Kernel modules: Kbuild at the top, out of tree, warnings are errors there.
modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

overlays: $(patsubst dts-overlays/%-overlay.dts,$(BUILD)/dts/%.dtbo,$(wildcard dts-overlays/*-overlay.dts))
$(BUILD)/dts/%.dtbo: dts-overlays/%-overlay.dts
	@mkdir -p $(@D)
	$(call msg,DTC,$@)
	$(Q)dtc -@ -q -I dts -O dtb -o $@ $<

lint:
	scripts/lint-kernel.sh checkpatch
	scripts/lint-kernel.sh sparse
	scripts/check-bindings.sh

# The VM tests alone (make check runs them too): VM=name.sh for one.
VM ?= $(notdir $(filter-out %/lib.sh %/demo.sh %/demo-cell.sh %/soak.sh $(wildcard tests/vm/guest/selftest-*) $(wildcard tests/vm/guest/bench-*) $(wildcard tests/vm/guest/remote-*),\
	$(wildcard tests/vm/guest/*.sh)))
vm-test: lib tools modules
	@for s in $(VM); do tests/vm/run.sh $$s || exit 1; done

# The VM tests on a debug kernel (KASAN, lockdep, kmemleak) built from
# linux-source once per machine (far more than 25 min on 2 shared cores;
# cached outside the tree): not in `make check`. Figures in README.md.
check-debug: lib tools
	scripts/install-deps.sh --debug-kernel
	tests/vm/run-debug.sh $(VM)

deps:
	scripts/install-deps.sh

demo: deps
	$(MAKE) all
	scripts/demo.sh

check: deps
	$(MAKE) all overlays unit fuzz
	$(MAKE) BUILD=$(BUILD)/san SAN=1 lib tools unit
	@# warning-free with clang and at -O3 too: each sees what -O2 gcc does not
	$(MAKE) BUILD=$(BUILD)/clang CC=clang lib tools
	$(MAKE) BUILD=$(BUILD)/O3 CFLAGS="-O3 -g" lib tools
	tests/run-all.sh $(BUILD)

# Minutes, so not in check: SOAK_MINUTES=1 for a short one.
soak: lib tools modules
	scripts/soak.sh

bench: deps
	$(MAKE) lib tools unit modules
	bench/run.sh $(BUILD)

# Install where Debian looks: PREFIX=/usr for a package, /usr/local (the
# default) by hand. udev and systemd read /etc, or /usr/lib under /usr.
# The modules go in as DKMS source (dkms builds them for each kernel);
# `make install-modules` installs the ones built here instead.
install: lib tools overlays
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(OVERLAYDIR) $(DESTDIR)$(UDEVRULESDIR) \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(DKMSSRCDIR)
	cp -P $(BUILD)/lib/libcellsense.a $(BUILD)/lib/libcellsense.so* \
		$(DESTDIR)$(LIBDIR)/
	sed -e 's|^prefix=.*|prefix=$(PREFIX)|' \
		-e 's|^libdir=.*|libdir=$(LIBDIR)|' \
		-e 's|^includedir=.*|includedir=$(INCLUDEDIR)|' $(LIB_PC) \
		> $(DESTDIR)$(LIBDIR)/pkgconfig/cellsense.pc
	install -m 644 $(PUBLIC_HDRS) $(DESTDIR)$(INCLUDEDIR)/
	install -m 755 $(TOOL_BINS) $(DESTDIR)$(BINDIR)/
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 dbc/cellsense.dbc dbc/cellsense.map $(DESTDIR)$(DATADIR)/
	install -m 644 $(BUILD)/dts/*.dtbo $(DESTDIR)$(OVERLAYDIR)/
	install -m 644 udev/90-cellsense.rules $(DESTDIR)$(UDEVRULESDIR)/
	sed -e 's|@BINDIR@|$(BINDIR)|g' systemd/cellsense-pipeline@.service \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/cellsense-pipeline@.service
	tar -cf - Kbuild $(KERNEL_SRCS) | tar -xf - -C $(DESTDIR)$(DKMSSRCDIR)
	sed -e 's|@VERSION@|$(VERSION)|' dkms.conf.in \
		> $(DESTDIR)$(DKMSSRCDIR)/dkms.conf

install-modules: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates/cellsense modules_install

clean:
	rm -rf $(BUILD)
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
