# lamon — top-level build.  One Makefile, wildcard sources: adding a .c file to
# a component directory adds it to that component; no list to keep in sync.
#
#   make            build everything into build/
#   make check      run every test (unit + integration + VM), ends "N passed, N failed"
#   make deps       install the Debian build and test dependencies (root)
#   make install    binaries, MIB, man pages, systemd units
#   make deb        Debian packages (lamon-agent, lamon-controller, lamon-mibs) in build/deb/
#   make demo       the README's demo
#
# WERROR=1 adds -Werror (CI); SANITIZE=1 builds with ASan+UBSan (CI runs the suite so).

PREFIX    ?= /usr/local
DESTDIR   ?=
SYSCONFDIR ?= /etc
MIBDIR    ?= $(PREFIX)/share/snmp/mibs
UNITDIR   ?= /lib/systemd/system
# OCF resource agents: a fixed path, whatever PREFIX (Pacemaker looks there).
OCFDIR    ?= /usr/lib/ocf/resource.d
WEBDIR    ?= $(PREFIX)/share/lamon/web
BUILD     ?= build
PKG_CONFIG ?= pkg-config

CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat=2 -Icommon
# Where make install puts web/ (the console's assets): http_root's default.
CFLAGS += -DLAMON_WEBDIR='"$(WEBDIR)"'
ifeq ($(WERROR),1)
CFLAGS += -Werror
endif
ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

SNMP_CFLAGS  := $(shell $(PKG_CONFIG) --cflags netsnmp-agent 2>/dev/null)
SNMP_LIBS    := -lnetsnmpagent -lnetsnmp
EVENT_CFLAGS := $(shell $(PKG_CONFIG) --cflags libevent 2>/dev/null)
EVENT_LIBS   := $(shell $(PKG_CONFIG) --libs libevent 2>/dev/null)
NL_CFLAGS    := $(shell $(PKG_CONFIG) --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS      := $(shell $(PKG_CONFIG) --libs libnl-genl-3.0 2>/dev/null)
RRD_CFLAGS   := $(shell $(PKG_CONFIG) --cflags librrd 2>/dev/null)
RRD_LIBS     := $(shell $(PKG_CONFIG) --libs librrd 2>/dev/null)
CMOCKA_LIBS  := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)
# The web console: TLS through libevent's OpenSSL bufferevents, crypt(3) hashes.
TLS_LIBS     := $(shell $(PKG_CONFIG) --libs libevent_openssl openssl 2>/dev/null)

ALL_CFLAGS = $(CFLAGS) $(SNMP_CFLAGS) $(EVENT_CFLAGS) $(NL_CFLAGS) $(RRD_CFLAGS)

