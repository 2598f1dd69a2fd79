#!/bin/sh
# make install into a temporary root, as a Debian package would (PREFIX=/usr):
# the tree holds what a gateway needs, a program builds against the installed
# library through pkg-config and runs, an installed tool runs, every man page
# renders without warnings, the systemd unit verifies, and dkms builds the
# modules from the installed source for Debian's kernel.
#   tests/install/install.sh BUILD_DIR
set -eu
BUILD=$1
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
root=$T/root
fail() { echo "install: $*" >&2; exit 1; }

# plain `make`, as the README says, builds everything (a rule put first once
# made it build one tool)
make -C "$SRC" -pn BUILD="$BUILD" 2>/dev/null | grep -qx '.DEFAULT_GOAL := all' ||
	fail "plain 'make' does not build 'all'"

make -s -C "$SRC" BUILD="$BUILD" PREFIX=/usr DESTDIR="$root" install >"$T/make.log" 2>&1 ||
	{ cat "$T/make.log"; fail "make install failed"; }
(cd "$root" && find . -type f -o -type l | sort) >"$T/tree"
echo "installed $(wc -l <"$T/tree") files"

# the tree: every tool with its man page, the library, every public header
expect() { grep -qx "./$1" "$T/tree" || fail "missing /$1"; }
for t in "$BUILD"/bin/*; do
	n=$(basename "$t")
	expect "usr/bin/$n"
	expect "usr/share/man/man1/$n.1"
done
for h in "$SRC"/lib/cellsense.h "$SRC"/lib/cellsense-*.h; do
	expect "usr/include/$(basename "$h")"
done
for f in usr/lib/libcellsense.so usr/lib/libcellsense.so.0 usr/lib/libcellsense.a \
	usr/lib/pkgconfig/cellsense.pc usr/share/cellsense/cellsense.dbc \
	usr/share/cellsense/cellsense.map usr/lib/udev/rules.d/90-cellsense.rules \
	usr/lib/systemd/system/cellsense-pipeline@.service \
	usr/share/cellsense/overlays/cellsense-fbg.dtbo \
	usr/share/cellsense/overlays/cellsense-re.dtbo \
	usr/share/cellsense/overlays/cellsense-us.dtbo \
	usr/src/cellsense-0.1.0/dkms.conf usr/src/cellsense-0.1.0/Kbuild \
	usr/src/cellsense-0.1.0/kernel/cellsense_fbg.c; do
	expect "$f"
done
# nothing from the build tree's kernel objects or the repo's tests
! grep -E '\.(o|ko|mod|cmd)$|/tests/' "$T/tree" || fail "build outputs installed"

# a program against the installed library, through pkg-config
cat >"$T/prog.c" <<'PROG'
#include <stdio.h>
#include <cellsense.h>
int main(void)
{
	struct cs_sample_format fmt;
	if (cs_sample_format_parse("le:u16", &fmt, NULL) != 0)
		return 1;
	printf("%s %zu\n", cs_version(), cs_sample_format_bytes(&fmt));
	return 0;
}
PROG
pc="env PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_LIBDIR=$root/usr/lib/pkgconfig pkg-config"
$pc --exists cellsense || fail "pkg-config does not find cellsense"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror $($pc --cflags cellsense) -o "$T/prog" "$T/prog.c" \
	$($pc --libs cellsense) || fail "a program does not build against the installed headers"
out=$(LD_LIBRARY_PATH=$root/usr/lib "$T/prog") || fail "the program does not run"
[ "$out" = "$("$BUILD/bin/fbgsim" --version | awk '{print $NF}') 2" ] ||
	fail "the program printed '$out'"

# an installed tool, finding the installed library
so=$(ldd "$root/usr/bin/fbgtrack" | awk '$1 == "libcellsense.so.0" { print $3 }')
[ "$(realpath "$so")" = "$(realpath "$root/usr/lib/libcellsense.so.0")" ] ||
	fail "installed fbgtrack uses '$so', not the installed library"
"$root/usr/bin/fbgsim" -N 20 -g 1530 -g 1550 | "$root/usr/bin/fbgtrack" -g a:1530 -g b:1550 \
	>"$T/recs" || fail "installed fbgsim | fbgtrack failed"
[ "$(grep -c 'wavelength' "$T/recs")" -eq 40 ] || fail "installed fbgtrack: $(wc -l <"$T/recs") lines"

# man pages render without a warning
for p in "$root"/usr/share/man/man*/*; do
	MANWIDTH=80 man --warnings -l "$p" >/dev/null 2>"$T/man.err" || fail "man -l $p failed"
	[ ! -s "$T/man.err" ] || { cat "$T/man.err"; fail "man -l $p warns"; }
done

# the unit template, as an instance
unit=$T/cellsense-pipeline@rig1.service
cp "$root/usr/lib/systemd/system/cellsense-pipeline@.service" "$unit"
systemd-analyze verify --man=no "$unit" >"$T/verify" 2>&1 || { cat "$T/verify"; fail "systemd-analyze verify"; }
! grep -q . "$T/verify" || { cat "$T/verify"; fail "systemd-analyze warns"; }

# dkms builds every module from the installed source
abi=$("$SRC/scripts/kernel-abi.sh")
d="dkms --dkmstree $T/dkms --sourcetree $root/usr/src --installtree $T/mods"
mkdir -p "$T/dkms" "$T/mods"
$d add -m cellsense -v 0.1.0 >"$T/dkms.log" 2>&1 || { cat "$T/dkms.log"; fail "dkms add"; }
$d build -m cellsense -v 0.1.0 -k "$abi" >>"$T/dkms.log" 2>&1 ||
	{ cat "$T/dkms.log" "$T"/dkms/cellsense/0.1.0/build/make.log 2>/dev/null | tail -30; fail "dkms build"; }
n=$(find "$T/dkms/cellsense/0.1.0/$abi" -name '*.ko*' | wc -l)
[ "$n" -eq 8 ] || fail "dkms built $n modules, not 8"
echo "ok: tree, pkg-config program, installed tool, man pages, unit, dkms ($n modules)"
