# cachewatch — the README's two commands are `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= debug
BIN := .build/$(CONFIG)/cachewatch
APT_PACKAGES := libhiredis-dev libncurses-dev redis-server redis-tools tmux pkg-config memcached zlib1g-dev
# Debian package name -> a file that proves it is installed.
DEPS_PROBES := /usr/include/hiredis/hiredis.h /usr/include/ncursesw/curses.h /usr/bin/redis-server /usr/bin/redis-cli /usr/bin/tmux /usr/bin/pkg-config /usr/bin/memcached /usr/include/zlib.h

.PHONY: all deps build release test demo bench soak clean

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

## test: unit, integration (private redis-server per suite) and tmux end-to-end tests.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

## demo: a throwaway redis-server with realistic traffic and the dashboard on it.
demo: deps
	$(SWIFT) build -c release
	.build/release/cachewatch demo

## bench: census and log benchmarks against redis-cli, a C hiredis program and grep.
bench: deps
	$(SWIFT) build -c release
	bash bench/run.sh

## soak: a day of polling compressed into SOAK_SECONDS (default 72 min at 50 ms): RSS, fds, threads stay flat.
soak: deps
	$(SWIFT) build -c release
	bash Tests/Soak/soak.sh

clean:
	rm -rf .build bench/out
