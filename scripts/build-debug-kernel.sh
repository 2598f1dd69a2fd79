#!/bin/sh
# build-debug-kernel.sh - build the VM tests' debug kernel (KASAN, lockdep,
# DEBUG_ATOMIC_SLEEP, kmemleak) from Debian's linux-source, once per machine.
#
# Prints the kernel directory on stdout, <cache>/<key>/<REL>, laid out like
# fetch-kernel.sh's (boot/vmlinuz-<REL>, boot/config-<REL>, lib/modules/<REL>/
# with modules.dep and modules.builtin; its basename is the release), with
# lib/modules/<REL>/build -> <cache>/<key>/obj, the build tree that
# out-of-tree modules are built against (KDIR). Build time: <key>/build-seconds.
#
# The cache is keyed by the config fragment (tests/vm/debug-kernel/
# debug.config), the linux-source package version and the compiler:
#   ${CELLSENSE_CACHE:-$HOME/.cache/cellsense}/debug-kernel/<key>/
# A complete cache is a fast no-op. An interrupted build resumes where it
# stopped (make is incremental); a lock keeps two builds from sharing a tree.
# The build runs under `nice -n 19` with -j$(nproc): the machine is shared.
#
# Config: `make tinyconfig`, the fragment merged on top, `make olddefconfig`;
# then every option the fragment sets is checked to have survived.
#
# Environment:
#   CELLSENSE_CACHE        cache root (default: $HOME/.cache/cellsense)
#   CELLSENSE_KSRC_PKG     source package (default: linux-source-6.1)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
frag="$top/tests/vm/debug-kernel/debug.config"
pkg="${CELLSENSE_KSRC_PKG:-linux-source-6.1}"

die() { echo "build-debug-kernel.sh: $*" >&2; exit 1; }
note() { echo "build-debug-kernel.sh: $*" >&2; }

ver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) ||
	die "$pkg is not installed (scripts/install-deps.sh --debug-kernel)"
tarball=/usr/src/$pkg.tar.xz
[ -f "$tarball" ] || die "$tarball missing: reinstall $pkg"
for t in bc bison flex gcc make xz; do
	command -v "$t" >/dev/null 2>&1 ||
		die "missing '$t' (scripts/install-deps.sh --debug-kernel)"
done
[ -f /usr/include/gelf.h ] || die "missing libelf headers: install libelf-dev (scripts/install-deps.sh --debug-kernel)"
[ -f /usr/include/openssl/ssl.h ] || die "missing openssl headers: install libssl-dev (scripts/install-deps.sh --debug-kernel)"

key=$( {
	echo "$pkg $ver"
	gcc --version | head -n 1
	cat "$frag"
} | sha256sum | cut -c1-16)
root="${CELLSENSE_CACHE:-$HOME/.cache/cellsense}/debug-kernel"
dest="$root/$key"
mkdir -p "$root"

is_built() { [ -f "$dest/complete" ]; }
if is_built; then
	echo "$dest/$(cat "$dest/release")"
	exit 0
fi

exec 9>"$root/.lock-$key"
flock 9
if is_built; then	# built by whoever held the lock
	echo "$dest/$(cat "$dest/release")"
	exit 0
fi

# --- source: unpacked once per package version, atomically ------------------
src="$root/src-$ver/${pkg}"
if [ ! -f "$src/Makefile" ]; then
	note "unpacking $tarball ($ver)"
	tmp=$(mktemp -d "$root/.src.XXXXXX")
	nice -n 19 tar -xJf "$tarball" -C "$tmp"
	[ -f "$tmp/$pkg/Makefile" ] || die "$tarball has no $pkg/Makefile"
	rm -rf "$root/src-$ver"
	mv "$tmp" "$root/src-$ver"
fi

# --- config ------------------------------------------------------------------
obj="$dest/obj"
mkdir -p "$obj"
kmake() { nice -n 19 make -C "$src" O="$obj" -j"$(nproc)" "$@"; }
if [ ! -f "$obj/.config" ] || ! cmp -s "$frag" "$dest/debug.config"; then
	note "configuring ($key): tinyconfig + $frag"
	kmake -s tinyconfig >&2
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$frag" >&2
	kmake -s olddefconfig >&2
	# every =y/=value line of the fragment must be in the result
	lost=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$frag" | while read -r l; do
		grep -qxF "$l" "$obj/.config" || echo "$l"
	done)
	[ -z "$lost" ] || die "options the config dropped (a missing dependency?): $lost"
	cp "$frag" "$dest/debug.config"
fi

# --- build ---------------------------------------------------------------------
note "building ($key) with nice -n 19 -j$(nproc): long (hours on a loaded 2-core machine); log: $dest/build.log"
t0=$(date +%s)
kmake bzImage modules >"$dest/build.log" 2>&1 || {
	tail -n 30 "$dest/build.log" >&2
	die "kernel build failed: $dest/build.log"
}
t1=$(date +%s)
rel=$(cat "$obj/include/config/kernel.release")
kdir="$dest/$rel"
rm -rf "$kdir"
mkdir -p "$kdir/boot"
kmake -s INSTALL_MOD_PATH="$kdir" modules_install >&2
mkdir -p "$kdir/lib/modules/$rel"
[ -f "$kdir/lib/modules/$rel/modules.dep" ] || depmod -b "$kdir" "$rel"
rm -f "$kdir/lib/modules/$rel/build" "$kdir/lib/modules/$rel/source"
ln -s ../../../../obj "$kdir/lib/modules/$rel/build"
cp "$obj/arch/x86/boot/bzImage" "$kdir/boot/vmlinuz-$rel"
cp "$obj/.config" "$kdir/boot/config-$rel"
echo "$((t1 - t0))" >"$dest/build-seconds"
echo "$rel" >"$dest/release"
note "built $rel in $((t1 - t0)) s"
touch "$dest/complete"
echo "$kdir"
