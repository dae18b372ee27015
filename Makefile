# pcpctl — see README.md. Two entry points for a fresh Debian 12 machine:
#   make demo   installs packages, builds, starts the local cluster, shows it
#   make test   unit tests, then the differential and end-to-end tests on a
#               fresh cluster that it starts and stops
SHELL  := /bin/bash
GO     ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
PREFIX ?= /usr/local
BIN    := bin/pcpctl
# The pcp_* names come from the binary itself (compat.Names()), so a tool
# compat learns gets its symlink here and its diversion in the .deb.
TOOLS   = $$($(BIN) version --tools)
LDFLAGS := -s -w

.PHONY: all build deps demo test unit e2e fuzz bench install clean \
        cluster-start cluster-stop wd-start wd-stop deb release

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/pcpctl
	@for t in $(TOOLS); do ln -sf pcpctl bin/$$t; done

deps:
	scripts/cluster.sh install docs

demo: deps build
	scripts/demo.sh

test:
	scripts/test.sh

unit:
	$(GO) test -race -count=1 ./...

e2e: build
	PCPCTL_E2E=1 $(GO) test -count=1 -timeout 60m ./e2e/

fuzz:
	scripts/fuzz.sh 60s

bench: build
	scripts/bench.sh

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/pcpctl
	@for t in $(TOOLS); do ln -sf pcpctl $(DESTDIR)$(PREFIX)/bin/$$t; done
	@if ls man/*.1 >/dev/null 2>&1; then install -m 0644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/; fi
	@if [ -f completions/pcpctl.bash ]; then install -m 0644 completions/pcpctl.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/pcpctl; fi
	@if [ -f completions/_pcpctl ]; then install -m 0644 completions/_pcpctl $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_pcpctl; fi
	@if [ -f completions/pcpctl.fish ]; then install -m 0644 completions/pcpctl.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/pcpctl.fish; fi
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	sed 's|@BINDIR@|$(PREFIX)/bin|g' packaging/systemd/pcpctl-serve.service >$(DESTDIR)$(PREFIX)/lib/systemd/system/pcpctl-serve.service
	chmod 0644 $(DESTDIR)$(PREFIX)/lib/systemd/system/pcpctl-serve.service

# dist/pcpctl_<version>_amd64.deb (scripts/deb.sh documents the version rule)
deb:
	scripts/deb.sh deb

# the .deb, dist/pcpctl-<version>-linux-amd64.tar.gz and dist/SHA256SUMS
release:
	scripts/deb.sh release

cluster-start:
	scripts/cluster.sh start

cluster-stop:
	scripts/cluster.sh stop

wd-start:
	scripts/cluster.sh wd-start

wd-stop:
	scripts/cluster.sh wd-stop

clean:
	rm -rf bin dist
