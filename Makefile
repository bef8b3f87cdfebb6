# scratchpack's two commands: `make demo` (offline, no daemon) and
# `make test` (unit tests, lint and the e2e suite on the real Docker engine).

GO          ?= go
BIN         := bin/scratchpack
OUT         := out
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all build install demo test tools fixtures unit oracle lint e2e bench fuzz testdata-elf clean

all: build

# build and install link a static binary (CGO_ENABLED=0): it runs on any
# Linux of its architecture, with no libc to match, and starts 0.5-0.7 ms
# sooner than one linked by the C linker (no dynamic loader: of a small
# pack's 23 ms, 4.5 are starting the process; cmd/scratchpack/main.go).
# scratchpack calls no C: the Go resolver and os/user serve it.
build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/scratchpack

# install puts scratchpack where go install does: $(go env GOBIN), else
# $(go env GOPATH)/bin (~/go/bin), which must be on PATH. The module is
# not published, so this (or CGO_ENABLED=0 go install ./cmd/scratchpack)
# is the install.
install:
	CGO_ENABLED=0 $(GO) install ./cmd/scratchpack
	@bin=$$($(GO) env GOBIN); [ -n "$$bin" ] || bin=$$($(GO) env GOPATH)/bin; \
		echo "installed $$bin/scratchpack"; \
		case ":$$PATH:" in *":$$bin:"*) ;; *) echo "add $$bin to PATH to run it as scratchpack";; esac

# demo builds sample programs from testdata and packs them into out/: a
# static Go program, a static and a dynamic C program (the dynamic one with
# its loader and libc), a C program that needs zlib, and a two-platform
# index of the Go program in an OCI layout. It needs Go and gcc with zlib's
# headers, and no daemon or registry.
demo: build
	@mkdir -p $(OUT)/bin
	CGO_ENABLED=0 $(GO) build -trimpath -o $(OUT)/bin/hello-go ./testdata/hello-go
	CGO_ENABLED=0 GOARCH=arm64 $(GO) build -trimpath -o $(OUT)/bin/hello-go-arm64 ./testdata/hello-go
	cc -O2 -static -o $(OUT)/bin/hello-c-static testdata/hello-c/hello.c
	cc -O2 -o $(OUT)/bin/hello-c testdata/hello-c/hello.c
	cc -O2 -o $(OUT)/bin/zlib-c testdata/zlib-c/zlib.c -lz
	@for b in hello-go hello-c-static hello-c zlib-c; do \
		echo "== $$b"; \
		./$(BIN) scan $(OUT)/bin/$$b || exit 1; \
		SOURCE_DATE_EPOCH=0 ./$(BIN) pack -t scratchpack-demo/$$b:latest -o $(OUT)/$$b.tar $(OUT)/bin/$$b || exit 1; \
	done
	@echo "== multi-arch index"
	@rm -rf $(OUT)/layout
	SOURCE_DATE_EPOCH=0 ./$(BIN) pack -t scratchpack-demo/hello-go:multi --oci-layout $(OUT)/layout $(OUT)/bin/hello-go $(OUT)/bin/hello-go-arm64
	./$(BIN) inspect $(OUT)/zlib-c.tar
	@echo "demo: images are in $(OUT)/; load one with: docker load -i $(OUT)/zlib-c.tar && docker run --rm scratchpack-demo/zlib-c"

# test is everything: lint, the Debian packages, the unit tests while
# the e2e fixtures are made (on a fresh machine the Debian roots wait on
# the network and dpkg, the Go tools build: minutes the unit tests fill),
# then the oracles and the e2e suite.
test: lint tools
	$(MAKE) --no-print-directory -j2 unit fixtures
	$(MAKE) --no-print-directory oracle e2e

# tools installs the Debian packages the tests use (as root on Debian; a no-op elsewhere).
tools:
	bash e2e/setup.sh install

# fixtures makes the e2e suite's cached fixtures, the Debian roots and the
# pinned Go tools (ko, syft, trivy), in $$SCRATCHPACK_E2E_CACHE (default
# /var/cache/scratchpack-e2e); the e2e suite makes what is missing itself.
fixtures:
	bash e2e/setup.sh fixtures

# unit is go test -race -short ./...: every package's tests (e2e's skip
# under -short, bar its pure helpers' tests), with the race detector. A
# race-detecting binary sleeps a second as it exits, for reports still
# being written (GORACE's atexit_sleep_ms); a race in a test fails that
# test before it ends, so unit does not wait: 25 seconds of two cores.
unit:
	GORACE="atexit_sleep_ms=0 $$GORACE" $(GO) test -race -count=1 -short ./...

# oracle runs, at full size and without the race detector, the tests
# that -short (make unit) cuts down: resolution against every program of
# this machine (the glibc loader's own list, the cache, the TLS needs),
# the root-swap races for their full time, and the linear-time and
# flat-memory checks at their full sizes. The names are matched in every
# package, so a test keeps its place here when it moves.
ORACLES := TestResolveAgreesWithGlibcLoader|TestCacheChangesNothing|TestCacheConcurrent|TestCNeedsCerts|TestDirRootSwapRace|TestDirRootFIFOSwap|TestWalkIsLinear|TestIncludeIsLinear|TestBuildLayerMemoryIsFlat|TestCheckImageMemoryIsFlat|TestNamedPathsResolveELF|TestProgramsSysrootSwapRace|TestArchiveLocalesOfLocaledef|TestKeptBuildIsReusedOnlyUnchanged|TestPlannerSharingChangesNoAnswer|TestGzipIsPgzip|TestZstdAndNone|TestManyMissingLibrariesOneShortLine

oracle:
	$(GO) test -count=1 -run '^($(ORACLES))$$' $$($(GO) list ./... | grep -v /e2e)

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# e2e runs e2e/setup.sh itself (from TestMain): packages, dockerd, registry, binfmt.
e2e:
	$(GO) test -count=1 -timeout 30m -v ./e2e

# bench times scratchpack against its peers and prints the ratios.
bench:
	bash e2e/bench.sh
	$(GO) test -run XXX -bench . -benchtime 3x ./elfscan

# fuzz runs the elfscan fuzz target for a minute (the seeds run in every `make unit`).
fuzz:
	$(GO) test -run XXX -fuzz FuzzScan -fuzztime 60s -fuzzminimizetime 5s ./elfscan

# testdata-elf rebuilds the fuzz seed corpus (needs the tools from `make tools`).
testdata-elf:
	cd testdata/elf && src=../hello-c/hello.c && \
	musl-gcc -Os -s -static -o musl-static $$src && \
	musl-gcc -Os -s -o musl-dynamic $$src && \
	gcc -Os -s -o glibc-dynamic $$src && \
	gcc -Os -s -Wl,--disable-new-dtags,-rpath,'$$ORIGIN/../lib' -o glibc-rpath-origin $$src && \
	aarch64-linux-gnu-gcc -Os -s -Wl,-z,max-page-size=4096 -o arm64-dynamic $$src && \
	gcc -Os -s -shared -fPIC -o libshared.so $$src && \
	gcc -Os -s -shared -fPIC -nostdlib -Wl,-soname,libc.so.6 -Wl,--version-script=fake-libc.map -o fake-libc.so.6 fake-libc.c

clean:
	rm -rf bin $(OUT)
