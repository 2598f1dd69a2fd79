#!/bin/sh
# mkinitramfs.sh - assemble the initramfs for the qemu VM tests.
#
# Usage: tests/vm/mkinitramfs.sh [OUTPUT]       (default: build/vm/initramfs.img)
#
# The image is two concatenated newc cpio archives (the kernel unpacks both):
#   base     busybox (+ applet links), host tools (libiio-utils, can-utils,
#            gpiod) with every library ldd lists and the dynamic loader,
#            Debian's kernel modules we need (dependencies resolved from the
#            cached kernel's modules.dep).  Big (~20 MB compressed) and slow
#            to change: cached in build/vm/base.cpio.* and rebuilt only when
#            its key (kernel ABI, this script, module list, host binaries)
#            changes.
#   overlay  /init, the guest test scripts (tests/vm/guest/*), our tools
#            (build/bin/*) and libraries (build/lib/*.so*) with their extra
#            libraries, our out-of-tree modules (kernel/*.ko) and a modules.dep
#            covering Debian's modules and ours.  Small, rebuilt every time.
#
# Environment:
#   CELLSENSE_VM_MODULES  extra Debian modules to include (names, space separated)
#   CELLSENSE_CACHE       kernel cache root (see scripts/fetch-kernel.sh)
#   CELLSENSE_VM_FORCE=1  rebuild the base archive even if its key matches
#   CELLSENSE_VM_KERNEL   debian (default) or debug: see scripts/vm-kernel.sh
#   CELLSENSE_VM_KO_DIR   take our modules from DIR/kernel/ (default: the
#                         tree's own kernel/; the debug kernel's are elsewhere)
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
vmdir="$top/tests/vm"
out_dir="$top/build/vm"
out="${1:-$out_dir/initramfs.img}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

die() { echo "mkinitramfs.sh: $*" >&2; exit 1; }
note() { echo "mkinitramfs.sh: $*" >&2; }

# --- host prerequisites: fail with the package to install -------------------
need() { # need COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 ||
		die "missing '$1': install package '$2' (scripts/install-deps.sh, or apt-get install -y --no-install-recommends $2)"
}
need busybox busybox-static
need cpio cpio
need depmod kmod
need modprobe kmod
need modinfo kmod
need ldd libc-bin
need iio_info libiio-utils
need iiod iiod
need candump can-utils
need gpioget gpiod
[ -x /bin/busybox ] && file_is_static=$(ldd /bin/busybox 2>&1 || true)
case "${file_is_static:-}" in
*"not a dynamic"*) ;;
*) die "/bin/busybox is not static: install package 'busybox-static'" ;;
esac

mkdir -p "$out_dir"
# One build at a time (parallel run.sh invocations share build/vm/).
if command -v flock >/dev/null 2>&1; then
	exec 9>"$out_dir/.lock"
	flock 9
fi

kdir=$("$top/scripts/vm-kernel.sh")
abi=$(basename "$kdir")
kmods="$kdir/lib/modules/$abi"

# --- compression: zstd when the kernel and host have it, else gzip -1 -------
if command -v zstd >/dev/null 2>&1 &&
	grep -q '^CONFIG_RD_ZSTD=y' "$kdir/boot/config-$abi" 2>/dev/null; then
	compress() { zstd -q -T0 -3 -c; }
	cext=zst
else
	compress() { gzip -1 -c; }
	cext=gz
fi

# --- what goes in ------------------------------------------------------------
# Debian modules loaded at boot (in this order, dependencies first).
boot_modules="industrialio kfifo_buf industrialio-triggered-buffer can can-raw can-dev vcan vxcan"
# Debian modules included but only loaded on demand (modprobe in the guest).
extra_modules="regmap-spi spi-bitbang ${CELLSENSE_VM_MODULES:-}"
# Included where the kernel has them: e1000, the NIC of run.sh --hostfwd
# (qemu user-mode network, remote rigs); the debug kernel has no PCI or IP.
optional_modules="e1000"
# ip: iproute2's, all netlink; busybox's asks through an AF_INET socket,
# which the debug kernel (no IP) refuses
host_bins="ip iio_info iio_readdev iio_writedev iio_attr iio_reg iiod
	candump cansend cangen canbusload cansniffer
	gpiodetect gpioinfo gpioget gpioset gpiomon gpiofind
	jq"

# Our modules may need Debian modules we did not list: modpost records them.
kodir="${CELLSENSE_VM_KO_DIR:-$top}"
own_kos=$(ls "$kodir"/kernel/*.ko "$kodir"/kernel/*/*.ko 2>/dev/null || true)
own_deps=""
for ko in $own_kos; do
	own_deps="$own_deps $(modinfo -F depends "$ko" | tr ',' ' ')"
done

