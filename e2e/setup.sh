#!/usr/bin/env bash
# e2e/setup.sh: bring up, idempotently, what scratchpack's e2e tests run
# against, and take it down again.
#
#   setup.sh up STATE_DIR    install the Debian packages that are missing,
#                            start dockerd if no daemon answers, start a
#                            registry on a free 127.0.0.1 port, enable the
#                            qemu-aarch64 binfmt handler; write what it found
#                            to STATE_DIR/env (KEY=VALUE lines) and print it
#   setup.sh down STATE_DIR  stop the processes that "up" started
#   setup.sh install         only install the missing packages (the unit
#                            tests use the cross compilers, musl and file)
#   setup.sh fixtures        only make the cached fixtures (the Debian roots
#                            and the pinned Go tools) that "up" would make,
#                            so that make test builds them while the unit
#                            tests run; "up" then finds them made
#
# Needs root on Debian. Logs go to stderr; the env file is the result.
set -euo pipefail

# corpus_packages: the real programs that e2e/corpus_test.go packs from
# this host and compares with what they print here (issue 22); the same
# list goes into the corpus root (corpus_root) for the --from cases.
corpus_packages=(file units espeak-ng aspell aspell-en ghostscript graphviz sox imagemagick
	libxml2-utils lua5.4 gawk jq bc sqlite3 tmux gdb git openssl tcl fontconfig fonts-dejavu-core
	python3 perl less zstd xz-utils tzdata)
# corpus_from_packages: the packages of the corpus cases that also come out
# of a Debian image with pack --from (corpusCase.from), in corpus_root.
corpus_from_packages=(file units openssl tcl gawk tzdata sqlite3)

packages=(docker.io docker-registry runc umoci skopeo qemu-user-static binfmt-support
	musl-tools gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf gcc-arm-linux-gnueabi
	file g++ zlib1g-dev curl mmdebstrap arch-test
	"${corpus_packages[@]}")

