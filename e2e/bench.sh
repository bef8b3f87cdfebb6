#!/usr/bin/env bash
# e2e/bench.sh: time scratchpack against its peers in one run and print the
# ratios that the README quotes.
#
#   scan: `scratchpack scan --json` over every ELF program in /usr/bin, once,
#         against `ldd` run on each of the same files.
#   pack: a static Go program into an image pushed to a local registry, by
#         `scratchpack pack --push`, by `tar` + `crane append` + `crane mutate`
#         (entrypoint), and by `docker build` FROM scratch + `docker push`.
#         Needs root on Debian (it runs e2e/setup.sh); skipped otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o bin/scratchpack ./cmd/scratchpack
runs=${RUNS:-5}

# best_ms CMD...: the fastest of $runs runs, in milliseconds.
best_ms() {
	local best="" t0 t1 ms
	for _ in $(seq 1 "$runs"); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		t1=$(date +%s%N)
		ms=$(((t1 - t0) / 1000000))
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
	done
	echo "$best"
}

mapfile -t files < <(for f in /usr/bin/*; do
	[ -f "$f" ] && [ ! -L "$f" ] && head -c4 "$f" 2>/dev/null | grep -q $'\x7fELF' && echo "$f"
done)
ldd_each() { for f in "${files[@]}"; do ldd "$f"; done; }
./bin/scratchpack scan --json /usr/bin/ls >/dev/null # checked once: must work

scan_ms=$(best_ms ./bin/scratchpack scan --json "${files[@]}")
ldd_ms=$(best_ms ldd_each)
printf 'scan of %d ELF files in /usr/bin (best of %d):\n' "${#files[@]}" "$runs"
printf '  scratchpack scan --json  %6d ms\n' "$scan_ms"
printf '  ldd on each file         %6d ms\n' "$ldd_ms"
awk -v a="$ldd_ms" -v b="$scan_ms" 'BEGIN { if (b < 1) b = 1; printf "  ratio: scratchpack is %.1fx faster than ldd\n", a / b }'

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
	echo "pack: skipped (needs root on Debian for the registry and dockerd)"
	exit 0
fi
work=$(mktemp -d)
trap 'bash e2e/setup.sh down "$work/state" >/dev/null 2>&1; rm -rf "$work"' EXIT
bash e2e/setup.sh up "$work/state" >"$work/env" 2>/dev/null
reg=$(sed -n 's/^REGISTRY=//p' "$work/env")
GOBIN=$work go install github.com/google/go-containerregistry/cmd/crane@v0.22.1
CGO_ENABLED=0 go build -o "$work/app" ./testdata/hello-go
n=0
next() { n=$((n + 1)); echo "$reg/bench/app:$n"; }

sp_pack() { ./bin/scratchpack pack -t "$(next)" --push "$work/app"; }
crane_pack() {
	local ref
	ref=$(next)
	rm -rf "$work/root" && mkdir -p "$work/root/usr/local/bin" && cp "$work/app" "$work/root/usr/local/bin/app"
	tar -C "$work/root" --owner=0 --group=0 --numeric-owner -czf "$work/layer.tgz" usr
	"$work/crane" append --insecure -f "$work/layer.tgz" -t "$ref"
	"$work/crane" mutate --insecure --entrypoint /usr/local/bin/app "$ref"
}
docker_pack() {
	local ref
	ref=$(next)
	printf 'FROM scratch\nCOPY app /usr/local/bin/app\nENTRYPOINT ["/usr/local/bin/app"]\n' >"$work/Dockerfile"
	DOCKER_BUILDKIT=0 docker build -q -t "$ref" "$work" && docker push -q "$ref" && docker rmi -f "$ref"
}

# Each pipeline once, checked, so that a failing peer cannot look fast.
for f in sp_pack crane_pack docker_pack; do
	"$f" >"$work/check.log" 2>&1 || { cat "$work/check.log"; echo "bench: $f failed" >&2; exit 1; }
done
sp_ms=$(best_ms sp_pack)
crane_ms=$(best_ms crane_pack)
docker_ms=$(best_ms docker_pack)
printf 'pack a static Go program and push it to a local registry (best of %d):\n' "$runs"
printf '  scratchpack pack --push             %6d ms\n' "$sp_ms"
printf '  tar + crane append + crane mutate   %6d ms\n' "$crane_ms"
printf '  docker build FROM scratch + push    %6d ms\n' "$docker_ms"
awk -v s="$sp_ms" -v c="$crane_ms" -v d="$docker_ms" 'BEGIN { if (s < 1) s = 1; printf "  ratio: %.1fx faster than crane, %.1fx faster than docker build\n", c / s, d / s }'