resolve_modules() { # NAME... -> module paths, dependencies first, no dups
	for m in "$@"; do
		modprobe -d "$kdir" -S "$abi" --show-depends "$m" 2>/dev/null ||
			case " $own_names " in
			*" $m "*) ;; # one of ours, resolved by depmod later
			*) die "kernel module '$m' not found in $kmods" ;;
			esac
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'
}
own_names=$(for ko in $own_kos; do basename "$ko" .ko | tr - _; done | tr '\n' ' ')
for m in $optional_modules; do
	modprobe -d "$kdir" -S "$abi" --show-depends "$m" >/dev/null 2>&1 &&
		extra_modules="$extra_modules $m"
done
debian_mods=$(resolve_modules $boot_modules $extra_modules $own_deps)
boot_mods=$(resolve_modules $boot_modules)

mkdir -p "$out_dir"

# ldd_closure FILE... -> every library file they need, and the loader
ldd_closure() {
	for f in "$@"; do
		LD_LIBRARY_PATH="$top/build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
			ldd "$f" 2>&1 | while read -r a b c d; do
			case "$a $b $c" in
			*"not a dynamic executable"*|*"statically linked"*) ;;
			*"=> not found"*) echo "MISSING $a (needed by $f)" ;;
			*"=> /"*) echo "$c" ;;
			/*) echo "$a" ;;	# the dynamic loader
			esac
		done
	done | sort -u
}

# copy_lib ROOT PATH: copy the file PATH names into ROOT at its canonical
# directory under the name ldd used (merged /usr: /lib -> usr/lib).
copy_lib() {
	d=$(readlink -f "$(dirname "$2")")
	mkdir -p "$1$d"
	[ -e "$1$d/$(basename "$2")" ] || cp -L "$2" "$1$d/$(basename "$2")"
}

# --- base archive -------------------------------------------------------------
host_bin_paths=""
for b in $host_bins; do
	p=$(command -v "$b") || die "missing host tool '$b'"
	host_bin_paths="$host_bin_paths $p"
done

key=$( {
	echo "abi=$abi cext=$cext"
	echo "mods=$debian_mods"
	cat "$0"
	ls -lL /bin/busybox $host_bin_paths
} | sha256sum | cut -c1-16)
base="$out_dir/base-$key.cpio.$cext"

if [ ! -s "$base" ] || [ "${CELLSENSE_VM_FORCE:-0}" = 1 ]; then
	note "building base archive ($abi, $cext)"
	broot=$(mktemp -d "$out_dir/.base-root.XXXXXX")
	trap 'rm -rf "$broot"' EXIT INT TERM HUP
	mkdir -p "$broot/usr/bin" "$broot/usr/sbin" "$broot/usr/lib" "$broot/usr/lib64" \
		"$broot/usr/local/bin" "$broot/usr/local/lib" \
		"$broot/proc" "$broot/sys" "$broot/dev" "$broot/tmp" "$broot/run" \
		"$broot/etc" "$broot/root" "$broot/mnt" "$broot/var"
	for l in bin sbin lib lib64; do ln -s "usr/$l" "$broot/$l"; done

	cp /bin/busybox "$broot/usr/bin/busybox"
	for a in $(busybox --list); do
		case "$a" in busybox|'['|'[['|linuxrc|init) continue ;; esac
		[ -e "$broot/usr/bin/$a" ] || ln -s busybox "$broot/usr/bin/$a"
	done
	ln -s busybox "$broot/usr/bin/["
	ln -s busybox "$broot/usr/bin/[["

	for p in $host_bin_paths; do
		rm -f "$broot/usr/bin/$(basename "$p")"	# busybox's applet
		cp -L "$p" "$broot/usr/bin/"
	done
	libs=$(ldd_closure $host_bin_paths)
	case "$libs" in *MISSING*) die "$(echo "$libs" | grep MISSING)" ;; esac
	for l in $libs; do copy_lib "$broot" "$l"; done
	echo "$libs" >"$out_dir/base-libs.tmp"

	# (none on a kernel with all of them built in, as the debug kernel)
	mkdir -p "$broot/lib/modules/$abi"
	for m in $debian_mods; do
		rel=${m#"$kdir"/}
		mkdir -p "$broot/$(dirname "$rel")"
		cp "$m" "$broot/$rel"
	done
	cp "$kmods/modules.builtin" "$kmods/modules.builtin.modinfo" \
		"$kmods/modules.order" "$broot/lib/modules/$abi/" 2>/dev/null || true
	# Boot-time module list (relative to /), dependencies first.
	mkdir -p "$broot/etc/cellsense"
	for m in $boot_mods; do echo "${m#"$kdir"/}"; done >"$broot/etc/cellsense/boot-modules"
	echo "$abi" >"$broot/etc/cellsense/kernel-abi"

	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$broot/etc/passwd"
	printf 'root:x:0:\n' >"$broot/etc/group"

	tmpb=$(mktemp "$out_dir/.base.XXXXXX")
	(cd "$broot" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
		compress >"$tmpb"
	rm -f "$out_dir"/base-*.cpio.*	# older keys
	mv "$tmpb" "$base"
	# Keep the module tree: the overlay's depmod needs it.
	rm -rf "$out_dir/base-modules"
	mkdir -p "$out_dir/base-modules"
	cp -a "$broot/lib/modules" "$out_dir/base-modules/"
	mv "$out_dir/base-libs.tmp" "$out_dir/base-libs"
	rm -rf "$broot"
	trap - EXIT INT TERM HUP
fi

# --- overlay archive -----------------------------------------------------------
oroot=$(mktemp -d "$out_dir/.overlay-root.XXXXXX")
trap 'rm -rf "$oroot"' EXIT INT TERM HUP
mkdir -p "$oroot/usr/local/bin" "$oroot/usr/local/lib" "$oroot/tests" "$oroot/lib/modules"
# (no symlinks here: a later archive's symlink entries would clobber the base's
#  directories; use usr/... paths only)
rm -rf "$oroot/lib"
mkdir -p "$oroot/usr/lib/modules/$abi"

cp "$vmdir/init" "$oroot/init"
chmod 0755 "$oroot/init"
for g in "$vmdir"/guest/*; do
	[ -f "$g" ] && cp "$g" "$oroot/tests/"
done
# the tools' data (DBC and map) where they look by default
mkdir -p "$oroot/usr/local/share/cellsense"
cp "$top"/dbc/* "$oroot/usr/local/share/cellsense/"
# the example acquisition plans (csacq)
mkdir -p "$oroot/usr/local/share/cellsense/plans"
cp "$top"/docs/plans/*.plan "$oroot/usr/local/share/cellsense/plans/"

own_bins=$(ls "$top"/build/bin/* 2>/dev/null || true)
own_libs=$(ls "$top"/build/lib/*.so* 2>/dev/null || true)
for b in $own_bins; do [ -f "$b" ] && [ -x "$b" ] && cp -L "$b" "$oroot/usr/local/bin/"; done
for l in $own_libs; do cp -P "$l" "$oroot/usr/local/lib/"; done
if [ -n "$own_bins$own_libs" ]; then
	libs=$(ldd_closure $own_bins $own_libs)
	case "$libs" in *MISSING*) die "$(echo "$libs" | grep MISSING)" ;; esac
	for l in $libs; do
		case "$l" in "$top"/build/lib/*) continue ;; esac
		# only what the base does not already carry
		grep -qxF "$l" "$out_dir/base-libs" || copy_lib "$oroot" "$l"
	done
fi

# modules.dep over Debian's modules and ours (a scratch tree of hard links).
dtree=$(mktemp -d "$out_dir/.depmod.XXXXXX")
trap 'rm -rf "$oroot" "$dtree"' EXIT INT TERM HUP
cp -al "$out_dir/base-modules/modules" "$dtree/modules" 2>/dev/null ||
	cp -a "$out_dir/base-modules/modules" "$dtree/modules"
mkdir -p "$dtree/modules/$abi/extra/cellsense"
for ko in $own_kos; do
	cp "$ko" "$dtree/modules/$abi/extra/cellsense/"
	mkdir -p "$oroot/usr/lib/modules/$abi/extra/cellsense"
	cp "$ko" "$oroot/usr/lib/modules/$abi/extra/cellsense/"
done
mkdir -p "$dtree/lib"
mv "$dtree/modules" "$dtree/lib/modules"
depmod -b "$dtree" "$abi" 2>"$dtree/depmod.err" || {
	cat "$dtree/depmod.err" >&2
	die "depmod failed"
}
if [ -s "$dtree/depmod.err" ]; then
	note "depmod warnings (missing symbols? a module not included?):"
	sed 's/^/  /' "$dtree/depmod.err" >&2
fi
cp "$dtree/lib/modules/$abi"/modules.* "$oroot/usr/lib/modules/$abi/"
# Our modules, by name, dependencies first (from modules.dep).
mkdir -p "$oroot/etc/cellsense"
for ko in $own_kos; do basename "$ko" .ko; done >"$oroot/etc/cellsense/own-modules"
rm -rf "$dtree"

tmpo=$(mktemp "$out_dir/.overlay.XXXXXX")
(cd "$oroot" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	compress >"$tmpo"
rm -rf "$oroot"
trap - EXIT INT TERM HUP

tmpi=$(mktemp "$out_dir/.initramfs.XXXXXX")
cat "$base" "$tmpo" >"$tmpi"
rm -f "$tmpo"
mv "$tmpi" "$out"
echo "$out"
