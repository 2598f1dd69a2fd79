#!/bin/sh
# Kernel style gates of cellsense:
#   lint-kernel.sh checkpatch   checkpatch.pl --strict on kernel/*.[ch]
#   lint-kernel.sh sparse       the modules built with C=2 (sparse on every file)
# Both fail on any error, warning or check. checkpatch.pl comes from Debian's
# linux-source-6.1 package, unpacked once into a cache outside the repo.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CELLSENSE_CACHE:-$HOME/.cache/cellsense}
KDIR=${KDIR:-/lib/modules/$("$SRC/scripts/kernel-abi.sh")/build}

checkpatch() {
	dir=$CACHE/checkpatch
	if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
		tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | head -n1)
		[ -n "$tarball" ] || {
			echo "lint-kernel: no /usr/src/linux-source-*.tar.xz: install package linux-source-6.1" >&2
			exit 1
		}
		top=$(basename "$tarball" .tar.xz)
		tmp=$(mktemp -d "$CACHE/checkpatch.XXXXXX" 2>/dev/null) || {
			mkdir -p "$CACHE"
			tmp=$(mktemp -d "$CACHE/checkpatch.XXXXXX")
		}
		tar -xJf "$tarball" -C "$tmp" --strip-components=1 \
			"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
			"$top/scripts/const_structs.checkpatch"
		rm -rf "$dir"
		mv "$tmp" "$dir"
	fi
	# our sources, not what Kbuild generates next to them (*.mod.c)
	files=$(cd "$SRC" && git ls-files 'kernel/*.c' 'kernel/*.h')
	[ -n "$files" ] || { echo "lint-kernel: no kernel sources" >&2; exit 1; }
	# shellcheck disable=SC2086
	out=$(cd "$SRC" && "$dir/scripts/checkpatch.pl" --strict --no-tree \
		--show-types -f $files 2>&1) || true
	echo "$out"
	bad=$(echo "$out" | grep -c '^total: ' || true)
	clean=$(echo "$out" | grep -c '^total: 0 errors, 0 warnings, 0 checks' || true)
	[ "$bad" -gt 0 ] && [ "$bad" -eq "$clean" ]
}

sparse_check() {
	command -v sparse >/dev/null || {
		echo "lint-kernel: sparse missing: install package sparse" >&2
		exit 1
	}
	out=$(make -s -C "$KDIR" M="$SRC" C=2 modules 2>&1) || {
		echo "$out"
		exit 1
	}
	echo "$out"
	! echo "$out" | grep -E 'warning:|error:'
}

case ${1:-} in
checkpatch) checkpatch ;;
sparse) sparse_check ;;
*) echo "usage: $0 checkpatch|sparse" >&2; exit 2 ;;
esac
