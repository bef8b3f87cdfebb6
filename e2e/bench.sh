#!/usr/bin/env bash
# e2e/bench.sh: time scratchpack against its peers in one run and print the
# ratios that the README quotes.
#
#   scan: `scratchpack scan --json` over every ELF program in /usr/bin, once,
#         against `ldd` run on each of the same files.
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

scan_ms=$(best_ms ./bin/scratchpack scan --json "${files[@]}")
ldd_ms=$(best_ms ldd_each)
printf 'scan of %d ELF files in /usr/bin (best of %d):\n' "${#files[@]}" "$runs"
printf '  scratchpack scan --json  %6d ms\n' "$scan_ms"
printf '  ldd on each file         %6d ms\n' "$ldd_ms"
awk -v a="$ldd_ms" -v b="$scan_ms" 'BEGIN { if (b < 1) b = 1; printf "  ratio: scratchpack is %.1fx faster than ldd\n", a / b }'
