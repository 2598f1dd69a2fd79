#!/bin/sh
# fetch-kernel.sh - fetch Debian's kernel image + modules matching the installed
# linux-headers-amd64 into a cache outside the repo, for the qemu VM tests.
#
# Never installs a kernel on the host: the .deb is only unpacked (dpkg-deb -x).
# Prints the cache directory on stdout, e.g.
#   /root/.cache/cellsense/kernel/6.1.0-56-amd64
# which contains boot/vmlinuz-<ABI> and lib/modules/<ABI>/ (with modules.dep).
#
# Idempotent: a fast no-op when the cache is complete. Atomic: the package is
# unpacked into a temporary directory which is renamed into place only once
# depmod has run, so an interrupted run never leaves a half cache.
#
# Environment:
#   CELLSENSE_CACHE   cache root (default: $HOME/.cache/cellsense)
#   CELLSENSE_KABI    override the kernel ABI (default: from linux-headers-amd64)
set -eu

die() { echo "fetch-kernel.sh: $*" >&2; exit 1; }

abi="${CELLSENSE_KABI:-}"
if [ -z "$abi" ]; then
	deps=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null) ||
		die "linux-headers-amd64 is not installed (apt-get install linux-headers-amd64)"
	# Depends: linux-headers-6.1.0-56-amd64 (= 6.1.192-2)
	abi=$(printf '%s\n' "$deps" | tr ',' '\n' |
		sed -n 's/^ *linux-headers-\([0-9][^ ]*-amd64\).*/\1/p' | head -n 1)
	[ -n "$abi" ] || die "cannot derive kernel ABI from linux-headers-amd64 Depends: '$deps'"
fi

cache_root="${CELLSENSE_CACHE:-$HOME/.cache/cellsense}"
dest="$cache_root/kernel/$abi"

complete() {
	[ -f "$1/boot/vmlinuz-$abi" ] && [ -s "$1/lib/modules/$abi/modules.dep" ]
}

if complete "$dest"; then
	echo "$dest"
	exit 0
fi

for t in apt-get dpkg-deb depmod; do
	command -v "$t" >/dev/null 2>&1 || die "missing tool '$t'"
done

mkdir -p "$cache_root/kernel"
tmp=$(mktemp -d "$cache_root/kernel/.tmp-$abi.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
chmod 0755 "$tmp"	# let apt's _apt user write the download

pkg="linux-image-$abi-unsigned"
echo "fetch-kernel.sh: downloading $pkg" >&2
(cd "$tmp" && apt-get download "$pkg" >&2) ||
	die "apt-get download $pkg failed (apt-get update? network?)"
deb=$(ls "$tmp"/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || die "no .deb downloaded for $pkg"

mkdir "$tmp/root"
dpkg-deb -x "$deb" "$tmp/root"
rm -f "$deb"
[ -f "$tmp/root/boot/vmlinuz-$abi" ] || die "$pkg has no boot/vmlinuz-$abi"
# The package ships no modules.dep & co.
depmod -b "$tmp/root" "$abi"
complete "$tmp/root" || die "depmod did not produce modules.dep"

# Another run may have won the race; keep theirs.
if complete "$dest"; then
	echo "$dest"
	exit 0
fi
rm -rf "$dest"
mv "$tmp/root" "$dest"
echo "$dest"
