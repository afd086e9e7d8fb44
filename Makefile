# PassDesk build. `make run` and `make test` install what the build needs
# (through apt-get, with sudo when not root) and are all a newcomer needs.

BIN       ?= bin
DATA      ?= $(or $(XDG_DATA_HOME),$(HOME)/.local/share)/passdesk-demo
ADDR      ?= 127.0.0.1:8787
TESTFLAGS ?= -race -count=1 -timeout 14m
BENCHTIME ?= 1s
STATICCHECK = honnef.co/go/tools/cmd/staticcheck@v0.8.2
# bench-passd: where the pinned service listens, and loadgen flags (e.g.
# PASSD_BENCH_FLAGS="--slow 0 --json").
PASSD_BENCH_ADDR  ?= 127.0.0.1:18899
PASSD_BENCH_FLAGS ?=
# bench-passd, bench-passd-pg: how many times the load test runs; the
# medians follow the runs' figures.
PASSD_BENCH_RUNS  ?= 3
# bench-passd, bench-passd-pg: poll keeps idle CPUs polling rather than
# halted while the load runs, where /dev/cpu_dma_latency is writable (root);
# halt leaves them as they are. On a virtual machine waking a halted CPU
# costs the waker, and on loopback that is the service, for every answer.
PASSD_BENCH_IDLE  ?= poll
# bench_port_free refuses to measure whatever already answers on the
# address (a passd left running) in place of the service it starts.
bench_port_free = if curl -fsS -o /dev/null --max-time 1 "http://$(PASSD_BENCH_ADDR)/healthz" 2>/dev/null; then \
	echo "something already answers on $(PASSD_BENCH_ADDR): stop it, or set PASSD_BENCH_ADDR=HOST:PORT"; exit 2; fi;
bench_idle = idle=""; if [ "$(PASSD_BENCH_IDLE)" = poll ] && [ -w /dev/cpu_dma_latency ]; then idle=--poll-idle; fi;
PASSD_SERVE_FLAGS ?=

# Debian packages: the C toolchain and the headers GLFW (window), ALSA
# (tones) and libjpeg-turbo (webcam frames) need; Xvfb, ImageMagick, xdotool
# and a small window manager for the window smoke tests; the sqlite3 shell
# for the ledger tampering tests; PostgreSQL for passd's several-node tests;
# zbar and zxing-cpp's Python module for the decoder comparisons.
BUILD_DEBS = gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev \
	libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev libasound2-dev libturbojpeg0-dev
TEST_DEBS  = xvfb xauth imagemagick sqlite3 postgresql xdotool matchbox-window-manager
BENCH_DEBS = zbar-tools python3-zxing-cpp python3-numpy python3-pil util-linux

# bench-decode compares the decoder with zxing-cpp's ZXingReader when it is
# at ZXING_READER (see README.md, "Decoding benchmark"), else with Debian's
# python3-zxing-cpp, on core BENCH_CPU.
ZXING_READER ?= /tmp/zxing-cpp/b/example/ZXingReader
BENCH_CPU    ?= 1

export CGO_ENABLED = 1

# Go: the `go` on PATH when it is GO_MIN or newer; otherwise the pinned
# toolchain, which `make deps` fetches from the Go module proxy as the module
# golang.org/toolchain into .toolchain/ (git-ignored), using Debian's
# golang-go (older, but able to download a module) when there is no go at all.
GO_MIN     = 1.26
GO_PINNED ?= 1.26.8
GO_ARCH   := $(shell uname -m | sed -e 's/^x86_64$$/amd64/' -e 's/^aarch64$$/arm64/')
TOOLCHAIN  = golang.org/toolchain@v0.0.1-go$(GO_PINNED).linux-$(GO_ARCH)
PINNED_GO  = $(CURDIR)/.toolchain/mod/$(TOOLCHAIN)/bin/go
ifeq ($(origin GO),undefined)
GO := $(shell v=$$(GOTOOLCHAIN=local go version 2>/dev/null | awk '{print $$3}' | sed 's/^go//'); \
	if [ -n "$$v" ] && [ "$$(printf '%s\n' $(GO_MIN) "$$v" | sort -V | head -n 1)" = $(GO_MIN) ]; then echo go; else echo "$(PINNED_GO)"; fi)
