#!/bin/sh
# run-debug.sh - the VM tests on the debug kernel (KASAN, lockdep,
# DEBUG_ATOMIC_SLEEP, kmemleak): `make check-debug`.
#
# Usage: tests/vm/run-debug.sh GUEST_SCRIPT...
#
# Builds the kernel on first use (scripts/build-debug-kernel.sh: long, see
# README.md; cached outside the repo), builds our modules against it in
# build/debug-modules/ (the tree's own kernel/*.ko stay built for Debian's
# kernel), then boots each script in its own VM with tests/vm/run.sh and
# CELLSENSE_VM_KERNEL=debug: any KASAN, lockdep, kmemleak, BUG or WARNING
# report fails it. Prints how long each step took.
#
# Environment: the debug kernel is ~5-10x slower under TCG, so the limits are
# wider than run.sh's: CELLSENSE_VM_TIMEOUT (default 1200),
# CELLSENSE_VM_BOOT_TIMEOUT (default 300), CELLSENSE_VM_SCRIPT_TIMEOUT
# (default 900, the guest's per-script limit).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -gt 0 ] || { sed -n '2,/^set -eu/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2; }

now() { date +%s; }
t0=$(now)
kdir=$(CELLSENSE_VM_KERNEL=debug "$top/scripts/vm-kernel.sh")
rel=$(basename "$kdir")
kobj=$(readlink -f "$kdir/lib/modules/$rel/build")
t1=$(now)

# Our modules against the debug kernel, from a copy of their sources.
mdir="$top/build/debug-modules"
rm -rf "$mdir"
mkdir -p "$mdir"
(cd "$top" && find Kbuild kernel \( -name Kbuild -o -name '*.[ch]' \) \
	! -name '*.mod.c' | tar -cf - -T -) | tar -xf - -C "$mdir"
make -s -C "$kobj" M="$mdir" modules >"$mdir/build.log" 2>&1 || {
	cat "$mdir/build.log" >&2
	echo "run-debug.sh: our modules do not build against $rel" >&2
	exit 1
}
t2=$(now)

export CELLSENSE_VM_KERNEL=debug CELLSENSE_VM_KO_DIR="$mdir"
export CELLSENSE_VM_TIMEOUT="${CELLSENSE_VM_TIMEOUT:-1200}"
export CELLSENSE_VM_BOOT_TIMEOUT="${CELLSENSE_VM_BOOT_TIMEOUT:-300}"
stmo="${CELLSENSE_VM_SCRIPT_TIMEOUT:-900}"
failed=""
n=0
for s in "$@"; do
	b=$(basename "$s" .sh)
	n=$((n + 1))
	"$top/tests/vm/run.sh" --name "debug-$b" \
		--append "cellsense.script_timeout=$stmo printk.time=1" "$s" ||
		failed="$failed $b"
done
t3=$(now)

echo "debug kernel $rel: ready in $((t1 - t0)) s" \
	"(build: $(cat "$(dirname "$kdir")/build-seconds" 2>/dev/null || echo '?') s, once)," \
	"modules $((t2 - t1)) s, $n VM tests $((t3 - t2)) s"
if [ -n "$failed" ]; then
	echo "check-debug: FAILED:$failed (logs: build/vm/debug-*.log, *.results)"
	exit 1
fi
echo "check-debug: all $n passed"
