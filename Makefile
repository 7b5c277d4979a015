# Two verbs for people: `make run` and `make test`. Everything else is meson.
BUILD   ?= build
PORT    ?= 6789
WEB_PORT ?= 8080
ARGS    ?=
MESON_OPTS ?= --wrap-mode=nodownload -Dwerror=true

# Debian 12 packages: build tools, libraries, and the real clients the tests drive.
DEB_PACKAGES := meson ninja-build pkg-config g++ liburing-dev libspdlog-dev libfmt-dev \
  doctest-dev libcli11-dev libsystemd-dev netcat-openbsd telnet socat python3 systemd \
  clang libclang-rt-14-dev libsqlite3-dev libsodium-dev libssl-dev python3-websockets chromium

.PHONY: all deps configure build run test clean

all: build

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing: $$missing"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -q $$missing >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q $$missing >/dev/null; } \
	      || { echo "apt-get could not install: $$missing"; exit 1; }; \
	  else \
	    echo "missing Debian packages; run:"; echo "  sudo apt-get install $$missing"; exit 1; \
	  fi; \
	fi

configure: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) $(MESON_OPTS)

build: configure
	@ninja -C $(BUILD)

run: build
	exec $(BUILD)/src/chatd --listen 127.0.0.1:$(PORT) --web 127.0.0.1:$(WEB_PORT) --data-dir $(BUILD)/data $(ARGS)

test: build
	@tests/run-all $(BUILD)

clean:
	rm -rf $(BUILD)