endif
ifeq ($(GO),$(PINNED_GO))
export PATH := $(dir $(PINNED_GO)):$(PATH)
export GOTOOLCHAIN = local
endif

.PHONY: all build run test bench bench-decode bench-passd bench-passd-pg lint package deps deps-go-bootstrap deps-test deps-bench clean

all: build

# deps installs the missing Debian packages named in $(1).
define install_debs
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo=sudo; fi; \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install_debs,$(BUILD_DEBS))
ifeq ($(GO),$(PINNED_GO))
	@if [ ! -x "$(PINNED_GO)" ]; then \
		if ! command -v go >/dev/null 2>&1; then $(MAKE) --no-print-directory deps-go-bootstrap; fi; \
		echo "fetching Go $(GO_PINNED) ($(TOOLCHAIN)) into .toolchain/"; \
		tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && cd "$$tmp" && \
		GOMODCACHE="$(CURDIR)/.toolchain/mod" GOFLAGS=-modcacherw GO111MODULE=on GOTOOLCHAIN=local \
			go mod download $(TOOLCHAIN) && \
		chmod +x "$(CURDIR)/.toolchain/mod/$(TOOLCHAIN)/bin/"* "$(CURDIR)/.toolchain/mod/$(TOOLCHAIN)/pkg/tool/"*/*; \
	fi
	@"$(PINNED_GO)" version >/dev/null || { echo "the Go toolchain in .toolchain/ does not run: remove .toolchain/ and run make deps again"; exit 2; }
endif

# deps-go-bootstrap installs Debian's Go, only to download the pinned one.
deps-go-bootstrap:
	$(call install_debs,golang-go)

deps-test: deps
	$(call install_debs,$(TEST_DEBS))

deps-bench: deps-test
	$(call install_debs,$(BENCH_DEBS))

build: deps
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/passdesk .
	$(GO) build -o $(BIN)/passd ./cmd/passd

# run starts a local reference service with demo holders (kept in $(DATA))
# and opens the kiosk pinned to it, with the webcam if there is one, else
# the demo source; closing the kiosk stops the service. RUNFLAGS adds
# kiosk flags (e.g. RUNFLAGS=--windowed).
run: build
	$(call install_debs,curl)
	@set -e; pd="$(DATA)/passd"; mkdir -p "$(DATA)/kiosk"; \
	root=$$($(BIN)/passd init --data "$$pd" | tail -n 1); \
	$(BIN)/passd demo --holders 4 --data "$$pd" >/dev/null; \
	cred="$(DATA)/kiosk/credential"; \
	if [ ! -s "$$cred" ]; then $(BIN)/passd kiosk add --data "$$pd" --venue demo-venue --kiosk kiosk-1 --out "$$cred" >/dev/null; fi; \
	$(BIN)/passd serve --addr $(ADDR) --data "$$pd" >"$(DATA)/passd.log" 2>&1 & spid=$$!; \
	trap 'kill $$spid 2>/dev/null || true; wait $$spid 2>/dev/null || true' EXIT INT TERM; \
	up=""; for i in $$(seq 1 100); do \
		if curl -fsS -o /dev/null "http://$(ADDR)/healthz"; then up=1; break; fi; \
		kill -0 $$spid 2>/dev/null || break; sleep 0.1; \
	done; \
	if [ -z "$$up" ]; then echo "passd did not start; see $(DATA)/passd.log"; exit 2; fi; \
	if ls /dev/video* >/dev/null 2>&1; then cam=auto; else cam="demo:http://$(ADDR)"; fi; \
	echo "passd: http://$(ADDR) (log: $(DATA)/passd.log), root key $$root"; \
	echo "camera: $$cam; demo holders' live QR codes: http://$(ADDR)/demo"; \
	echo "demo PINs: manager 2468, staff 1357 (the manager PIN leaves full screen and quits)"; \
	$(BIN)/passdesk --config "$(DATA)/kiosk/config.toml" --data "$(DATA)/kiosk" \
		--server "http://$(ADDR)" --root "$$root" --venue demo-venue --kiosk kiosk-1 --credential-file "$$cred" \
		--camera "$$cam" --demo-people $(RUNFLAGS)

# test builds every package's tests at once, then runs the packages one at
# a time: the window, fault and shedding tests time what they see, and on
# two cores a neighbour package's build or tests skews them.
test: deps-test
	$(GO) test $(TESTFLAGS) -run '^$$' ./... >/dev/null || $(GO) test $(TESTFLAGS) -run '^$$' ./...
	$(GO) test $(TESTFLAGS) -p 1 ./...

bench: deps-bench bench-decode bench-passd bench-passd-pg
	$(GO) test -run '^$$' -bench . -skip 'DecodeVsZXing|LiveReplay|ReplayToVerdict' -benchmem -benchtime $(BENCHTIME) ./...

# bench-decode: read rates, false reads and time per frame beside zxing-cpp
# on the same JPEG frames, the live scanner on a 30 fps replay, and the
# kiosk from a replayed pass to its verdict on screen; all on one core
# (GOMAXPROCS=1, taskset), the reference decoders included.
bench-decode: deps-bench
	@mkdir -p $(BIN)
	$(GO) test -c -o $(abspath $(BIN))/camera.test ./camera
	@if [ -x "$(ZXING_READER)" ]; then echo "reference decoder: zxing-cpp ZXingReader at $(ZXING_READER)"; \
	else echo "reference decoder: python3-zxing-cpp (no ZXingReader at ZXING_READER=$(ZXING_READER))"; fi
	cd camera && GOMAXPROCS=1 ZXING_READER="$(ZXING_READER)" taskset -c $(BENCH_CPU) \
		$(abspath $(BIN))/camera.test -test.run '^$$' -test.bench 'DecodeVsZXing|LiveReplay' -test.benchtime 1x
	$(GO) test -c -o $(abspath $(BIN))/passdesk.test .
	GOMAXPROCS=1 taskset -c $(BENCH_CPU) $(abspath $(BIN))/passdesk.test -test.run '^$$' -test.bench 'ReplayToVerdict' -test.benchtime 1x

# bench-passd is passd's load test (issue 18): the service on core 0 with
# GOMAXPROCS=1, the load generator as its own process on core 1, fresh QR
# texts; saturation, half rate, three times saturation, 1000 slow clients
# beside saturation, peak RSS; and the health endpoint throughout, asked
# by a process of its own on core 1.
bench-passd: deps
	$(call install_debs,curl)
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/passd ./cmd/passd
	@set -e; $(bench_port_free) t=$$(mktemp -d); d="$$t/data"; spid=""; hpid=""; \
	$(bench_idle) \
	trap '[ -n "$$hpid" ] && kill $$hpid 2>/dev/null; [ -n "$$spid" ] && kill $$spid 2>/dev/null; wait 2>/dev/null; rm -rf "$$t"' EXIT INT TERM; \
	$(BIN)/passd init --data "$$d" >/dev/null 2>&1; \
	$(BIN)/passd demo --data "$$d" --holders 32 >/dev/null 2>&1; \
	$(BIN)/passd kiosk add --data "$$d" --venue bench-venue --kiosk loadgen --out "$$t/token" >/dev/null; \
	GOMAXPROCS=1 taskset -c 0 $(BIN)/passd serve --data "$$d" --addr $(PASSD_BENCH_ADDR) --log-level warn $(PASSD_SERVE_FLAGS) 2>"$$t/serve.log" & spid=$$!; \
	up=""; for i in $$(seq 1 100); do \
		kill -0 $$spid 2>/dev/null || break; \
		if curl -fsS -o /dev/null "http://$(PASSD_BENCH_ADDR)/healthz"; then up=1; break; fi; sleep 0.1; \
	done; \
	if [ -z "$$up" ]; then echo "passd did not start:"; cat "$$t/serve.log"; exit 2; fi; \
	echo "passd load test: service on core 0, generator on core 1, kiosk credential on (other work on this machine skews it)"; \
	rt=""; if [ "$$(id -u)" = 0 ] && chrt -f 1 true 2>/dev/null; then rt="chrt -f 1"; fi; \
	if [ -n "$$rt" ]; then echo "health checks: a process of their own on core 1 at real-time priority ($$rt), so that the generator there does not delay them"; \
	else echo "health checks: a process of their own on core 1 at normal priority (real-time needs root): the generator there may delay them"; fi; \
	GOMAXPROCS=1 taskset -c 1 $$rt $(BIN)/passd loadgen --mode health --duration 0 --url "http://$(PASSD_BENCH_ADDR)" >"$$t/health" & hpid=$$!; \
	GOMAXPROCS=1 taskset -c 1 $(BIN)/passd loadgen --data "$$d" --url "http://$(PASSD_BENCH_ADDR)" --token-file "$$t/token" \
		--server-pid $$spid --runs $(PASSD_BENCH_RUNS) $$idle $(PASSD_BENCH_FLAGS); \
	kill -INT $$hpid; wait $$hpid || true; hpid=""; cat "$$t/health"

# bench-passd-pg is bench-passd on PostgreSQL: a throwaway cluster (fsync
# on, as nobody when root) shares core 0 with the service, so the figures
# per core include the database's own work. The cluster lives under
# PASSD_PG_TMP: by default /dev/shm (tmpfs) where it is writable, so that
# a shared disk's commits (here p99 about 170 ms, at most 800 ms) do not
# decide the figures; PASSD_PG_TMP=/tmp puts it on the disk.
PASSD_PG_TMP ?= $(shell [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo /tmp)
bench-passd-pg: deps-test
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/passd ./cmd/passd
	@set -e; $(bench_port_free) pg=$$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); t=$$(mktemp -d -p "$(PASSD_PG_TMP)"); d="$$t/data"; spid=""; \
	$(bench_idle) \
	if [ "$$(id -u)" = 0 ]; then chown 65534:65534 "$$t"; as="setpriv --reuid=65534 --regid=65534 --clear-groups"; else as=""; fi; \
	trap 'set +e; [ -n "$$spid" ] && kill $$spid 2>/dev/null; wait 2>/dev/null; $$as env HOME="$$t" "$$pg/pg_ctl" -D "$$t/pg" -m fast -w stop >/dev/null 2>&1; rm -rf "$$t"' EXIT INT TERM; \
	$$as env HOME="$$t" "$$pg/initdb" -D "$$t/pg" -U postgres -A trust -E UTF8 >/dev/null; \
	$$as env HOME="$$t" taskset -c 0 "$$pg/pg_ctl" -D "$$t/pg" -l "$$t/pg.log" -w \
		-o "-c listen_addresses='' -c unix_socket_directories='$$t' -c fsync=on" start >/dev/null; \
	db="postgres://postgres@/postgres?host=$$t&sslmode=disable"; \
	$(BIN)/passd init --data "$$d" >/dev/null 2>&1; \
	$(BIN)/passd demo --data "$$d" --holders 32 >/dev/null 2>&1; \
	$(BIN)/passd kiosk add --data "$$d" --db "$$db" --venue bench-venue --kiosk loadgen --out "$$t/token" >/dev/null; \
	GOMAXPROCS=1 taskset -c 0 $(BIN)/passd serve --data "$$d" --db "$$db" --addr $(PASSD_BENCH_ADDR) --log-level warn $(PASSD_SERVE_FLAGS) 2>"$$t/serve.log" & spid=$$!; \
	up=""; for i in $$(seq 1 100); do \
		kill -0 $$spid 2>/dev/null || break; \
		if curl -fsS -o /dev/null "http://$(PASSD_BENCH_ADDR)/healthz"; then up=1; break; fi; sleep 0.1; \
	done; \
	if [ -z "$$up" ]; then echo "passd did not start:"; cat "$$t/serve.log"; exit 2; fi; \
	echo "passd load test on PostgreSQL: service and database on core 0, generator on core 1, cluster under $(PASSD_PG_TMP) (other work on this machine skews it)"; \
	GOMAXPROCS=1 taskset -c 1 $(BIN)/passd loadgen --data "$$d" --url "http://$(PASSD_BENCH_ADDR)" --token-file "$$t/token" \
		--server-pid $$spid --runs $(PASSD_BENCH_RUNS) $$idle $(PASSD_BENCH_FLAGS)

lint: deps
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

package: deps
	$(GO) run fyne.io/tools/cmd/fyne@v1.7.4 package --os linux --release --icon assets/icon.png

clean:
	rm -rf $(BIN)