log() { printf 'e2e/setup: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

install_packages() {
	local missing=()
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		log "packages: all present"
		return
	fi
	log "packages: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

start_docker() {
	local state=$1
	if docker info >/dev/null 2>&1; then
		log "docker: a daemon already answers; using it"
		return
	fi
	log "docker: starting dockerd --iptables=false --bridge=none"
	setsid dockerd --iptables=false --bridge=none >"$state/dockerd.log" 2>&1 </dev/null &
	echo $! >"$state/dockerd.pid"
	for _ in $(seq 1 120); do
		docker info >/dev/null 2>&1 && { log "docker: up"; return; }
		kill -0 "$(cat "$state/dockerd.pid")" 2>/dev/null || break
		sleep 0.5
	done
	tail -n 20 "$state/dockerd.log" >&2 || true
	die "docker: dockerd did not come up; see $state/dockerd.log"
}

free_port() {
	local p
	for _ in $(seq 1 200); do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	die "registry: no free port found"
}

start_registry() {
	local state=$1 port
	port=$(free_port)
	mkdir -p "$state/registry-data"
	cat >"$state/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $state/registry-data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YAML
	setsid docker-registry serve "$state/registry.yml" >"$state/registry.log" 2>&1 </dev/null &
	echo $! >"$state/registry.pid"
	for _ in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			log "registry: up at 127.0.0.1:$port"
			echo "127.0.0.1:$port"
			return
		fi
		kill -0 "$(cat "$state/registry.pid")" 2>/dev/null || break
		sleep 0.1
	done
	cat "$state/registry.log" >&2 || true
	die "registry: did not come up; see $state/registry.log"
}

enable_binfmt() {
	local dir=/proc/sys/fs/binfmt_misc
	if [ ! -e "$dir/register" ]; then
		mount -t binfmt_misc binfmt_misc "$dir" || die "binfmt: cannot mount binfmt_misc at $dir"
	fi
	if [ ! -e "$dir/qemu-aarch64" ]; then
		update-binfmts --enable qemu-aarch64 >&2 || die "binfmt: update-binfmts --enable qemu-aarch64 failed"
	fi
	grep -q '^enabled' "$dir/qemu-aarch64" || echo 1 >"$dir/qemu-aarch64"
	grep -q 'flags:.*F' "$dir/qemu-aarch64" || die "binfmt: qemu-aarch64 lacks the F flag, so it cannot run inside containers"
	log "binfmt: qemu-aarch64 enabled"
}

# debian_root ARCH: a Debian bookworm root (minbase, with curl and
# nginx-light) as a tarball, made by mmdebstrap once and kept outside the
# clone, in $SCRATCHPACK_E2E_CACHE (default /var/cache/scratchpack-e2e);
# prints its path.
debian_root() {
	local arch=$1 cache=${SCRATCHPACK_E2E_CACHE:-/var/cache/scratchpack-e2e}
	local tar=$cache/bookworm-$arch.tar
	if [ ! -s "$tar" ]; then
		mkdir -p "$cache"
		log "debian root: mmdebstrap bookworm for $arch into $tar (once; about a minute and a half)"
		rm -f "$tar.tmp"
		mmdebstrap --quiet --variant=minbase --include=curl,nginx-light --architectures="$arch" --format=tar \
			bookworm "$tar.tmp" http://deb.debian.org/debian >&2 || die "debian root: mmdebstrap failed"
		mv "$tar.tmp" "$tar"
	fi
	echo "$tar"
}

# corpus_root: a Debian bookworm amd64 root (minbase with
# corpus_from_packages) as a tarball, made by mmdebstrap once and cached
# under a name that carries a hash of its package list, so that a changed
# list makes a new root (and removes the old); prints its path.
corpus_root() {
	local cache=${SCRATCHPACK_E2E_CACHE:-/var/cache/scratchpack-e2e} key tar include
	include=$(printf '%s\n' "${corpus_from_packages[@]}" | sort -u | paste -sd, -)
	key=$(printf 'bookworm amd64 minbase %s' "$include" | sha256sum | cut -c1-12)
	tar=$cache/bookworm-corpus-amd64-$key.tar
	if [ ! -s "$tar" ]; then
		mkdir -p "$cache"
		log "corpus root: mmdebstrap bookworm for amd64 with $include into $tar (once; about a minute)"
		rm -f "$tar.tmp"
		mmdebstrap --quiet --variant=minbase --include="$include" --architectures=amd64 --format=tar \
			bookworm "$tar.tmp" http://deb.debian.org/debian >&2 || die "corpus root: mmdebstrap failed"
		mv "$tar.tmp" "$tar"
		find "$cache" -maxdepth 1 -name 'bookworm-corpus-amd64-*.tar' ! -path "$tar" -delete # roots of older lists
	fi
	echo "$tar"
}

# go_tool NAME MODULE@VERSION [ENV=VALUE...]: a test tool, pinned, built
# with go install once into the cache ($SCRATCHPACK_E2E_CACHE/NAME-VERSION,
# under a temporary name until it is whole); prints its path.
go_tool() {
	local name=$1 module=${2%@*} version=${2#*@} cache=${SCRATCHPACK_E2E_CACHE:-/var/cache/scratchpack-e2e}
	shift 2
	local bin=$cache/$name-$version/$name
	if [ ! -x "$bin" ]; then
		log "$name: go install $module@$version into $(dirname "$bin") (once)"
		env "$@" GOBIN="$(dirname "$bin").tmp" go install "$module@$version" >&2 || die "$name: go install failed"
		rm -rf "$(dirname "$bin")" && mv "$(dirname "$bin").tmp" "$(dirname "$bin")"
	fi
	echo "$bin"
}

# ko (about three minutes on a fresh machine): the tests compare build's
# names and images with ko's, and make bench times it.
ko_binary() { go_tool ko github.com/google/ko@v0.19.1; }

# Syft (a few minutes): the scanner tests check that it reads
# scratchpack's images, layouts and SBOMs.
syft_binary() { go_tool syft github.com/anchore/syft/cmd/syft@v1.57.1; }

# Trivy (GOEXPERIMENT=jsonv2, which it needs with Go 1.26; about ten
# minutes of two cores on a fresh machine): the scanner tests run it
# offline against a database they write.
trivy_binary() { go_tool trivy github.com/aquasecurity/trivy/cmd/trivy@v0.74.0 GOEXPERIMENT=jsonv2; }

# fixtures DIR: make (or find in the cache) the Debian roots and the Go
# tools, and write the path of each to a file of DIR named for it.
# On a fresh machine the Debian roots (the network, then dpkg under qemu
# for arm64: mostly one core) are made while the Go tools build (both
# cores), which saves minutes; a cached fixture costs nothing.
fixtures() {
	local fx=$1 roots corpus tools
	mkdir -p "$fx"
	(debian_root amd64 >"$fx/root_amd64" && debian_root arm64 >"$fx/root_arm64") &
	roots=$!
	corpus_root >"$fx/root_corpus" &
	corpus=$!
	(ko_binary >"$fx/ko" && syft_binary >"$fx/syft" && trivy_binary >"$fx/trivy") &
	tools=$!
	wait "$corpus" || { wait "$roots" || true; wait "$tools" || true; die "corpus root: see the lines above"; }
	wait "$roots" || { wait "$tools" || true; die "debian roots: see the lines above"; }
	wait "$tools" || die "test tools: see the lines above"
}

up() {
	local state=$1
	[ "$(id -u)" -eq 0 ] || die "needs root (to install packages and start dockerd)"
	command -v apt-get >/dev/null || die "needs Debian (apt-get)"
	mkdir -p "$state"
	state=$(cd "$state" && pwd)
	install_packages
	start_docker "$state"
	local registry
	registry=$(start_registry "$state")
	enable_binfmt
	# Each fixture is made before the env file is written, so that one that
	# fails stops the setup here (a failure inside "$(...)" of an echo would not).
	local docker_version root_amd64 root_arm64 root_corpus ko syft trivy
	docker_version=$(docker version --format '{{.Server.Version}}')
	local fx=$state/fixtures
	fixtures "$fx"
	root_amd64=$(cat "$fx/root_amd64")
	root_arm64=$(cat "$fx/root_arm64")
	root_corpus=$(cat "$fx/root_corpus")
	ko=$(cat "$fx/ko")
	syft=$(cat "$fx/syft")
	trivy=$(cat "$fx/trivy")
	{
		echo "REGISTRY=$registry"
		echo "DOCKER_VERSION=$docker_version"
		echo "QEMU_AARCH64=/usr/bin/qemu-aarch64-static"
		echo "AARCH64_SYSROOT=/usr/aarch64-linux-gnu"
		echo "DEBIAN_ROOT_AMD64=$root_amd64"
		echo "DEBIAN_ROOT_ARM64=$root_arm64"
		echo "DEBIAN_ROOT_CORPUS=$root_corpus"
		echo "KO=$ko"
		echo "SYFT=$syft"
		echo "TRIVY=$trivy"
	} >"$state/env.tmp"
	mv "$state/env.tmp" "$state/env"
	cat "$state/env"
}

down() {
	local state=$1 pidfile pid
	for pidfile in "$state/registry.pid" "$state/dockerd.pid"; do
		[ -f "$pidfile" ] || continue
		pid=$(cat "$pidfile")
		if kill -0 "$pid" 2>/dev/null; then
			log "stopping $(basename "$pidfile" .pid) (pid $pid)"
			kill "$pid" 2>/dev/null || true
			for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
			kill -9 "$pid" 2>/dev/null || true
		fi
		rm -f "$pidfile"
	done
}

case "${1:-}" in
install)
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
		log "install: skipped (needs root on Debian); tests that need the packages will say so"
		exit 0
	fi
	install_packages
	;;
fixtures)
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
		log "fixtures: skipped (needs root on Debian); the e2e tests will say so"
		exit 0
	fi
	fx=$(mktemp -d)
	trap 'rm -rf "$fx"' EXIT
	enable_binfmt # the arm64 root's dpkg runs under qemu: without it, mmdebstrap refuses on a fresh machine
	fixtures "$fx"
	log "fixtures: made or found in ${SCRATCHPACK_E2E_CACHE:-/var/cache/scratchpack-e2e}"
	;;
up) up "${2:?usage: setup.sh up STATE_DIR}" ;;
down) down "${2:?usage: setup.sh down STATE_DIR}" ;;
*) die "usage: setup.sh install | fixtures | up STATE_DIR | down STATE_DIR" ;;
esac