# --- components --------------------------------------------------------------
COMMON_SRC  := $(wildcard common/*.c)
AGENT_SRC   := $(filter-out subagent/main.c,$(wildcard subagent/*.c))
CTL_SRC     := $(filter-out controller/main.c controller/lamonctl.c,$(wildcard controller/*.c))

COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
AGENT_OBJ  := $(AGENT_SRC:%.c=$(BUILD)/%.o)
CTL_OBJ    := $(CTL_SRC:%.c=$(BUILD)/%.o)

AGENT_LIBS = $(SNMP_LIBS) $(EVENT_LIBS) $(NL_LIBS) -lseccomp
CTL_LIBS   = $(SNMP_LIBS) $(EVENT_LIBS) $(TLS_LIBS) $(RRD_LIBS) -lcrypt -lm

BINS := $(BUILD)/lamon-agent
ifneq ($(wildcard controller/main.c),)
BINS += $(BUILD)/lamon-controller
endif
ifneq ($(wildcard controller/lamonctl.c),)
BINS += $(BUILD)/lamonctl
endif

# Unit tests: tests/unit/agent_*.c link against the agent's modules,
# tests/unit/ctl_*.c against the controller's, common_*.c against common/.
UNIT_SRC  := $(wildcard tests/unit/*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)
# Test and bench tools (tests/tools/*.c): built, never installed.
TOOL_SRC  := $(wildcard tests/tools/*.c)
TOOL_BINS := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/tools/%)

.PHONY: all programs check unit-tests deps install deb demo clean cppcheck fuzz fuzz-build fuzz-merge bench check-dashboards
all: $(BINS) $(UNIT_BINS) $(TOOL_BINS)
# The installed programs alone (what make install and the package build need).
programs: $(BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libcommon.a: $(COMMON_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^
$(BUILD)/libagent.a: $(AGENT_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^
$(BUILD)/libcontroller.a: $(CTL_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/lamon-agent: $(BUILD)/subagent/main.o $(BUILD)/libagent.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(AGENT_LIBS)
$(BUILD)/lamon-controller: $(BUILD)/controller/main.o $(BUILD)/libcontroller.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CTL_LIBS)
$(BUILD)/lamonctl: $(BUILD)/controller/lamonctl.o $(BUILD)/libcontroller.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CTL_LIBS)

$(BUILD)/tests/unit/agent_%: $(BUILD)/tests/unit/agent_%.o $(BUILD)/libagent.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(AGENT_LIBS)
$(BUILD)/tests/unit/ctl_%: $(BUILD)/tests/unit/ctl_%.o $(BUILD)/libcontroller.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(CTL_LIBS)
$(BUILD)/tests/tools/%: $(BUILD)/tests/tools/%.o $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(SNMP_LIBS)
$(BUILD)/tests/unit/common_%: $(BUILD)/tests/unit/common_%.o $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(SNMP_LIBS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# --- tests -----------------------------------------------------------------
# The runner counts TAP lines of every test program and script and prints the
# closing "N passed, N failed" line; it exits non-zero if anything failed.
check: all
	tests/run.sh

# Dashboards with the real tools (Cacti on MariaDB, MRTG, rrdtool graph): slow.
check-dashboards: all
	TESTS=dashboards tests/run.sh

cppcheck:
	cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,performance,portability \
	  --inline-suppr --suppress=missingIncludeSystem -Icommon subagent controller common tests/tools

# --- fuzzing -----------------------------------------------------------------
# libFuzzer targets, named like the unit tests: fuzz/agent_*.c link against the
# agent's modules, fuzz/ctl_*.c against the controller's.  `make fuzz` builds
# everything with clang into $(FUZZ_BUILD) (fuzzer + ASan + UBSan) and runs each
# target for FUZZ_SECONDS on a scratch copy of its saved corpus
# fuzz/corpus/NAME/; it prints each target's executions and coverage and fails
# on the first crash.  FUZZ_TARGETS="agent_validate" runs some only;
# `make fuzz-merge` folds what a run found back into fuzz/corpus/.
FUZZ_SECONDS ?= 20
FUZZ_BUILD   ?= build-fuzz
FUZZ_SRC     := $(wildcard fuzz/*.c)
FUZZ_BINS    := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz/%)
ifeq ($(FUZZ),1)
CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -DLAMON_FUZZING
endif
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined

$(BUILD)/fuzz/agent_%: $(BUILD)/fuzz/agent_%.o $(BUILD)/libagent.a $(BUILD)/libcommon.a
	$(CC) $(FUZZ_LDFLAGS) -o $@ $^ $(AGENT_LIBS)
$(BUILD)/fuzz/ctl_%: $(BUILD)/fuzz/ctl_%.o $(BUILD)/libcontroller.a $(BUILD)/libcommon.a
	$(CC) $(FUZZ_LDFLAGS) -o $@ $^ $(CTL_LIBS)
fuzz-build: $(FUZZ_BINS)

fuzz:
	$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang FUZZ=1 fuzz-build
	FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh
fuzz-merge:
	$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang FUZZ=1 fuzz-build
	FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_MERGE=1 fuzz/run.sh

deps:
	scripts/install-deps.sh

demo: all
	scripts/demo.sh

# --- install -----------------------------------------------------------------
install: programs
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MIBDIR) \
	  $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/lamon $(DESTDIR)$(WEBDIR)
	install -m 755 $(filter-out $(BUILD)/lamonctl,$(BINS)) $(DESTDIR)$(PREFIX)/sbin/
	if [ -f $(BUILD)/lamonctl ]; then install -m 755 $(BUILD)/lamonctl $(DESTDIR)$(PREFIX)/bin/; fi
	install -m 755 rrd/lamon-graph rrd/lamon-rrd-create scripts/lamon-mrtg-config $(DESTDIR)$(PREFIX)/bin/
	install -m 644 mibs/LAMON-MIB.txt $(DESTDIR)$(MIBDIR)/
	install -m 644 web/*.js web/*.css $(DESTDIR)$(WEBDIR)/
	for m in docs/man/*.8; do [ -f "$$m" ] && install -m 644 "$$m" $(DESTDIR)$(PREFIX)/share/man/man8/; done; true
	for m in docs/man/*.1; do [ -f "$$m" ] && install -m 644 "$$m" $(DESTDIR)$(PREFIX)/share/man/man1/; done; true
	install -D -m 755 ha/ocf/controller $(DESTDIR)$(OCFDIR)/lamon/controller
	for u in docs/systemd/*.service; do [ -f "$$u" ] && sed 's|@SBINDIR@|$(PREFIX)/sbin|g' "$$u" > $(DESTDIR)$(UNITDIR)/$$(basename "$$u"); done; true
	# Example configs, never over an operator's own.
	for f in etc/*.conf; do t=$(DESTDIR)$(SYSCONFDIR)/lamon/$$(basename "$$f"); [ -e "$$t" ] || install -m 640 "$$f" "$$t"; done
	@# The controller runs as lamon and reads its config through the group (a
	@# config given another group than root by the operator is left alone).
	@t=$(DESTDIR)$(SYSCONFDIR)/lamon/lamon-controller.conf; \
	if [ "$$(stat -c %G "$$t")" = root ]; then \
	    getent group lamon >/dev/null && chgrp lamon "$$t" 2>/dev/null || \
	    echo "make install: the controller runs as user lamon: adduser --system --group --no-create-home --home /nonexistent lamon; chgrp lamon $(SYSCONFDIR)/lamon/lamon-controller.conf"; \
	fi

# --- Debian packages -----------------------------------------------------------
# dpkg-buildpackage writes its results into the parent of the source tree,
# which is not ours (the repository may be cloned anywhere), so it builds a
# copy in build/deb-src/lamon (the working tree as it is, less what git
# ignores) and the packages are moved to build/deb/.  The outer make's flags
# (WERROR=1, -j) are not passed down: debian/rules sets the package's own.
DEB_JOBS ?= auto
deb:
	rm -rf build/deb build/deb-src
	mkdir -p build/deb build/deb-src/lamon
	rsync -a --exclude=/.git --exclude=/.deps --exclude='/build*/' --filter=':- .gitignore' ./ build/deb-src/lamon/
	cd build/deb-src/lamon && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
	    dpkg-buildpackage -us -uc -b -j$(DEB_JOBS)
	mv build/deb-src/*.deb build/deb-src/*.changes build/deb-src/*.buildinfo build/deb/
	rm -rf build/deb-src

clean:
	rm -rf $(BUILD) build/deb build/deb-src
