# PassDesk build. `make run` and `make test` install what the build needs
# (through apt-get, with sudo when not root) and are all a newcomer needs.

GO        ?= go
BIN       ?= bin
DATA      ?= $(or $(XDG_DATA_HOME),$(HOME)/.local/share)/passdesk-demo
ADDR      ?= 127.0.0.1:8787
TESTFLAGS ?= -race -count=1 -timeout 14m
BENCHTIME ?= 1s
STATICCHECK = honnef.co/go/tools/cmd/staticcheck@v0.8.2

# Debian packages: the C toolchain and the headers GLFW (window), ALSA
# (tones) and libjpeg-turbo (webcam frames) need; Xvfb and ImageMagick for
# the window smoke test; the sqlite3 shell for the ledger tampering tests;
# zbar and zxing-cpp's Python module for the decoder comparisons.
BUILD_DEBS = gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev \
	libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev libasound2-dev libturbojpeg0-dev
TEST_DEBS  = xvfb xauth imagemagick sqlite3
BENCH_DEBS = zbar-tools python3-zxing-cpp python3-numpy python3-pil util-linux

# bench-decode compares the decoder with zxing-cpp's ZXingReader when it is
# at ZXING_READER (see README.md, "Decoding benchmark"), else with Debian's
# python3-zxing-cpp, on core BENCH_CPU.
ZXING_READER ?= /tmp/zxing-cpp/b/example/ZXingReader
BENCH_CPU    ?= 1

export CGO_ENABLED = 1

.PHONY: all build run test bench bench-decode lint package deps deps-test deps-bench clean

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
	@command -v $(GO) >/dev/null 2>&1 || { echo "PassDesk builds with Go 1.26 or newer, which is not installed: see https://go.dev/doc/install"; exit 1; }
	$(call install_debs,$(BUILD_DEBS))

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
		--server "http://$(ADDR)" --root "$$root" --venue demo-venue --kiosk kiosk-1 \
		--camera "$$cam" --demo-people $(RUNFLAGS)

test: deps-test
	$(GO) test $(TESTFLAGS) ./...

bench: deps-bench bench-decode
	$(GO) test -run '^$$' -bench . -skip 'DecodeVsZXing|LiveReplay' -benchmem -benchtime $(BENCHTIME) ./...

# bench-decode: read rates, false reads and time per frame beside zxing-cpp
# on the same JPEG frames, and the live scanner on a 30 fps replay; all on
# one core (GOMAXPROCS=1, taskset), the reference decoders included.
bench-decode: deps-bench
	@mkdir -p $(BIN)
	$(GO) test -c -o $(abspath $(BIN))/camera.test ./camera
	@if [ -x "$(ZXING_READER)" ]; then echo "reference decoder: zxing-cpp ZXingReader at $(ZXING_READER)"; \
	else echo "reference decoder: python3-zxing-cpp (no ZXingReader at ZXING_READER=$(ZXING_READER))"; fi
	cd camera && GOMAXPROCS=1 ZXING_READER="$(ZXING_READER)" taskset -c $(BENCH_CPU) \
		$(abspath $(BIN))/camera.test -test.run '^$$' -test.bench 'DecodeVsZXing|LiveReplay' -test.benchtime 1x

lint: deps
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

package: deps
	$(GO) run fyne.io/tools/cmd/fyne@v1.7.4 package --os linux --release --icon assets/icon.png

clean:
	rm -rf $(BIN)
